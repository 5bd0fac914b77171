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

from apps.accounts.tenancy import WORKSPACE_URL_KWARG

# Routes that are not a tenant's, by URL name, each with the reason. A route that is not
# under /w/<workspace_slug>/ and not listed here fails the walk, whatever its prefix: a new
# page under app/ or staff/ is not waved through because its neighbours are fine.
NON_TENANT_ROUTES = {
    "landing": "the public landing page",
    "healthz": "load balancer health: ok or not, details for staff or a token",
    "metrics": "Prometheus' scrape of the whole platform: staff or a token only",
    "service_worker": "the service worker script, the same for everyone",
    "web_manifest": "the web app manifest, the same for everyone",
    "offline": "the service worker's offline page, nothing about anyone on it",
    "favicon": "a redirect to the app's icon, the same for everyone",
    "dev_mail_list": "staff only: mail sent by the app in development",
    "dev_mail_detail": "staff only: one mail sent by the app in development",
    "staff_overview": "staff only, across tenants by design",
    "staff_health": "staff only, across tenants by design",
    "acquire": "staff impersonation: staff only, audited",
    "release": "staff impersonation: ends it",
    "schema": "the OpenAPI schema, the same for everyone",
    "docs": "the API reference page, from that schema",
    "token": "JWT sign-in: a user's own credentials",
    "token-refresh": "JWT refresh: a user's own refresh token",
    "token-revoke": "JWT sign-out: a user's own refresh token",
    "me": "the signed-in user and their own workspaces (a token: its own only)",
    "home": "a user's own home: redirects to one of their workspaces",
    "workspace_create": "a user makes a new workspace of their own",
    "preferences": "a user's own language and preferences",
    "account_delete": "a user deletes their own account",
    "invitation_accept": "the token in the link is the secret",
    "linkedin_callback": "OAuth return; the workspace comes from the session-bound state",
    "approval_link": "one-click approval: a signed token, checked against the signed-in user",
    "lead_status_link": "signed one-click link from the digest, checked against the user",
    "endpoint": "the MCP endpoint (mcp/): the bearer token names its one workspace",
}

# Whole URLconfs of libraries that know nothing of workspaces, by include name or namespace.
NON_TENANT_URLCONFS = {
    "allauth.urls": "django-allauth: a user's own sign-in, e-mail, password and 2FA",
    "admin": "Django admin: staff only, across tenants by design",
    "django.conf.urls.i18n": "the language switch, a user's own setting",
    "anymail": "mail providers' inbound webhooks: basic auth; the private address names the tenant",
}


@dataclass
class Route:
    route: str  # e.g. "w/<slug:workspace_slug>/settings/members/<int:pk>/role/"
    name: str | None
    is_regex: bool
    urlconf: str = ""  # the library URLconf or namespace it comes from, if any


def _route_text(pattern) -> str:
    text = str(pattern.pattern)
    return text


def _urlconf_of(resolver: URLResolver) -> str:
    if resolver.namespace:
        return resolver.namespace
    name = resolver.urlconf_name
    return name if isinstance(name, str) else getattr(name, "__name__", "")


def _library_urlconf(resolver: URLResolver) -> str:
    """The include's name when it is one of NON_TENANT_URLCONFS; our own includes ('' )."""
    name = _urlconf_of(resolver)
    return name if name in NON_TENANT_URLCONFS else ""


def iter_routes(resolver=None, prefix: str = "", regex: bool = False, urlconf: str = ""):
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        text = _route_text(entry)
        is_regex = regex or text.startswith("^")
        if isinstance(entry, URLResolver):
            source = urlconf or _library_urlconf(entry)
            yield from iter_routes(entry, prefix + text, is_regex, source)
        elif isinstance(entry, URLPattern):
            yield Route(prefix + text, entry.name, is_regex, urlconf)


def is_tenant_route(route: Route) -> bool:
    return WORKSPACE_URL_KWARG in route.route


def is_declared_non_tenant(route: Route) -> bool:
    if route.urlconf in NON_TENANT_URLCONFS:
        return True
    return route.name is not None and route.name in NON_TENANT_ROUTES


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


# --- The insider walk -----------------------------------------------------------------------
#
# What an attacker does: sign up, get a workspace of their own, and send its URLs the ids of
# someone else's rows, in the path, the query string and the body. The decorator lets them in
# (it is their workspace); only the view's own lookups stand between them and the victim.


