"""Row-level security on PostgreSQL: the database's own wall between workspaces.

The first wall is apps/accounts/tenancy.py, through which every query of the app is scoped.
This is the second: every table with a workspace column gets a policy that admits only rows
of the workspace named by the transaction-local setting `app.workspace_id`, set by tenancy.py
(never anywhere else). A query that forgets its filter then sees nothing of anybody else's,
instead of everything.

    USING / WITH CHECK (
        workspace_id = current_setting('app.workspace_id')   -- the current workspace
        OR current_setting('app.cross_tenant') = 'on'        -- work across workspaces by design
        [OR workspace_id IS NULL]                            -- nullable columns: shared rows
        [OR user_id = current_setting('app.user_id')]        -- memberships: one's own
    )

With no workspace set, nothing is visible. Policies are FORCEd, so they bind the tables'
owner too; a superuser or a role with BYPASSRLS is never bound, which is why the app must
connect as its own role (APP_ROLE, see deploy/README.md): one that owns no tables, is not a
superuser and cannot bypass row-level security. Migrations and staff tools keep the owning
role.

The tables are found from the app registry, so a model added later is covered: the policies
are (re)applied after every `migrate` (CoreConfig.ready connects `apply_after_migrate`) and by
`manage.py rls_setup`, which also creates and grants the app's role. SQLite has no
row-level security; there all of this does nothing.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.conf import settings
from django.db import connections
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

logger = logging.getLogger(__name__)

POLICY = "workspace_isolation"
WORKSPACE_SETTING = "app.workspace_id"
USER_SETTING = "app.user_id"
CROSS_TENANT_SETTING = "app.cross_tenant"
SESSION_SETTINGS = (WORKSPACE_SETTING, USER_SETTING, CROSS_TENANT_SETTING)


@dataclass(frozen=True)
class PolicyTable:
    table: str
    column: str  # the workspace column, e.g. "workspace_id"
    nullable: bool
    user_column: str | None  # memberships: a user may see their own in every workspace


def policy_tables() -> list[PolicyTable]:
    """Every table with a workspace column, in a stable order."""
    from apps.accounts.data_rights import workspace_tables
    from apps.accounts.models import Membership

    tables = []
    for entry in workspace_tables():
        model = entry.model
        if not model._meta.managed or model._meta.proxy:
            continue
        field = model._meta.get_field(entry.workspace_field)
        tables.append(
            PolicyTable(
                table=model._meta.db_table,
                column=field.column,
                nullable=field.null,
                user_column="user_id" if model is Membership else None,
            )
        )
    return sorted(tables, key=lambda t: t.table)


def _setting_id(name: str) -> str:
    return f"NULLIF(current_setting('{name}', true), '')::bigint"


def policy_condition(table: PolicyTable) -> str:
    parts = [
        f"{table.column} = {_setting_id(WORKSPACE_SETTING)}",
        f"current_setting('{CROSS_TENANT_SETTING}', true) = 'on'",
    ]
    if table.nullable:
        parts.append(f"{table.column} IS NULL")
    if table.user_column:
        parts.append(f"{table.user_column} = {_setting_id(USER_SETTING)}")
    return " OR ".join(f"({part})" for part in parts)


def policy_statements(table: PolicyTable) -> list[str]:
    name = f'"{table.table}"'
    condition = policy_condition(table)
    return [
        f"ALTER TABLE {name} ENABLE ROW LEVEL SECURITY",
        f"ALTER TABLE {name} FORCE ROW LEVEL SECURITY",
        f"DROP POLICY IF EXISTS {POLICY} ON {name}",
        f"CREATE POLICY {POLICY} ON {name} USING ({condition}) WITH CHECK ({condition})",
    ]


def is_postgresql(using: str = "default") -> bool:
    return connections[using].vendor == "postgresql"


def apply_policies(using: str = "default") -> list[str]:
    """Enable, force and (re)create the policy on every table with a workspace column that
    the database has (a migrate to an earlier state, `migrate leads 0014`, has not made the
    later apps' tables; they get theirs with the migrate that makes them). Idempotent. Returns
    the tables, or [] on a database without row-level security."""
    if not is_postgresql(using):
        return []
    connection = connections[using]
    with connection.cursor() as cursor:
        made = set(connection.introspection.table_names(cursor))
        tables = [table for table in policy_tables() if table.table in made]
        for table in tables:
            for statement in policy_statements(table):
                cursor.execute(statement)
    return [table.table for table in tables]


def app_role() -> str:
    return settings.DATABASE_APP_ROLE


def ensure_app_role(using: str = "default", *, role: str | None = None) -> str:
    """Create the app's role if missing (NOLOGIN: deployments give it LOGIN and a password,
    or connect as another login role that is a member of it), make sure it is neither a
    superuser nor able to bypass row-level security, and grant it the rows of every table,
    but no ownership. Needs a role allowed to create roles (the migrations' role)."""
    role = role or app_role()
    connection = connections[using]
    quoted = connection.ops.quote_name(role)
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role])
        if cursor.fetchone() is None:
            cursor.execute(f"CREATE ROLE {quoted} NOLOGIN")
        cursor.execute(f"ALTER ROLE {quoted} NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE")
        cursor.execute("SELECT current_schema()")
        schema = connection.ops.quote_name(cursor.fetchone()[0])
        cursor.execute(f"GRANT USAGE ON SCHEMA {schema} TO {quoted}")
        cursor.execute(
            f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {schema} TO {quoted}"
        )
        cursor.execute(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {schema} TO {quoted}")
        cursor.execute(
            f"ALTER DEFAULT PRIVILEGES IN SCHEMA {schema} "
            f"GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {quoted}"
        )
        cursor.execute(
            f"ALTER DEFAULT PRIVILEGES IN SCHEMA {schema} "
            f"GRANT USAGE, SELECT ON SEQUENCES TO {quoted}"
        )
    return role


def apply_after_migrate(sender, using="default", **kwargs) -> None:
    """post_migrate: a new table with a workspace column gets its policy with its migration.
    Runs once per migrate (for the core app), not once per app. `flush` sends post_migrate
    too, without a plan; it changes no table, and the role that flushes (the test suite's
    app role) may not alter them."""
    if sender.label != "core" or not is_postgresql(using) or "plan" not in kwargs:
        return
    apply_policies(using)


def migrations_across_workspaces(sender, using="default", **kwargs) -> None:
    """pre_migrate: data migrations work on every workspace's rows by design, and the forced
    policies bind the tables' owner too, so `migrate` runs with cross-tenant work on for the
    rest of its session (a separate process: manage.py migrate, see deploy/README.md)."""
    if sender.label != "core" or not is_postgresql(using):
        return
    with connections[using].cursor() as cursor:
        cursor.execute("SELECT set_config(%s, 'on', false)", [CROSS_TENANT_SETTING])


# --- Is the app's own connection bound by the policies? -----------------------------------
# Everything above is silently void when DATABASE_URL names a superuser or a role with
# BYPASSRLS (never bound), and weak when it names the tables' owner (bound only while the
# policies stay FORCEd, which the owner may undo). Nothing in the app fails then: every
# query still answers, with every workspace's rows. So the operator is told where they look
# (/healthz's details, the staff overview and publishing health pages) and in the log when a
# web or worker process starts. Not a Django system check: `check --deploy` runs without a
# database in its own right (CI runs it against a superuser URL), and the role it would see
# there is the command's, not the app's.

UNBOUND = "not bound by row-level security"  # in the log line, for whoever greps for it

_ROLE_QUERY = """
SELECT r.rolname, r.rolsuper, r.rolbypassrls,
    COALESCE(array_agg(c.relname ORDER BY c.relname)
        FILTER (WHERE pg_has_role(r.oid, c.relowner, 'MEMBER')), '{}'),
    COALESCE(array_agg(c.relname ORDER BY c.relname)
        FILTER (WHERE NOT (c.relrowsecurity AND c.relforcerowsecurity) OR p.oid IS NULL), '{}'),
    count(c.oid)
FROM pg_roles r
LEFT JOIN pg_class c
    ON c.relname = ANY(%s) AND c.relnamespace = current_schema()::regnamespace
LEFT JOIN pg_policy p ON p.polrelid = c.oid AND p.polname = %s
WHERE r.rolname = current_user
GROUP BY r.rolname, r.rolsuper, r.rolbypassrls
"""


@dataclass(frozen=True)
class ConnectedRole:
    """The role a database connection runs as (current_user), as row-level security sees it."""

    name: str
    superuser: bool
    bypassrls: bool
    owned_tables: tuple[str, ...]  # policy tables it owns, or may act as the owner of
    unprotected_tables: tuple[str, ...]  # tables with a workspace column but no forced policy
    tables: int  # policy tables found in the database

    @property
    def bound(self) -> bool:
        return not self.problems()

    def problems(self) -> list[str]:
        """Why the policies do not hold this connection, one sentence each, in the active
        language; [] when they do."""
        problems = []
        if self.superuser:
            problems.append(
                _("The app connects as %(role)s, a superuser: row-level security never binds one.")
                % {"role": self.name}
            )
        elif self.bypassrls:  # a superuser has it too (PostgreSQL's own does): said once
            problems.append(
                _(
                    "The app connects as %(role)s, which has BYPASSRLS: row-level security never "
                    "binds it."
                )
                % {"role": self.name}
            )
        if self.owned_tables and not self.superuser:
            problems.append(
                ngettext(
                    "The app connects as %(role)s, which owns %(count)d of the %(total)d tables "
                    "with a workspace policy and may switch its row-level security off.",
                    "The app connects as %(role)s, which owns %(count)d of the %(total)d tables "
                    "with a workspace policy and may switch their row-level security off.",
                    len(self.owned_tables),
                )
                % {"role": self.name, "count": len(self.owned_tables), "total": self.tables}
            )
        if self.unprotected_tables:
            problems.append(
                ngettext(
                    "%(count)d table with a workspace column has no forced policy (%(tables)s): "
                    "run manage.py migrate and manage.py rls_setup.",
                    "%(count)d tables with a workspace column have no forced policy "
                    "(%(tables)s): run manage.py migrate and manage.py rls_setup.",
                    len(self.unprotected_tables),
                )
                % {
                    "count": len(self.unprotected_tables),
                    "tables": ", ".join(self.unprotected_tables),
                }
            )
        return problems


def connected_role(using: str = "default") -> ConnectedRole | None:
    """The connection's role and what it may bypass, in one query; None where row-level
    security is not in use (SQLite, or DATABASE_ROW_LEVEL_SECURITY off: a deployment still
    connecting as the owner on purpose, deploy/README.md)."""
    if not (settings.DATABASE_ROW_LEVEL_SECURITY and is_postgresql(using)):
        return None
    names = [table.table for table in policy_tables()]
    with connections[using].cursor() as cursor:
        cursor.execute(_ROLE_QUERY, [names, POLICY])
        name, superuser, bypassrls, owned, unprotected, tables = cursor.fetchone()
    return ConnectedRole(name, superuser, bypassrls, tuple(owned), tuple(unprotected), tables)


def role_problems(using: str = "default") -> list[str]:
    """What `connected_role` finds wrong, as sentences for an operator; [] when all is well
    or row-level security is not in use."""
    role = connected_role(using)
    return role.problems() if role else []


def advice() -> str:
    return _(
        "Point DATABASE_URL at the app's own role (%(role)s: owns no table, no superuser, "
        "no BYPASSRLS) and keep the owner's URL in DATABASE_OWNER_URL for migrate and "
        "rls_setup (deploy/README.md, “Row-level security”)."
    ) % {"role": app_role()}


def log_role_problems(process: str, using: str = "default") -> list[str]:
    """At a web or worker process's start: an error in the log when its connection is not
    bound by the policies. A database that does not answer yet is no reason to stop the
    process (it retries as usual); it is logged and the check is left to /healthz."""
    try:
        problems = role_problems(using)
    except Exception as error:  # a start-up check reports, it does not stop the process
        logger.warning(
            "Could not check the database role of %s for row-level security: %s", process, error
        )
        return []
    if problems:
        logger.error(
            "%s: its database connection is %s. %s %s",
            process,
            UNBOUND,
            " ".join(problems),
            advice(),
            extra={"rls_problems": problems},
        )
    return problems
