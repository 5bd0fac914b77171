"""Reads alongside the request's own (apps/core/alongside.py): on PostgreSQL they run on a
second connection, the workspace named to the database there, and their result or error comes
back where it is asked for; elsewhere, or with CONCURRENT_READS off, they run at once in the
caller's connection.

The second connection sees only committed rows, so the tests that use it commit theirs
(transactional databases)."""

import pytest
from django.db import connection, connections

from apps.accounts.tenancy import owned
from apps.accounts.tests.factories import WorkspaceFactory
from apps.core import rls
from apps.core.alongside import alongside
from apps.leads.models import Commenter

COMMITTED = pytest.mark.django_db(transaction=True)


@pytest.fixture
def on_postgresql():
    if connection.vendor != "postgresql":
        pytest.skip("reads run alongside on PostgreSQL only; elsewhere they run at once")


@pytest.fixture
def concurrent_reads(settings, on_postgresql):
    settings.CONCURRENT_READS = True


def backend_pid() -> int:
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def workspace_setting() -> str:
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT coalesce(current_setting(%s, true), '')", [rls.WORKSPACE_SETTING])
        return cursor.fetchone()[0]


@COMMITTED
def test_a_read_alongside_runs_on_another_connection_with_the_workspace_named(
    concurrent_reads, settings
):
    mine = WorkspaceFactory(slug="mine")
    theirs = WorkspaceFactory(slug="theirs")
    Commenter.objects.create(workspace=mine, actor_urn="urn:li:person:mine")
    Commenter.objects.create(workspace=theirs, actor_urn="urn:li:person:theirs")

    def read():
        urns = list(owned(Commenter, workspace=mine).values_list("actor_urn", flat=True))
        return backend_pid(), workspace_setting(), urns

    result = alongside(read, using="default", workspace_id=mine.pk)
    pid, named, urns = result()

    assert pid != backend_pid()
    assert urns == ["urn:li:person:mine"]
    if settings.DATABASE_ROW_LEVEL_SECURITY:
        # Only what the policies let this workspace see: the other one's row never comes.
        assert named == str(mine.pk)
        assert alongside(
            lambda: list(Commenter.objects.values_list("actor_urn", flat=True)),
            using="default",
            workspace_id=mine.pk,
        )() == ["urn:li:person:mine"]


@COMMITTED
def test_a_read_alongside_sees_only_what_is_committed(concurrent_reads):
    from django.db import transaction

    workspace = WorkspaceFactory(slug="committed")
    with transaction.atomic():
        Commenter.objects.create(workspace=workspace, actor_urn="urn:li:person:pending")
        seen = alongside(
            lambda: owned(Commenter, workspace=workspace).count(),
            using="default",
            workspace_id=workspace.pk,
        )()
    assert seen == 0  # not in the caller's transaction: what only may be written is unseen
    assert (
        alongside(
            lambda: owned(Commenter, workspace=workspace).count(),
            using="default",
            workspace_id=workspace.pk,
        )()
        == 1
    )


@COMMITTED
def test_an_error_in_a_read_alongside_is_raised_where_its_result_is_asked(concurrent_reads):
    workspace = WorkspaceFactory(slug="failing")

    def read():
        raise LookupError("no such figure")

    result = alongside(read, using="default", workspace_id=workspace.pk)
    with pytest.raises(LookupError, match="no such figure"):
        result()
    # The thread and its connection are fine for the next read.
    assert alongside(lambda: 42, using="default", workspace_id=workspace.pk)() == 42


@pytest.mark.django_db
def test_where_reads_do_not_run_alongside_a_read_runs_at_once_in_the_callers_connection(
    settings,
):
    # With CONCURRENT_READS off; on SQLite even with it on.
    settings.CONCURRENT_READS = connection.vendor == "sqlite"
    workspace = WorkspaceFactory(slug="inline")
    calls = []

    def read():
        calls.append(connections["default"].connection)
        return owned(Commenter, workspace=workspace).count()

    Commenter.objects.create(workspace=workspace, actor_urn="urn:li:person:uncommitted")
    result = alongside(read, using="default", workspace_id=workspace.pk)
    assert calls == [connections["default"].connection]  # already run, here
    assert result() == 1  # and it sees this test's uncommitted row
