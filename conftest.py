"""Fixtures shared by every app's tests: two workspaces, Alice's and Charlie's.

Alice owns "alice-co" with Bob as an editor; Charlie owns "charlie-co". Charlie should have
no access to Alice's stuff, and every view module has a test that says so.
"""

import os
import shutil

import pytest

from apps.accounts.models import Role


def service_required(what: str, reason: str):
    """Skip a test whose service is missing — unless CI demands everything (REQUIRE_SERVICES=1),
    in which case a missing service fails the run instead of silently skipping."""
    if os.environ.get("REQUIRE_SERVICES") == "1":
        pytest.fail(f"{what} is required in CI but unavailable: {reason}")
    pytest.skip(f"{what} unavailable: {reason}")


CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")


@pytest.fixture
def chromium_path():
    if not (os.path.exists(CHROMIUM) or shutil.which("chromium")):
        service_required("Chromium", f"{CHROMIUM} not found (apt-get install chromium)")
    return CHROMIUM if os.path.exists(CHROMIUM) else shutil.which("chromium")


@pytest.fixture(scope="session", autouse=True)
def _live_server_answers_one_request_at_a_time_on_sqlite():
    """On SQLite the live server hands the test's one in-memory connection to every request
    thread, so two requests at once (a page and its manifest) interleave their savepoints on
    it and fail ("no such savepoint"). There the server answers one request at a time, which
    a browser's parallel fetches only wait for; PostgreSQL keeps the threaded server."""
    from django.core.servers.basehttp import WSGIServer
    from django.db import connection
    from django.test.testcases import LiveServerThread

    if connection.vendor != "sqlite":
        yield
        return

    class SerialWSGIServer(WSGIServer):
        # Django closes each response's connection on a server without threads, so a
        # browser's keep-alive connections cannot hold it.
        def __init__(self, *args, connections_override=None, **kwargs):
            super().__init__(*args, **kwargs)

    threaded = LiveServerThread.server_class
    LiveServerThread.server_class = SerialWSGIServer
    yield
    LiveServerThread.server_class = threaded


def row_level_security_in_tests() -> bool:
    from django.conf import settings
    from django.db import connection

    return bool(settings.DATABASE_ROW_LEVEL_SECURITY) and connection.vendor == "postgresql"


def _connect_as_app_role(sender, connection, **kwargs):
    """Every connection of the suite, once the test database exists: the app's role, which
    owns no table and is bound by the policies, as in production. Test code itself (fixtures,
    factories, assertions) works across workspaces by default; each request (the test
    client's, the live server's) and each task runs as the app does, in a `database_scope`
    that names no workspace until tenancy does and restores this default afterwards."""
    from apps.core import rls

    if connection.vendor != "postgresql":
        return
    role = connection.ops.quote_name(rls.app_role())
    connection.connection.execute(f"SET ROLE {role}")
    connection.connection.execute("SELECT set_config(%s, 'on', false)", [rls.CROSS_TENANT_SETTING])


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """pytest-django's test database; with DATABASE_ROW_LEVEL_SECURITY on PostgreSQL the suite
    then connects as the app's role (made here as in deploy/: `rls_setup`). Before the
    database is dropped, our connection pools are closed: PostgreSQL refuses to drop a
    database that the pool's idle connections still hold."""
    from django.db import connections
    from django.db.backends.signals import connection_created

    as_app_role = row_level_security_in_tests()
    if as_app_role:
        from django.core.management import call_command

        from apps.core import rls

        with django_db_blocker.unblock():
            call_command("rls_setup", verbosity=0)
            with connections["default"].cursor() as cursor:
                # Tests only: TransactionTestCase and live-server tests empty the tables
                # after each test with TRUNCATE, and reset_sequences sets sequences back
                # (setval: UPDATE), neither of which the app itself ever needs.
                role = connections["default"].ops.quote_name(rls.app_role())
                cursor.execute(f"GRANT TRUNCATE ON ALL TABLES IN SCHEMA public TO {role}")
                cursor.execute(f"GRANT UPDATE ON ALL SEQUENCES IN SCHEMA public TO {role}")
            for connection in connections.all(initialized_only=True):
                connection.close()
        connection_created.connect(_connect_as_app_role, dispatch_uid="tests.app_role")
    yield
    if as_app_role:
        connection_created.disconnect(dispatch_uid="tests.app_role")
    for connection in connections.all(initialized_only=True):
        if getattr(connection, "pool", None) is not None:
            connection.close_pool()
        else:
            connection.close()


@pytest.fixture
def first_wall_only(settings):
    """For tests of the guards that catch a query which forgets its workspace (planted
    leaky views): the database's second wall lowered, so the leak they must notice happens.
    Row-level security then does nothing, and test code sees every workspace as usual."""
    settings.DATABASE_ROW_LEVEL_SECURITY = False


