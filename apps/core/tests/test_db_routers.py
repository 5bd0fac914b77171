"""The read replica: reads go there only under `reads_from_replica`, writes never do.

In tests "replica" is a mirror of default (techlead/settings/test.py): the same database
through a second connection, so a query's connection shows where it was sent. A mirror sees
only committed rows, so tests that query through it use transactional databases.
"""

import csv
import io

import pytest
from django.db import connections
from django.test.utils import CaptureQueriesContext

from apps.accounts.models import Workspace
from apps.analytics.tests.test_dashboard import history  # noqa: F401 - a fixture
from apps.core.db_routers import ReplicaRouter, reads_from_replica

REPLICA_DB = pytest.mark.django_db(transaction=True, databases=["default", "replica"])


@pytest.fixture
def replica(settings):
    settings.REPLICA_DATABASE = "replica"
    return "replica"


def test_reads_inside_the_block_go_to_the_replica_and_outside_to_default(replica):
    router = ReplicaRouter()
    assert Workspace.objects.all().db == "default"
    with reads_from_replica():
        assert Workspace.objects.all().db == "replica"
        assert router.db_for_read(Workspace) == "replica"
        assert router.db_for_write(Workspace) == "default"
    assert Workspace.objects.all().db == "default"
    assert router.db_for_read(Workspace) is None


def test_without_a_replica_the_block_changes_nothing(settings):
    settings.REPLICA_DATABASE = None
    with reads_from_replica():
        assert Workspace.objects.all().db == "default"


def test_the_replica_is_never_migrated(replica):
    router = ReplicaRouter()
    assert router.allow_migrate("replica", "accounts") is False
    assert router.allow_migrate("default", "accounts") is None


@REPLICA_DB
def test_queries_in_the_block_run_on_the_replica_and_writes_on_default(replica):
    with (
        CaptureQueriesContext(connections["default"]) as on_default,
        CaptureQueriesContext(connections["replica"]) as on_replica,
        reads_from_replica(),
    ):
        Workspace.objects.create(name="Written", slug="written")
        names = list(Workspace.objects.values_list("name", flat=True))

    assert names == ["Written"]
    assert any("INSERT" in q["sql"] for q in on_default.captured_queries)
    assert not any("INSERT" in q["sql"] for q in on_replica.captured_queries)
    assert [q for q in on_replica.captured_queries if "SELECT" in q["sql"]]
    assert not [q for q in on_default.captured_queries if q["sql"].startswith("SELECT")]


def workspace_tables(queries) -> set[str]:
    tables = ("content_post", "leads_lead", "accounts_membership")
    return {t for q in queries for t in tables if t in q["sql"]}


@REPLICA_DB
def test_the_dashboard_reads_its_figures_from_the_replica(alice_client, history, replica):  # noqa: F811
    with (
        CaptureQueriesContext(connections["default"]) as on_default,
        CaptureQueriesContext(connections["replica"]) as on_replica,
    ):
        response = alice_client.get("/w/alice-co/?days=30")

    assert response.status_code == 200
    assert 'data-figure="impressions">4,000<' in response.text
    # Posts and leads come from the replica; the membership check stays on default.
    assert {"content_post", "leads_lead"} <= workspace_tables(on_replica.captured_queries)
    assert "content_post" not in workspace_tables(on_default.captured_queries)
    assert "accounts_membership" in workspace_tables(on_default.captured_queries)


@REPLICA_DB
def test_a_csv_export_streams_its_rows_from_the_replica(alice_client, history, replica):  # noqa: F811
    response = alice_client.get("/w/alice-co/analytics/export/posts.csv")
    assert response.status_code == 200
    # The rows are read while the body streams, after the view has returned.
    with (
        CaptureQueriesContext(connections["default"]) as on_default,
        CaptureQueriesContext(connections["replica"]) as on_replica,
    ):
        body = b"".join(response.streaming_content).decode()

    assert len(list(csv.reader(io.StringIO(body)))) == 1 + 4
    assert "content_post" in workspace_tables(on_replica.captured_queries)
    assert not on_default.captured_queries
    # Streaming done, the flag did not leak: reads are back on default.
    assert Workspace.objects.all().db == "default"