def id_parameter_names() -> list[str]:
    """Every name a view might read an object id from: each tenant model's name and each
    relation field of those models, bare and with _id, and the generic ones."""
    names = {"id", "pk", "ids", "object_id", "version", "version_pk", "next_id"}
    for model in apps.get_models():
        fields = [f for f in model._meta.concrete_fields if f.is_relation]
        if not any(getattr(f.related_model, "__name__", "") == "Workspace" for f in fields):
            continue
        names |= {model._meta.model_name, f"{model._meta.model_name}_id"}
        for field in fields:
            names |= {field.name, field.attname}
    return sorted(names)


@dataclass
class InsiderLeak:
    url: str
    method: str
    status: int
    why: str


def _content(response) -> str:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode("utf-8", "replace")
    return response.content.decode("utf-8", "replace")


def cross_workspace_references(*, attacker_workspace_id: int, victim_workspace_id: int):
    """Rows of the attacker's workspace whose foreign keys point at the victim's rows: what
    an unscoped id in a form or serializer (`template=<victim's id>`) leaves behind."""
    from apps.accounts.models import Workspace

    found = []
    for model in apps.get_models():
        own = _workspace_field(model, Workspace)
        if own is None:
            continue
        for field in model._meta.concrete_fields:
            target = field.related_model if field.is_relation and field.many_to_one else None
            theirs = _workspace_field(target, Workspace) if target is not None else None
            if theirs is None or target is Workspace:
                continue
            rows = model._base_manager.filter(
                **{f"{own}_id": attacker_workspace_id},
                **{f"{field.name}__{theirs}_id": victim_workspace_id},
            )
            if rows.exists():
                found.append(f"{model._meta.label}.{field.name}")
    return found


def _workspace_field(model, workspace_model) -> str | None:
    for field in model._meta.concrete_fields:
        if field.is_relation and field.many_to_one and field.related_model is workspace_model:
            return field.name
    return None


MISSING_ID = 987654  # an id no row has: what "not found" looks like for each URL


def _answer(response, object_id: int) -> tuple[int, str]:
    """Status and redirect target, with the id taken out: what tells two answers apart."""
    location = response.get("Location", "") if hasattr(response, "get") else ""
    return response.status_code, location.replace(str(object_id), "<id>")


def walk_as_member_of_another_workspace(
    client,
    *,
    own_slug: str,
    object_id: int,
    victim_markers,
    victim_fingerprint,
    references=None,
    only=None,
) -> tuple[list[InsiderLeak], int]:
    """Request every tenant URL under the client's own workspace with the victim's ids in
    the path, the query and the body. A leak is a response that shows any of
    `victim_markers`, a change to `victim_fingerprint()` (the victim's rows), a row of the
    attacker's that now points at the victim's (`references()`, when given), or, for a URL
    whose path names an object, a success or any answer that differs from the one for an id
    nobody has (which would tell the attacker the victim's row exists). Returns (leaks,
    requests sent)."""
    params = {name: str(object_id) for name in id_parameter_names()}
    leaks: list[InsiderLeak] = []
    sent = 0
    before = victim_fingerprint()
    known_links: set[str] = set()

    def send(url: str, method: str, is_api: bool):
        if method == "GET":
            return client.get(url, params)
        if is_api:
            return getattr(client, method.lower())(url, params, content_type="application/json")
        return client.post(url, params)

    for route in iter_routes():
        if not is_tenant_route(route) or route.is_regex or (only and not only(route)):
            continue
        url = concrete_url(route, workspace_slug=own_slug, object_id=object_id)
        names_an_object = "<int:" in route.route
        is_api = route.route.startswith("api/")
        methods = ("GET", "POST", "PUT", "PATCH", "DELETE") if is_api else ("GET", "POST")
        for method in methods:
            response = send(url, method, is_api)
            sent += 1
            status = response.status_code
            shown = [marker for marker in victim_markers if marker in _content(response)]
            if shown:
                leaks.append(InsiderLeak(url, method, status, f"shows {shown}"))
            linked = set(references()) if references else set()
            if linked - known_links:  # reported once, by the request that made it
                new = sorted(linked - known_links)
                leaks.append(InsiderLeak(url, method, status, f"links to the victim's {new}"))
                known_links |= linked
            after = victim_fingerprint()
            if after != before:
                changed = sorted(k for k in after if after[k] != before.get(k))
                leaks.append(InsiderLeak(url, method, status, f"changed {changed}"))
                before = after
            if not names_an_object:
                continue
            if 200 <= status < 300:
                leaks.append(InsiderLeak(url, method, status, "found the victim's object"))
                continue
            missing_url = concrete_url(route, workspace_slug=own_slug, object_id=MISSING_ID)
            missing = send(missing_url, method, is_api)
            sent += 1
            if _answer(missing, MISSING_ID) != _answer(response, object_id):
                leaks.append(
                    InsiderLeak(
                        url,
                        method,
                        status,
                        f"answers differently from a missing id ({missing.status_code})",
                    )
                )
    return leaks, sent


