"""The one place tenant scoping lives.

The workspace always comes from the URL (`/w/<workspace_slug>/...`), never from session
state. A user who is not a member of it gets a 404 — the same answer as for a workspace
that does not exist, so nobody learns which slugs are taken. Role limits *inside* one's own
workspace are a 403.

Everything that reads or writes tenant-owned rows goes through here:

- views:  `@workspace_view(min_role=...)` sets `request.workspace` and `request.membership`
          and runs the view in one transaction (there is no request-wide one); a view that
          calls the network says `atomic=False` and writes in `workspace_atomic(...)` blocks;
          `get_owned_or_404(Model, workspace=..., pk=...)` and `owned(Model, workspace=...)`.
- API:    `WorkspaceScopedViewSet`, which scopes by itself and refuses subclasses that
          override `get_queryset`; `WorkspaceTransaction` is its request transaction.
- tasks:  `workspace_for_task(id)` and `owned_for_task(Model, workspace_id=..., pk=...)`;
          between network calls, short `workspace_atomic(workspace_id)` blocks.
- the database: with DATABASE_ROW_LEVEL_SECURITY on PostgreSQL, the same places name the
          workspace to the database for the rest of the request or task
          (`database_workspace_set`, inside the `database_scope` that DatabaseScopeMiddleware
          and the Celery task signals open), and PostgreSQL's policies (apps/core/rls.py)
          admit only that workspace's rows. Work that spans workspaces by design runs inside
          `across_workspaces(reason=...)`.

tests/test_tenancy_guards.py walks every tenant URL as an outsider (another workspace's
slug) and as an insider (their own slug with another workspace's ids in path, query and
body), and scans the AST of every module under apps/ for unscoped queries on any model with
a workspace column, so a new view, selector, service or form that forgets this module fails
CI. Work that spans workspaces by design is listed, with its reason, in CROSS_TENANT there.
"""

from __future__ import annotations

import threading
from contextlib import contextmanager
from functools import wraps
from typing import TYPE_CHECKING, TypeVar

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import DatabaseError, connections, models, transaction
from django.http import Http404
from rest_framework import viewsets

if TYPE_CHECKING:
    from apps.accounts.models import Membership, Workspace

WORKSPACE_URL_KWARG = "workspace_slug"

M = TypeVar("M", bound=models.Model)


class WorkspaceOwnedQuerySet(models.QuerySet):
    def for_workspace(self, workspace) -> WorkspaceOwnedQuerySet:
        return self.filter(workspace=workspace)


class WorkspaceOwned(models.Model):
    """Abstract base for every row a tenant owns: an indexed workspace foreign key."""

    workspace = models.ForeignKey(
        "accounts.Workspace", on_delete=models.CASCADE, db_index=True, verbose_name="workspace"
    )

    objects = WorkspaceOwnedQuerySet.as_manager()

    class Meta:
        abstract = True


# --- The database's wall (row-level security, apps/core/rls.py) ------------------------------
#
# Three settings of the database session name who is asking: the workspace, the user (their
# own memberships) and whether the work spans workspaces by design. They are set here and
# nowhere else, as session settings rather than transaction-local ones so that they hold
# for every statement of a request or a task, in a transaction or not. Each request and each
# task runs inside `database_scope()`, which starts from "nobody" and restores what was there
# before when it ends, so a pooled connection carries nothing from one request or task to
# the next. (A rolled-back transaction also undoes the settings it made.)
#
# The bookkeeping statements go to the driver's connection directly, not through Django's
# cursor: they carry no data, and the query budgets of tests and benchmarks count the app's
# data queries, which are the same with and without row-level security.


def _row_level_security(using: str) -> bool:
    return bool(settings.DATABASE_ROW_LEVEL_SECURITY) and connections[using].vendor == "postgresql"


def _driver_connection(using: str):
    """The open psycopg connection, or None when a statement now would fail (a transaction
    that already failed: its rollback undoes the settings anyway)."""
    from psycopg import pq

    connection = connections[using]
    connection.ensure_connection()
    raw = connection.connection
    if raw.info.transaction_status == pq.TransactionStatus.INERROR:
        return None
    return raw


def _database_settings(using: str) -> dict[str, str]:
    from apps.core import rls

    raw = _driver_connection(using)
    if raw is None:
        return {}
    names = rls.SESSION_SETTINGS
    row = raw.execute(
        "SELECT " + ", ".join("coalesce(current_setting(%s, true), '')" for _ in names), names
    ).fetchone()
    return dict(zip(names, row, strict=True))


def _set_database_settings(values: dict[str, str], using: str) -> None:
    raw = _driver_connection(using)
    if raw is None or not values:
        return
    params = [item for pair in values.items() for item in pair]
    raw.execute("SELECT " + ", ".join("set_config(%s, %s, false)" for _ in values), params)


def _id(value) -> str:
    return "" if value is None else str(int(value))


