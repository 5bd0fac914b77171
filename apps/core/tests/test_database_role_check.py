"""Row-level security only holds the app's own connection if that connection is not a
superuser's, has no BYPASSRLS and owns none of the policy tables (apps/core/rls.py). When it
is, nothing fails: every query answers, with every workspace's rows. So the app says so where
operators look: /healthz's details, the staff overview and the staff publishing-health page,
and an error in the log when a web or worker process starts.

PostgreSQL only (SQLite has no roles): each test takes the role it is about with SET LOCAL
ROLE inside its transaction, as if the app had signed in as it."""

import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection
from django.urls import reverse

from apps.accounts.tests.factories import UserFactory
from apps.core import rls
from apps.core.selectors import database_role_warning
from conftest import service_required

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[3]
WARNING = 'data-warning="row-level-security"'


@pytest.fixture(autouse=True)
def _postgresql():
    if connection.vendor != "postgresql":
        # Skipped on SQLite; in CI (REQUIRE_SERVICES=1, PostgreSQL) it must run.
        service_required("PostgreSQL", "database roles and row-level security need it")


@pytest.fixture
def row_level_security(settings, table_owner):
    """Row-level security on, and for now the suite's login role: a superuser that owns the
    tables, as a test database's creator does. `connect_as` takes another role for the rest
    of the test's transaction."""
    settings.DATABASE_ROW_LEVEL_SECURITY = True
    rls.ensure_app_role()
    yield
    with connection.cursor() as cursor:
        cursor.execute("RESET ROLE")


def connect_as(role: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"SET LOCAL ROLE {connection.ops.quote_name(role)}")


def make_role(attributes: str = "NOLOGIN") -> str:
    """A role of this test's own, member of the app's role (so it may read and write the
    rows), gone with the test's transaction. Roles belong to the whole cluster: the name is
    this process's own, so a test run on another database at the same time never meets it."""
    name = f"rls_check_{os.getpid()}"
    quoted = connection.ops.quote_name(name)
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE ROLE {quoted} {attributes}")
        cursor.execute(f"GRANT {connection.ops.quote_name(rls.app_role())} TO {quoted}")
    return name


@pytest.fixture
def staff_client(client):
    client.force_login(UserFactory(email="ops@example.com", is_staff=True))
    return client


def test_the_apps_own_role_is_bound_and_nothing_is_reported(row_level_security, staff_client):
    connect_as(rls.app_role())

    role = rls.connected_role()

    assert (role.name, role.superuser, role.bypassrls) == (rls.app_role(), False, False)
    assert role.owned_tables == role.unprotected_tables == ()
    assert role.tables == len(rls.policy_tables())
    assert role.problems() == []
    assert staff_client.get("/healthz").json()["warnings"] == {}
    assert WARNING not in staff_client.get(reverse("staff_overview")).content.decode()
    assert WARNING not in staff_client.get(reverse("staff_health")).content.decode()


def test_the_tables_owner_as_superuser_is_reported_where_operators_look(
    row_level_security, staff_client
):
    role = rls.connected_role()  # the suite's login role: superuser, owner of every table
    overview = staff_client.get(reverse("staff_overview")).content.decode()
    health = staff_client.get(reverse("staff_health")).content.decode()
    details = staff_client.get("/healthz").json()

    assert role.superuser
    assert [p for p in role.problems() if "a superuser" in p] == [
        f"The app connects as {role.name}, a superuser: row-level security never binds one."
    ]
    warning = details["warnings"]["row_level_security"]
    assert f"{role.name}, a superuser" in warning
    assert f"Point DATABASE_URL at the app's own role ({rls.app_role()}" in warning
    for page in (overview, health):
        assert WARNING in page
        assert "Workspaces are not separated in the database." in page
        assert f"{role.name}, a superuser" in page


def test_a_warning_leaves_the_health_status_to_the_checks(row_level_security, client):
    """A load balancer taking every web node out would turn the warning into an outage; an
    anonymous caller learns nothing of it."""
    from apps.core.tasks import record_heartbeat

    record_heartbeat()
    response = client.get("/healthz")

    assert (response.status_code, response.json()) == (200, {"status": "ok"})


def test_a_role_that_owns_a_policy_table_is_reported(row_level_security):
    owner = make_role()
    with connection.cursor() as cursor:
        cursor.execute(f"ALTER TABLE content_post OWNER TO {connection.ops.quote_name(owner)}")
    connect_as(owner)

    role = rls.connected_role()

    assert (role.name, role.superuser, role.bypassrls) == (owner, False, False)
    assert role.owned_tables == ("content_post",)
    total = len(rls.policy_tables())
    assert role.problems() == [
        f"The app connects as {owner}, which owns 1 of the {total} tables with a workspace policy "
        "and may switch its row-level security off."
    ]


def test_a_role_with_bypassrls_is_reported(row_level_security):
    bypasser = make_role("NOLOGIN BYPASSRLS")
    connect_as(bypasser)

    assert rls.role_problems() == [
        f"The app connects as {bypasser}, which has BYPASSRLS: row-level security never binds it."
    ]
    assert database_role_warning().problems == rls.role_problems()


def test_a_table_whose_policy_is_not_forced_is_reported_even_for_the_apps_role(
    row_level_security,
):
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE content_post NO FORCE ROW LEVEL SECURITY")
    connect_as(rls.app_role())

    assert rls.role_problems() == [
        "1 table with a workspace column has no forced policy (content_post): run manage.py "
        "migrate and manage.py rls_setup."
    ]


def test_the_warning_speaks_german(row_level_security, staff_client):
    staff_client.cookies["django_language"] = "de"

    warning = staff_client.get("/healthz", HTTP_ACCEPT_LANGUAGE="de").json()["warnings"]

    assert "ein Superuser" in warning["row_level_security"]


def test_nothing_is_checked_with_row_level_security_off(settings, table_owner):
    """Off: a deployment still connecting as the owner on purpose (deploy/README.md)."""
    settings.DATABASE_ROW_LEVEL_SECURITY = False

    assert rls.connected_role() is None
    assert database_role_warning() is None


def test_a_process_start_logs_an_error_as_the_superuser_and_nothing_as_the_app(
    row_level_security, caplog
):
    with caplog.at_level(logging.WARNING, logger="apps.core.rls"):
        rls.log_role_problems("celery worker")
        connect_as(rls.app_role())
        rls.log_role_problems("celery beat")

    assert [(r.levelname, r.getMessage().split(":")[0]) for r in caplog.records] == [
        ("ERROR", "celery worker")
    ]
    assert rls.UNBOUND in caplog.records[0].getMessage()
    assert "a superuser" in caplog.records[0].getMessage()


def test_a_web_process_started_as_the_superuser_says_so_in_its_log(db):
    """techlead/wsgi.py as gunicorn imports it, connected to the test database as the suite's
    superuser with row-level security on: the error is in the process's own log."""
    from tests.reliability.processes import database_url

    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "techlead.settings.test",
        "DATABASE_URL": database_url(connection.settings_dict),
        "DATABASE_ROW_LEVEL_SECURITY": "1",
    }
    env.pop("DATABASE_AS_OWNER", None)
    result = subprocess.run(
        [sys.executable, "-c", "import techlead.wsgi"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 0, result.stderr
    assert f"web (WSGI): its database connection is {rls.UNBOUND}" in result.stderr
    assert "a superuser" in result.stderr