# --- Static scan ---------------------------------------------------------------------------
#
# Every module under apps/ (tests and migrations aside) is parsed. An expression that reaches
# the rows of a model with a workspace column is a query; it must be scoped. Reaching rows:
#   Post.objects / Post._default_manager / Post._base_manager / any other manager of Post,
#   Post._meta.default_manager / Post._meta.base_manager,
#   get_object_or_404(Post, ...) / get_list_or_404(Post, ...),
#   apps.get_model("content", "Post") / apps.get_model("content.Post"),
# where "Post" is any name bound to the model: `from ... import Post as P`, `models.Post`
# after `from apps.content import models`, `import apps.content.models as cm`, `P = Post`.
# Scoped means one of:
#   - the first argument of a tenancy helper (owned, get_owned_or_404, owned_for_task...),
#   - the manager's first call names the workspace: .filter(workspace=...),
#     .get(workspace_id=..., pk=...), .create(workspace=...), .for_workspace(...),
#   - the class-level `queryset` of a WorkspaceScopedViewSet subclass,
#   - code in apps/accounts/tenancy.py, the module that does the scoping,
#   - a function listed in CROSS_TENANT, with the reason it spans workspaces by design.

SCOPING_HELPERS = {"get_owned_or_404", "owned", "owned_for_task", "workspace_for_task"}
ROW_LOOKUP_SHORTCUTS = {"get_object_or_404", "get_list_or_404"}
META_MANAGERS = {"default_manager", "base_manager"}
# Manager calls that cannot reach another workspace's rows: for_workspace scopes; none() is
# empty; bulk_create/bulk_update write the instances they are given, which carry their own
# workspace.
SCOPING_METHODS = {"for_workspace", "none", "bulk_create", "bulk_update"}
TENANCY_MODULE = "apps/accounts/tenancy.py"


@dataclass(frozen=True)
class TenantModel:
    label: str  # "content.Post"
    module: str  # "apps.content.models"
    name: str  # "Post"
    workspace_fields: tuple[str, ...]  # ("workspace",); () for Workspace itself
    managers: frozenset[str]


def tenant_models() -> dict[str, TenantModel]:
    """Every model with a workspace column (found from the app registry, so a new model is
    known without a list), and Workspace itself, by "module.Name"."""
    from apps.accounts.models import Workspace

    found = {}
    for model in apps.get_models():
        fields = tuple(
            field.name
            for field in model._meta.concrete_fields
            if field.is_relation and field.many_to_one and field.related_model is Workspace
        )
        if not fields and model is not Workspace:
            continue
        managers = {"objects", "_default_manager", "_base_manager"}
        managers |= {manager.name for manager in model._meta.managers}
        found[f"{model.__module__}.{model.__name__}"] = TenantModel(
            label=model._meta.label,
            module=model.__module__,
            name=model.__name__,
            workspace_fields=fields,
            managers=frozenset(managers),
        )
    return found


def workspace_owned_model_names() -> set[str]:
    return {model.name for model in tenant_models().values()}