@pytest.fixture
def table_owner(db):
    """For the rest of the test, the role that owns the tables (to create or alter one, or
    manage roles); afterwards the suite's own role again."""
    from django.db import connection

    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user")
        role = cursor.fetchone()[0]
        cursor.execute("RESET ROLE")
    yield
    with connection.cursor() as cursor:
        cursor.execute(f"SET ROLE {connection.ops.quote_name(role)}")


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache: cached pages and throttles never leak between
    tests (SQLite reuses primary keys after a rollback, so keys could repeat)."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in the default language: a test that renders German (or a request
    whose middleware activated it) leaves the thread's language set, and the next test's
    services would speak German."""
    from django.utils import translation

    translation.deactivate()
    yield
    translation.deactivate()


def open_transaction() -> bool:
    """True inside a transaction the code opened (not the one a test case wraps itself in)."""
    from django.db import connections

    return any(
        not getattr(block, "_from_testcase", False)
        for connection in connections.all(initialized_only=True)
        for block in connection.atomic_blocks
    )


@pytest.fixture(autouse=True)
def _no_network_call_inside_a_transaction(monkeypatch):
    """A LinkedIn or language-model call made inside an open transaction fails the test: it
    would hold a database connection and its locks (on SQLite: every writer) for as long as
    the other side takes to answer."""
    from apps.content.llm import LLMClient
    from apps.linkedin.client import LinkedInClient

    def guarded(original, what):
        def call(*args, **kwargs):
            if open_transaction():
                pytest.fail(f"{what} called inside an open database transaction")
            return original(*args, **kwargs)

        return call

    monkeypatch.setattr(LinkedInClient, "_send", guarded(LinkedInClient._send, "LinkedIn"))
    monkeypatch.setattr(
        LinkedInClient,
        "_token_endpoint",
        guarded(LinkedInClient._token_endpoint, "LinkedIn's token endpoint"),
    )
    monkeypatch.setattr(LLMClient, "chat", guarded(LLMClient.chat, "The language model"))


@pytest.fixture(autouse=True)
def _a_worker_takes_recorded_events(monkeypatch):
    """Recorded events and first comments are enqueued after commit; here a worker takes
    them at once (the task runs inline), so on-commit callbacks a test executes deliver them.
    A test of a lost task patches `delay` again to drop the message."""
    from apps.content import publishing
    from apps.content import tasks as content_tasks
    from apps.notifications import outbox
    from apps.notifications import tasks as notification_tasks

    monkeypatch.setattr(
        notification_tasks.dispatch_event,
        "delay",
        lambda pk, ws: outbox.dispatch(event_id=pk, workspace_id=ws),
    )
    monkeypatch.setattr(
        content_tasks.post_first_comment,
        "delay",
        lambda pk, ws: publishing.post_first_comment(step_id=pk, workspace_id=ws),
    )


@pytest.fixture
def deliver_events(db):
    """What a worker does with recorded events (apps/notifications/outbox.py): deliver every
    pending one now. Returns each dispatch's outcome."""

    def run() -> list[str]:
        from apps.notifications import outbox
        from apps.notifications.models import OutboxEvent

        pending = OutboxEvent.objects.filter(status=OutboxEvent.Status.PENDING).order_by("pk")
        return [
            outbox.dispatch(event_id=pk, workspace_id=ws)
            for pk, ws in pending.values_list("pk", "workspace_id")
        ]

    return run


@pytest.fixture
def alice(db):
    from apps.accounts.tests.factories import UserFactory

    return UserFactory(email="alice@example.com", full_name="Alice Archer")


@pytest.fixture
def bob(db):
    from apps.accounts.tests.factories import UserFactory

    return UserFactory(email="bob@example.com", full_name="Bob Builder")


@pytest.fixture
def charlie(db):
    from apps.accounts.tests.factories import UserFactory

    return UserFactory(email="charlie@example.com", full_name="Charlie Chaplin")


@pytest.fixture
def alice_workspace(alice, bob):
    from apps.accounts.tests.factories import (
        ExpertiseProfileFactory,
        MembershipFactory,
        WorkspaceFactory,
    )

    workspace = WorkspaceFactory(name="Alice Co", slug="alice-co", timezone="Europe/Berlin")
    MembershipFactory(workspace=workspace, user=alice, role=Role.OWNER)
    MembershipFactory(workspace=workspace, user=bob, role=Role.EDITOR)
    ExpertiseProfileFactory(workspace=workspace, user=alice)
    return workspace


@pytest.fixture
def charlie_workspace(charlie):
    from apps.accounts.tests.factories import MembershipFactory, WorkspaceFactory

    workspace = WorkspaceFactory(name="Charlie Co", slug="charlie-co")
    MembershipFactory(workspace=workspace, user=charlie, role=Role.OWNER)
    return workspace


@pytest.fixture
def alice_client(client, alice, alice_workspace):
    client.force_login(alice)
    return client


@pytest.fixture
def bob_client(client, bob, alice_workspace):
    client.force_login(bob)
    return client


@pytest.fixture
def charlie_client(client, charlie, charlie_workspace, alice_workspace):
    client.force_login(charlie)
    return client


def pytest_sessionfinish(session, exitstatus):
    """In CI (REQUIRE_SERVICES=1) a skipped test is a failure: everything must really run."""
    if os.environ.get("REQUIRE_SERVICES") != "1":
        return
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = reporter.stats.get("skipped", []) if reporter else []
    if skipped:
        reporter.write_line(f"REQUIRE_SERVICES=1 but {len(skipped)} test(s) skipped", red=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