def database_workspace_set(
    workspace_id: int | None, *, user_id: int | None = None, using: str = "default"
) -> None:
    """Name the workspace (and the user, for their own memberships) to the database for the
    rest of the current request or task (`database_scope`). An enclosing
    `across_workspaces` block stays what it is: a dispatcher that runs a workspace's task
    inline goes on seeing every workspace. Nothing happens without row-level security."""
    if not _row_level_security(using):
        return
    from apps.core import rls

    _set_database_settings(
        {rls.WORKSPACE_SETTING: _id(workspace_id), rls.USER_SETTING: _id(user_id)}, using
    )


@contextmanager
def database_scope(*, cross_tenant: bool = False, using: str = "default"):
    """One request or one task: it starts with no workspace named (nothing visible until
    tenancy names one, or everything with `cross_tenant`, which only the staff admin uses),
    and what was set before is back afterwards (a test's own setting, an enclosing eager
    task's workspace)."""
    if not _row_level_security(using):
        yield
        return
    from apps.core import rls

    previous = _database_settings(using)
    _set_database_settings(
        {
            rls.WORKSPACE_SETTING: "",
            rls.USER_SETTING: "",
            rls.CROSS_TENANT_SETTING: "on" if cross_tenant else "off",
        },
        using,
    )
    try:
        yield
    finally:
        _set_database_settings(previous, using)


@contextmanager
def across_workspaces(*, reason: str, using: str = "default"):
    """Work that spans workspaces by design (dispatchers, retention, staff pages, digests,
    links found by their secret token): inside, the database admits every workspace's rows;
    afterwards what was set before is back, also when the work fails. `reason` is for the
    reader; tests/tenancy_guard.py's CROSS_TENANT lists the functions that may do this, and
    its scan fails when one of them queries outside such a block."""
    if not _row_level_security(using):
        yield
        return
    from apps.core import rls

    name = rls.CROSS_TENANT_SETTING
    previous = _database_settings(using).get(name, "")
    _set_database_settings({name: "on"}, using)
    try:
        yield
    finally:
        _set_database_settings({name: previous or "off"}, using)


class DatabaseScopeMiddleware:
    """Every request runs in its own `database_scope`: no workspace until `workspace_view`
    (or the API's) names one. Staff on Django's admin work across workspaces by design
    (the admin lists every workspace's rows): there the scope says so."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not _row_level_security("default"):
            return self.get_response(request)
        scope = database_scope(cross_tenant=_is_staff_admin(request))
        try:
            scope.__enter__()
        except DatabaseError:
            # The database is down: no connection, so nothing to carry over or to see.
            # /healthz still answers (503), and any query of the view fails by itself.
            return self.get_response(request)
        try:
            return self.get_response(request)
        finally:
            scope.__exit__(None, None, None)


def _is_staff_admin(request) -> bool:
    from django.urls import reverse

    user = getattr(request, "user", None)
    return bool(
        user is not None
        and user.is_authenticated
        and user.is_staff
        and request.path.startswith(reverse("admin:index"))
    )


_task_scopes = threading.local()  # a stack per thread: an eager task may run inside another


def task_scope_enter(**kwargs) -> None:
    """Celery's task_prerun: each task (in a worker or eagerly) runs in its own
    `database_scope` and names its workspace with `workspace_for_task`/`owned_for_task`;
    dispatchers across workspaces say so with `across_workspaces`."""
    scope = database_scope()
    scope.__enter__()
    _task_scopes.__dict__.setdefault("stack", []).append(scope)


def task_scope_exit(**kwargs) -> None:
    """Celery's task_postrun (also after a failure): the scope ends."""
    stack = _task_scopes.__dict__.get("stack")
    if stack:
        stack.pop().__exit__(None, None, None)


# --- Views, API, tasks ---------------------------------------------------------------------


def _membership_or_404(user, **workspace_lookup) -> Membership:
    from apps.accounts.models import Membership

    if not user.is_authenticated:
        raise Http404
    database_workspace_set(None, user_id=user.pk)  # one's own memberships, nothing else yet
    try:
        membership = Membership.objects.select_related("workspace").get(
            user=user, **workspace_lookup
        )
    except Membership.DoesNotExist:
        raise Http404 from None
    database_workspace_set(membership.workspace_id, user_id=user.pk)
    return membership


def membership_for(user, workspace_slug: str) -> Membership:
    """The user's membership of the workspace with this slug, or 404."""
    return _membership_or_404(user, workspace__slug=workspace_slug)


def memberships_with(user, workspace_slug: str) -> tuple[Membership, list[Membership]]:
    """The user's membership of the workspace with this slug (or 404) and all their
    memberships with their workspaces, in the workspace switcher's order (by name): one query
    for both, where every full page asked again for the switcher's list."""
    from apps.accounts.models import Membership

    if not user.is_authenticated:
        raise Http404
    database_workspace_set(None, user_id=user.pk)  # one's own memberships, nothing else yet
    memberships = list(
        Membership.objects.filter(user=user).select_related("workspace").order_by("workspace__name")
    )
    membership = next((m for m in memberships if m.workspace.slug == workspace_slug), None)
    if membership is None:
        raise Http404
    database_workspace_set(membership.workspace_id, user_id=user.pk)
    return membership, memberships


