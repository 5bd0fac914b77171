"""statement_cursor: on PostgreSQL each statement is prepared once per connection (and Django
still sees and logs it); on SQLite it is the usual cursor."""

import pytest
from django.db import connection
from django.db.utils import ConnectionHandler
from django.test.utils import CaptureQueriesContext

from apps.core.bulk import insert_returning
from apps.core.prepared import statement_cursor
from apps.leads.models import Commenter

pytestmark = pytest.mark.django_db

on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="protocol-level prepared statements"
)

PROBE = "SELECT CAST(%s AS integer) + 1 AS prepared_probe"


def prepared_like(pattern: str) -> list[tuple[str, bool]]:
    """The statements prepared on this connection whose SQL matches `pattern`."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT statement, from_sql FROM pg_prepared_statements WHERE statement LIKE %s",
            [pattern],
        )
        return cursor.fetchall()


@on_postgresql
def test_a_statement_run_twice_is_prepared_once_on_the_connection():
    answers = []
    for value in (1, 2):
        with statement_cursor(connection) as cursor:
            cursor.execute(PROBE, [value])
            answers.append(cursor.fetchone()[0])

    assert answers == [2, 3]
    prepared = prepared_like("%prepared_probe%")
    assert len(prepared) == 1
    statement, from_sql = prepared[0]
    assert "$1" in statement  # the value travels apart from the text
    assert from_sql is False  # prepared by the protocol, not by a PREPARE statement


@on_postgresql
def test_the_usual_cursor_still_binds_on_the_client_and_prepares_nothing():
    with statement_cursor(connection) as cursor:
        cursor.execute(PROBE, [1])

    with connection.cursor() as cursor:
        cursor.execute("SELECT CAST(%s AS integer) AS not_prepared_probe", [5])
        assert cursor.fetchone() == (5,)

    assert prepared_like("%not_prepared_probe%") == []


@on_postgresql
def test_a_batch_insert_is_prepared_once_whatever_the_batch_size(alice_workspace):
    for batch, size in enumerate((1, 3, 7)):
        insert_returning(
            Commenter,
            [
                Commenter(workspace=alice_workspace, actor_urn=f"urn:li:person:b{batch}-{n}")
                for n in range(size)
            ],
            unique_fields=["workspace", "actor_urn"],
            returning=["id"],
        )

    assert len(prepared_like('INSERT INTO "leads_commenter"%')) == 1
    assert Commenter.objects.filter(workspace=alice_workspace).count() == 11


def test_prepared_statements_are_logged_and_counted_as_any_other():
    with CaptureQueriesContext(connection) as captured, statement_cursor(connection) as cursor:
        cursor.execute(PROBE, [41])
        assert cursor.fetchone() == (42,)

    assert len(captured.captured_queries) == 1
    assert "prepared_probe" in captured.captured_queries[0]["sql"]


def test_the_answers_are_those_of_the_usual_cursor(alice_workspace):
    Commenter.objects.create(workspace=alice_workspace, actor_urn="urn:li:person:x", name="X")
    sql = "SELECT actor_urn, name FROM leads_commenter WHERE workspace_id = %s"

    with statement_cursor(connection) as cursor:
        cursor.execute(sql, [alice_workspace.pk])
        prepared = cursor.fetchall()
    with connection.cursor() as cursor:
        cursor.execute(sql, [alice_workspace.pk])
        usual = cursor.fetchall()

    assert prepared == usual == [("urn:li:person:x", "X")]


def test_other_databases_take_their_usual_cursor():
    # On SQLite the suite's own connection; on PostgreSQL a SQLite one beside it, so the
    # branch for every database but PostgreSQL is tested on both.
    handler = ConnectionHandler(
        {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}}
    )
    other = connection if connection.vendor == "sqlite" else handler["default"]
    try:
        with statement_cursor(other) as cursor, other.cursor() as usual:
            assert type(cursor) is type(usual)
            assert type(cursor.cursor) is type(usual.cursor)
            cursor.execute("SELECT %s", [1])
            assert cursor.fetchall() == [(1,)]
    finally:
        handler.close_all()
