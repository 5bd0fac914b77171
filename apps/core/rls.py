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

from dataclasses import dataclass

from django.conf import settings
from django.db import connections

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
    """Enable, force and (re)create the policy on every table with a workspace column.
    Idempotent. Returns the tables, or [] on a database without row-level security."""
    if not is_postgresql(using):
        return []
    tables = policy_tables()
    with connections[using].cursor() as cursor:
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
