"""The two guards that keep tenants apart, as functions the tests (and their own tests) call.

1. `walk_tenant_urls` resolves every URL pattern of the project. Each one that carries a
   workspace slug is requested, GET and POST, by someone who is not a member of that
   workspace; anything but 404 is a leak. A pattern without a workspace slug must be listed
   in NON_TENANT_URL_PREFIXES, so a new URL is covered without anybody remembering to.
2. `find_unscoped_queries` reads the source of view and API modules and reports every
   `Model.objects` (or `_default_manager`) on a workspace-owned model that does not go
   through apps/accounts/tenancy.py.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from pathlib import Path

from django.apps import apps
from django.urls import URLPattern, URLResolver, get_resolver

from apps.accounts.tenancy import WORKSPACE_URL_KWARG, WorkspaceOwned

# URLs that are not a tenant's. Each has its own access rule, tested where it lives.
NON_TENANT_URL_PREFIXES = (
    "",  # the landing page (exact match, see below)
    "healthz",
    "i18n/",
    "accounts/",  # django-allauth: a user's own login, email, password and 2FA
    "admin/",  # staff only
    "dev/mail/",  # staff only
    "app/",  # a user's own home redirect, preferences and "new workspace"
    "invitations/",  # the token in the link is the secret
    "approve/",  # one-click approval: a signed token, checked against the signed-in user
    "lead-status/",  # signed one-click links from the digest, checked against the user
    "staff/",  # staff only, across tenants by design
    "linkedin/callback",  # OAuth return; the workspace comes from the session-bound state
    "static/",
    "api/schema/",  # the OpenAPI schema: the same for everyone
    "api/docs/",  # the API reference page, from that schema
    "api/v1/auth/",  # JWT sign-in, refresh and revoke: a user's own credentials
    "api/v1/me/",  # the signed-in user and their workspaces (a token: its own only)
    "mcp/",  # the MCP endpoint: the bearer token names its one workspace (apps/mcp/tests)
    "sw.js",  # the service worker script: the same for everyone
    "manifest.webmanifest",  # the web app manifest: the same for everyone
    "offline/",  # the service worker's offline page: nothing about anyone on it
)


@dataclass
class Route:
    route: str  # e.g. "w/<slug:workspace_slug>/settings/members/<int:pk>/role/"
    name: str | None
    is_regex: bool


def _route_text(pattern) -> str:
    text = str(pattern.pattern)
    return text


def iter_routes(resolver=None, prefix: str = "", regex: bool = False):
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        text = _route_text(entry)
        is_regex = regex or text.startswith("^")
        if isinstance(entry, URLResolver):
            yield from iter_routes(entry, prefix + text, is_regex)
        elif isinstance(entry, URLPattern):
            yield Route(prefix + text, entry.name, is_regex)


def is_tenant_route(route: Route) -> bool:
    return WORKSPACE_URL_KWARG in route.route


def is_declared_non_tenant(route: Route) -> bool:
    path = route.route.lstrip("^")
    if path in ("", "$"):
        return True
    return any(prefix and path.startswith(prefix) for prefix in NON_TENANT_URL_PREFIXES)


_CONVERTER = re.compile(r"<(?:(?P<conv>\w+):)?(?P<name>\w+)>")


def concrete_url(route: Route, *, workspace_slug: str, object_id: int) -> str | None:
    """A real path for a route, the workspace slug and ids filled in. None for regex routes."""
    if route.is_regex:
        return None

    def fill(match):
        conv, name = match.group("conv") or "str", match.group("name")
        if name == WORKSPACE_URL_KWARG:
            return workspace_slug
        if conv == "int":
            return str(object_id)
        if conv == "uuid":
            return "00000000-0000-0000-0000-000000000000"
        return "x"

    return "/" + _CONVERTER.sub(fill, route.route)


@dataclass
class Leak:
    url: str
    method: str
    status: int


def walk_tenant_urls(client, *, workspace_slug: str, object_id: int) -> tuple[list, list]:
    """Request every tenant URL as the client's user. Returns (leaks, undeclared routes)."""
    leaks, undeclared = [], []
    for route in iter_routes():
        if not is_tenant_route(route):
            if not is_declared_non_tenant(route):
                undeclared.append(route.route)
            continue
        url = concrete_url(route, workspace_slug=workspace_slug, object_id=object_id)
        if url is None:
            undeclared.append(route.route)
            continue
        for method in ("get", "post"):
            response = getattr(client, method)(url)
            if response.status_code != 404:
                leaks.append(Leak(url, method.upper(), response.status_code))
    return leaks, undeclared


# --- Static scan ---------------------------------------------------------------------------

SCOPING_HELPERS = {"get_owned_or_404", "owned"}
MANAGER_ATTRIBUTES = {"objects", "_default_manager", "_base_manager"}


def workspace_owned_model_names() -> set[str]:
    names = {"Workspace"}
    for model in apps.get_models():
        if issubclass(model, WorkspaceOwned):
            names.add(model.__name__)
    return names


def _allowed_nodes(tree: ast.AST) -> set[int]:
    """Nodes inside the first argument of a scoping helper call are fine: the helper scopes.
    So is the class-level `queryset = ...` of a class that names WorkspaceScopedViewSet as a
    base: that base scopes it, and refuses subclasses that override get_queryset."""
    allowed: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef) and any(
            getattr(base, "id", getattr(base, "attr", None)) == "WorkspaceScopedViewSet"
            for base in node.bases
        ):
            for statement in node.body:
                if isinstance(statement, ast.Assign) and [
                    getattr(target, "id", None) for target in statement.targets
                ] == ["queryset"]:
                    allowed.update(id(sub) for sub in ast.walk(statement.value))
        if isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
            if name in SCOPING_HELPERS and node.args:
                allowed.update(id(sub) for sub in ast.walk(node.args[0]))
    return allowed


def find_unscoped_queries_in_source(source: str, filename: str, owned_names: set[str]) -> list:
    tree = ast.parse(source, filename=filename)
    allowed = _allowed_nodes(tree)
    problems = []
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and node.attr in MANAGER_ATTRIBUTES
            and isinstance(node.value, ast.Name)
            and node.value.id in owned_names
            and id(node) not in allowed
        ):
            problems.append(f"{filename}:{node.lineno}: {node.value.id}.{node.attr}")
    return problems


def view_and_api_modules(root: Path) -> list[Path]:
    """Every module that serves requests: views.py, api.py, *_views.py, *_api.py and the
    files of views/ and api/ packages."""
    found = []
    for app in sorted((root / "apps").iterdir()):
        if not app.is_dir():
            continue
        for path in sorted(app.rglob("*.py")):
            relative = path.relative_to(app)
            if "tests" in relative.parts or "migrations" in relative.parts:
                continue
            in_package = relative.parts[0] in ("views", "api") and len(relative.parts) > 1
            named = path.stem in ("views", "api") or path.stem.endswith(("_views", "_api"))
            if in_package or named:
                found.append(path)
    return found


def find_unscoped_queries(root: Path) -> list[str]:
    owned_names = workspace_owned_model_names()
    problems = []
    for path in view_and_api_modules(root):
        problems += find_unscoped_queries_in_source(
            path.read_text(), str(path.relative_to(root)), owned_names
        )
    return problems