class _Bindings:
    """What the names of one module stand for: dotted paths ("apps.content.models.Post")."""

    def __init__(self, tree: ast.AST, module: str):
        self.names: dict[str, str] = {}
        package = module.rsplit(".", 1)[0]
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.asname:
                        self.names[alias.asname] = alias.name
                    else:
                        top = alias.name.split(".")[0]
                        self.names[top] = top
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:  # relative: from .models import Post
                    parts = package.split(".")
                    parts = parts[: len(parts) - node.level + 1]
                    base = ".".join([*parts, base] if base else parts)
                for alias in node.names:
                    self.names[alias.asname or alias.name] = f"{base}.{alias.name}"
        # Plain aliases anywhere in the module: `P = Post`, `model = models.Post`. Repeated
        # until stable, so chains of aliases resolve too.
        assignments = [
            (target.id, node.value)
            for node in ast.walk(tree)
            if isinstance(node, ast.Assign)
            for target in node.targets
            if isinstance(target, ast.Name) and isinstance(node.value, ast.Name | ast.Attribute)
        ]
        for _ in range(3):
            for name, value in assignments:
                resolved = self.resolve(value)
                if resolved and name not in self.names:
                    self.names[name] = resolved

    def resolve(self, node: ast.AST) -> str | None:
        if isinstance(node, ast.Name):
            return self.names.get(node.id)
        if isinstance(node, ast.Attribute):
            base = self.resolve(node.value)
            return f"{base}.{node.attr}" if base else None
        return None


def _model_of(node: ast.AST, bindings: _Bindings, models_by_path: dict[str, TenantModel]):
    path = bindings.resolve(node)
    if path is None:
        return None
    if path in models_by_path:
        return models_by_path[path]
    # Imported from a module that re-exports it (from apps.leads import models; a package
    # __init__): match the class name when exactly one tenant model has it.
    name = path.rsplit(".", 1)[-1]
    matches = [model for model in models_by_path.values() if model.name == name]
    if len(matches) == 1 and path.startswith("apps."):
        return matches[0]
    return None


def _get_model_target(call: ast.Call, models_by_label: dict[str, TenantModel]):
    strings = [arg.value for arg in call.args if isinstance(arg, ast.Constant)]
    if not strings or not all(isinstance(s, str) for s in strings):
        return None
    label = ".".join(strings[:2]) if len(strings) >= 2 else strings[0]
    app_label, _, name = label.partition(".")
    for model_label, model in models_by_label.items():
        model_app, _, model_name = model_label.partition(".")
        if model_app == app_label and model_name.lower() == name.lower():
            return model
    return None


def _scopes_by_workspace(call: ast.Call, model: TenantModel) -> bool:
    """A call on a manager that names the workspace: .filter(workspace=...) and friends."""
    func = call.func
    if not isinstance(func, ast.Attribute):
        return False
    if func.attr in SCOPING_METHODS:
        return True
    # .filter(Q(workspace=workspace) | Q(workspace__isnull=True)): names the workspace too.
    for arg in call.args:
        for sub in ast.walk(arg):
            if (
                isinstance(sub, ast.Call)
                and getattr(sub.func, "id", None) == "Q"
                and any(
                    keyword.arg in (field, f"{field}_id")
                    for keyword in sub.keywords
                    for field in model.workspace_fields
                )
            ):
                return True
    for keyword in call.keywords:
        key = keyword.arg or ""
        if key in HELD_ROW_KEYS and _is_held_row_id(keyword.value):
            return True
        for field in model.workspace_fields:
            if key in (field, f"{field}_id") or key.startswith(f"{field}__"):
                return True
    return False


HELD_ROW_KEYS = {"pk", "id", "pk__in", "id__in"}


def _is_held_row_id(value: ast.AST) -> bool:
    """`post.pk`, `comment.lead_id`, `delivery.endpoint.pk`: the id of a row the code already
    holds (fetched scoped earlier), re-read or conditionally updated. Not a bare name such as
    `pk` or `request.GET["id"]`: that is an id from outside."""
    return isinstance(value, ast.Attribute) and (
        value.attr in ("pk", "id") or value.attr.endswith("_id")
    )


@dataclass
class Query:
    node: ast.AST
    model: TenantModel
    how: str


def _queries(tree, bindings, models_by_path, models_by_label) -> list[Query]:
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute):
            # Post.objects, Post.published
            model = _model_of(node.value, bindings, models_by_path)
            if model and node.attr in model.managers:
                found.append(Query(node, model, f"{model.name}.{node.attr}"))
            # Post._meta.default_manager
            if (
                node.attr in META_MANAGERS
                and isinstance(node.value, ast.Attribute)
                and node.value.attr == "_meta"
            ):
                model = _model_of(node.value.value, bindings, models_by_path)
                if model:
                    found.append(Query(node, model, f"{model.name}._meta.{node.attr}"))
        elif isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
            if name in ROW_LOOKUP_SHORTCUTS and node.args:
                model = _model_of(node.args[0], bindings, models_by_path)
                if model:
                    found.append(Query(node, model, f"{name}({model.name}, ...)"))
            if name == "get_model":
                model = _get_model_target(node, models_by_label)
                if model:
                    found.append(Query(node, model, f"get_model({model.label!r})"))
    return found