def membership_for_workspace_id(user, workspace_id: int) -> Membership:
    """Like membership_for, for flows that carry the workspace's id instead of its slug
    (an OAuth state stored in the session, say)."""
    return _membership_or_404(user, workspace_id=workspace_id)


def require_role(membership: Membership, minimum: str) -> None:
    if not membership.has_role(minimum):
        raise PermissionDenied


def workspace_view(min_role: str = "viewer", *, atomic: bool = True):
    """Decorate a view whose URL carries `workspace_slug`.

    Anonymous users go to the login page; non-members get 404; members below `min_role`
    get 403. The view receives the request with `.workspace` and `.membership` set and
    does not get the slug as an argument.

    `.user_memberships` holds all the user's memberships (the workspace switcher's list),
    read with the membership in one query.

    There is no request-wide transaction (ATOMIC_REQUESTS is off): a tenant view runs in one
    transaction opened here, so its writes land together or not at all, as they did with
    ATOMIC_REQUESTS. A view that calls the network (LinkedIn, the model) says
    `atomic=False` and writes in short blocks of `workspace_atomic(...)`, so nothing is held
    while the other side answers.
    """

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            slug = kwargs.pop(WORKSPACE_URL_KWARG)
            if not request.user.is_authenticated:
                from django.contrib.auth.views import redirect_to_login

                return redirect_to_login(request.get_full_path())
            if not atomic:
                with transaction.atomic():  # only to look the membership up
                    membership, request.user_memberships = memberships_with(request.user, slug)
                require_role(membership, min_role)
                request.membership = membership
                request.workspace = membership.workspace
                return view(request, *args, **kwargs)
            with transaction.atomic():
                membership, request.user_memberships = memberships_with(request.user, slug)
                require_role(membership, min_role)
                request.membership = membership
                request.workspace = membership.workspace
                return view(request, *args, **kwargs)

        wrapper.workspace_scoped = True
        wrapper.min_role = min_role
        wrapper.atomic = atomic
        return wrapper

    return decorator


@contextmanager
def workspace_atomic(workspace_id: int, *, user_id: int | None = None, using: str = "default"):
    """A short transaction for one workspace's writes, outside a request-wide one: views with
    `atomic=False` and tasks between network calls. It names the workspace to the database
    again, so a block is right whatever ran before it in the request or task."""
    with transaction.atomic(using=using):
        database_workspace_set(workspace_id, user_id=user_id, using=using)
        yield


def owned(model: type[M], *, workspace: Workspace) -> models.QuerySet[M]:
    """All rows of a workspace-owned model that belong to this workspace."""
    return model._default_manager.filter(workspace=workspace)


def get_owned_or_404(model_or_queryset, *, workspace: Workspace, **lookups):
    """One row of this workspace, or 404 — whether it is missing or someone else's."""
    queryset = (
        model_or_queryset
        if isinstance(model_or_queryset, models.QuerySet)
        else model_or_queryset._default_manager.all()
    )
    try:
        return queryset.filter(workspace=workspace).get(**lookups)
    except queryset.model.DoesNotExist:
        raise Http404 from None


def workspace_for_task(workspace_id: int) -> Workspace | None:
    """The workspace a task was given, or None when it has been deleted since."""
    from apps.accounts.models import Workspace

    database_workspace_set(workspace_id)
    return Workspace.objects.filter(pk=workspace_id).first()


def owned_for_task(model: type[M], *, workspace_id: int, pk) -> M | None:
    """A task's row, re-scoped to the workspace it was enqueued for; None if gone."""
    database_workspace_set(workspace_id)
    return model._default_manager.filter(workspace_id=workspace_id, pk=pk).first()


class WorkspaceTransaction:
    """DRF's side of `workspace_view`'s transaction: the whole dispatch (authentication, the
    membership, the handler) runs in one, and an error answer rolls it back, as
    ATOMIC_REQUESTS did. A class in a viewset's bases more than once runs once."""

    def dispatch(self, request, *args, **kwargs):
        with transaction.atomic():
            response = super().dispatch(request, *args, **kwargs)
            if getattr(response, "exception", False):
                transaction.set_rollback(True)
            return response


class WorkspaceScopedViewSet(WorkspaceTransaction, viewsets.GenericViewSet):
    """DRF base: resolves the workspace from the URL and scopes `queryset` to it.

    Subclasses set `queryset` (with their select_related) and `serializer_class`. They may
    not override `get_queryset`: that is the scoping, and a class that replaces it is
    refused at import time rather than leaking another tenant's rows.
    """

    write_role = "editor"

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if "get_queryset" in cls.__dict__:
            raise TypeError(
                f"{cls.__name__} overrides get_queryset; WorkspaceScopedViewSet scopes the "
                "queryset itself. Narrow it with `queryset` or `filter_queryset` instead."
            )

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        self.membership = membership_for(request.user, kwargs[WORKSPACE_URL_KWARG])
        self.workspace = self.membership.workspace
        if request.method not in ("GET", "HEAD", "OPTIONS"):
            require_role(self.membership, self.write_role)

    def get_queryset(self):
        return self.queryset.all().filter(workspace=self.workspace)

    def perform_create(self, serializer):
        serializer.save(workspace=self.workspace)