def _parents(tree: ast.AST) -> dict[int, ast.AST]:
    parents = {}
    for node in ast.walk(tree):
        for child in ast.iter_child_nodes(node):
            parents[id(child)] = node
    return parents


def _enclosing_function(node, parents) -> str:
    """'Class.method' or 'function' around a node ('' at module level)."""
    names = []
    current = parents.get(id(node))
    while current is not None:
        if isinstance(current, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.append(current.name)
        current = parents.get(id(current))
    return ".".join(reversed(names))


def _is_scoped(query: Query, parents, allowed: set[int]) -> bool:
    if id(query.node) in allowed:
        return True
    # Walk up an attribute chain to the first call on the manager: Post.objects.filter(...)
    # or Post.objects.select_related(...).filter(workspace=...) — any call in the chain
    # before a row is fetched that names the workspace scopes it.
    current = query.node
    while True:
        parent = parents.get(id(current))
        if isinstance(parent, ast.Attribute) and parent.value is current:
            call = parents.get(id(parent))
            if not (isinstance(call, ast.Call) and call.func is parent):
                return False
            if _scopes_by_workspace(call, query.model):
                return True
            current = call
            continue
        return False


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


# Work that spans workspaces by design, in one place: module -> function -> why. Everything
# here runs without a workspace from a URL (dispatchers, retention, staff pages, a user's own
# rows across their workspaces, lookups by a secret token). A function listed here is also
# what must run inside tenancy.across_workspaces() once the app connects as its own
# database role under row-level security (deploy/README.md).
CROSS_TENANT: dict[str, dict[str, str]] = {
    "apps/accounts/data_rights.py": {
        "account_deletion_plan": "a user's memberships in every workspace, to delete the account",
        "account_delete": "a user's memberships in every workspace, to delete the account",
    },
    "apps/accounts/selectors.py": {
        "memberships_of_user": "the signed-in user's own workspaces (the switcher, /app/)",
        "invitation_by_token": "an invitation found by its secret token, before membership",
    },
    "apps/accounts/services.py": {
        "_unique_slug": "a new workspace's slug must be unique across all workspaces",
        "workspace_create": "creates the workspace itself",
        "invitations_prune_expired": "daily retention task over every workspace",
        "audit_log_prune": "daily audit-log retention over every workspace",
    },
    "apps/accounts/management/commands/seed_demo.py": {
        "Command": "development command that creates the demo workspace",
    },
    "apps/leads/management/commands/rebuild_lead_totals.py": {
        "Command": "operator command: recomputes the lead totals of one or every workspace",
    },
    "apps/core/management/commands/seed_demo_history.py": {
        "Command": "development command that fills the demo workspace's history",
    },
    "apps/core/simulation.py": {
        "remove_simulated": "operator command simulate_day: removes the sim-* workspaces it made",
    },
    "apps/analytics/collector.py": {
        "dispatch_snapshots": "beat dispatcher: fans out one task per workspace's due posts",
    },
    "apps/api/forms.py": {
        "PasswordChangeForm": "the user's own API tokens, in every workspace they belong to",
    },
    "apps/api/services.py": {
        "api_tokens_revoke_for_user": "the user's own API tokens, in every workspace",
        "api_token_for_secret": "authentication: the token is found by its secret's hash",
    },
    "apps/content/publishing.py": {
        "dispatch_due_posts": "beat dispatcher: every workspace's due posts",
        "reap_stuck_posts": "beat task: posts stuck in publishing, in every workspace",
        "sweep_first_comments": "beat sweep: first comments left undone, every workspace",
    },
    "apps/content/selectors.py": {
        "publishing_health_across_workspaces": "staff health page",
    },
    "apps/content/services.py": {
        "approval_link_check": "a one-click approval link found by its signed token",
        "_library_sync": "the shared template library: rows without a workspace",
    },
    "apps/leads/digests.py": {
        "send_due_digests": "beat dispatcher: digests due in every workspace",
        "escalate_waiting_leads": "beat dispatcher: waiting leads in every workspace",
    },
    "apps/leads/ingestion.py": {
        "dispatch_scans": "beat dispatcher: every workspace's posts due a comment scan",
    },
    "apps/leads/services.py": {
        "purge_expired_commenters": "daily retention task over every workspace",
    },
    "apps/leads/selectors.py": {
        "labelled_comments_for_export": "staff export of labelled texts from opted-in workspaces",
        "comment_scans_due": "metrics for operators: the scan backlog of every workspace",
    },
    "apps/leads/mail_inbound.py": {
        "_address_for": "a forwarded mail's private address: its secret token names the workspace",
    },
    "apps/linkedin/management/commands/linkedin_check.py": {
        "Command": "operator command: --workspace names the workspace whose LinkedIn to check",
    },
    "apps/leads/management/commands/leads_train.py": {
        "Command": "staff command: retrains the shared model on every workspace's feedback",
    },
    "apps/linkedin/selectors.py": {
        "connections_due_for_refresh": "beat dispatcher: tokens to refresh, every workspace",
        "connections_due_for_reminder": "beat dispatcher: expiry reminders, every workspace",
    },
    "apps/notifications/outbox.py": {
        "sweep": "beat sweep: events not yet delivered, in every workspace",
    },
    "apps/notifications/services.py": {
        "sweep_deliveries": "beat sweep: emails, pushes and texts not yet sent, every workspace",
    },
    "apps/staffops/selectors.py": {"overview": "staff overview of every workspace"},
    "apps/webhooks/services.py": {
        "retry_due": "beat dispatcher: due deliveries in every workspace",
        "purge_deliveries": "daily retention task over every workspace",
    },
}


@dataclass
class ParsedModule:
    filename: str  # "apps/content/publishing.py"
    module: str  # "apps.content.publishing"
    tree: ast.AST
    bindings: _Bindings
    parents: dict[int, ast.AST]


def _parse(source: str, filename: str) -> ParsedModule:
    tree = ast.parse(source, filename=filename)
    module = filename.removesuffix(".py").replace("/", ".").removesuffix(".__init__")
    return ParsedModule(filename, module, tree, _Bindings(tree, module), _parents(tree))


def _unscoped_queries(
    parsed: ParsedModule, models: dict[str, TenantModel]
) -> list[tuple[Query, str, bool]]:
    """(query, enclosing function, excused by CROSS_TENANT) for every unscoped query."""
    if parsed.filename == TENANCY_MODULE:
        return []
    models_by_label = {model.label: model for model in models.values()}
    allowed = _allowed_nodes(parsed.tree)
    declared = CROSS_TENANT.get(parsed.filename, {})
    found = []
    for query in _queries(parsed.tree, parsed.bindings, models, models_by_label):
        if _is_scoped(query, parsed.parents, allowed):
            continue
        function = _enclosing_function(query.node, parsed.parents)
        excused = function in declared or function.split(".")[0] in declared
        found.append((query, function, excused))
    return found


def find_unscoped_queries_in_source(
    source: str, filename: str, models: dict[str, TenantModel] | None = None
) -> list[str]:
    """Every unscoped query in one module's source, as "path:line: how"."""
    models = models if models is not None else tenant_models()
    problems = []
    for query, function, excused in _unscoped_queries(_parse(source, filename), models):
        if excused:
            continue
        where = f" in {function}" if function else ""
        problems.append(f"{filename}:{query.node.lineno}: {query.how}{where}")
    return problems


# --- Cross-tenant work says so to the database -----------------------------------------------
#
# Under row-level security a query across workspaces sees nothing unless it runs inside
# `tenancy.across_workspaces(reason=...)`. So every query that CROSS_TENANT excuses must be
# inside such a block, in the same function or in every caller: its function is called only
# from inside such blocks, or from functions that are themselves (transitively) called only
# from there. A function nobody under apps/ calls (a task, a view, a command) must enter the
# block itself.

ACROSS_WORKSPACES = "across_workspaces"


def _inside_across_workspaces(node: ast.AST, parents: dict[int, ast.AST]) -> bool:
    current = parents.get(id(node))
    while current is not None:
        if isinstance(current, ast.With | ast.AsyncWith) and any(
            isinstance(item.context_expr, ast.Call)
            and ACROSS_WORKSPACES
            in (
                getattr(item.context_expr.func, "id", None),
                getattr(item.context_expr.func, "attr", None),
            )
            for item in current.items
        ):
            return True
        current = parents.get(id(current))
    return False


def _innermost_function(node: ast.AST, parents: dict[int, ast.AST]):
    current = parents.get(id(node))
    while current is not None:
        if isinstance(current, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
            return current
        current = parents.get(id(current))
    return None


def _function_path(parsed: ParsedModule, function) -> str | None:
    """'apps.accounts.services._unique_slug' for a module-level function; None for methods,
    nested functions and lambdas (those must enter the block themselves)."""
    if isinstance(function, ast.Lambda) or parents_is_not_module(parsed, function):
        return None
    return f"{parsed.module}.{function.name}"


def parents_is_not_module(parsed: ParsedModule, function) -> bool:
    return not isinstance(parsed.parents.get(id(function)), ast.Module)


def _calls_by_target(parsed_modules: list[ParsedModule]) -> dict[str, list]:
    """'apps.x.y.f' -> [(module, call node)] for every call under apps/ that names it."""
    calls: dict[str, list] = {}
    for parsed in parsed_modules:
        local = {
            node.name
            for node in parsed.tree.body
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        }
        for node in ast.walk(parsed.tree):
            if not isinstance(node, ast.Call):
                continue
            target = parsed.bindings.resolve(node.func)
            if target is None and isinstance(node.func, ast.Name) and node.func.id in local:
                target = f"{parsed.module}.{node.func.id}"
            if target:
                calls.setdefault(target, []).append((parsed, node))
    return calls


def _runs_across_workspaces(parsed, node, calls, seen: frozenset = frozenset()) -> bool:
    """Whether this node always runs inside across_workspaces(): lexically, or because its
    function is called only from places that do."""
    if _inside_across_workspaces(node, parsed.parents):
        return True
    function = _innermost_function(node, parsed.parents)
    path = _function_path(parsed, function) if function is not None else None
    if path is None or path in seen:
        return False
    callers = calls.get(path, [])
    return bool(callers) and all(
        _runs_across_workspaces(caller, call, calls, seen | {path}) for caller, call in callers
    )


def find_cross_tenant_work_outside_across_workspaces(
    root: Path, models: dict[str, TenantModel] | None = None
) -> list[str]:
    """Queries excused by CROSS_TENANT that the database would not let through: not inside
    across_workspaces(), nor called only from inside it."""
    models = models if models is not None else tenant_models()
    parsed_modules = [
        _parse(path.read_text(), str(path.relative_to(root))) for path in scanned_modules(root)
    ]
    calls = _calls_by_target(parsed_modules)
    problems = []
    for parsed in parsed_modules:
        for query, function, excused in _unscoped_queries(parsed, models):
            if excused and not _runs_across_workspaces(parsed, query.node, calls):
                problems.append(
                    f"{parsed.filename}:{query.node.lineno}: {query.how} in {function} "
                    "runs outside across_workspaces()"
                )
    return problems


def scanned_modules(root: Path) -> list[Path]:
    """Every module under apps/ but tests and migrations."""
    found = []
    for path in sorted((root / "apps").rglob("*.py")):
        relative = path.relative_to(root / "apps")
        if "tests" in relative.parts or "migrations" in relative.parts:
            continue
        found.append(path)
    return found


def find_unscoped_queries(root: Path) -> list[str]:
    models = tenant_models()
    problems = []
    for path in scanned_modules(root):
        problems += find_unscoped_queries_in_source(
            path.read_text(), str(path.relative_to(root)), models
        )
    return problems


def stale_cross_tenant_entries(root: Path) -> list[str]:
    """CROSS_TENANT entries that no longer excuse anything (the function went, or now scopes
    its queries): the list says only what is true."""
    models = tenant_models()
    used: set[tuple[str, str]] = set()
    for filename, declared in list(CROSS_TENANT.items()):
        path = root / filename
        if not path.exists():
            continue
        saved = CROSS_TENANT.pop(filename)
        try:
            problems = find_unscoped_queries_in_source(path.read_text(), filename, models)
        finally:
            CROSS_TENANT[filename] = saved
        for problem in problems:
            function = problem.rsplit(" in ", 1)[-1] if " in " in problem else ""
            for name in declared:
                if function == name or function.split(".")[0] == name:
                    used.add((filename, name))
    return [
        f"{filename}: {name}"
        for filename, declared in CROSS_TENANT.items()
        for name in declared
        if (filename, name) not in used
    ]
