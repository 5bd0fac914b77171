"""insert_returning: one statement that inserts a batch and says which rows it made, on
PostgreSQL (the batch as one JSON parameter) and SQLite (VALUES) alike."""

import datetime as dt
from decimal import Decimal

import numpy
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.functional import lazystr

from apps.core.bulk import insert_returning, insert_statements
from apps.leads.models import Comment, Commenter, Lead

pytestmark = pytest.mark.django_db


def person(workspace, urn, **fields) -> Commenter:
    return Commenter(workspace=workspace, actor_urn=urn, **fields)


def test_rows_already_there_are_skipped_and_only_the_new_ones_answered(alice_workspace):
    Commenter.objects.create(workspace=alice_workspace, actor_urn="urn:li:person:old")

    with CaptureQueriesContext(connection) as captured:
        made = insert_returning(
            Commenter,
            [
                person(alice_workspace, "urn:li:person:old"),
                person(alice_workspace, "urn:li:person:new"),
            ],
            unique_fields=["workspace", "actor_urn"],
            returning=["actor_urn", "id"],
        )

    assert len(captured.captured_queries) == 1
    assert [urn for urn, _pk in made] == ["urn:li:person:new"]
    assert (
        dict(made)["urn:li:person:new"] == Commenter.objects.get(actor_urn="urn:li:person:new").pk
    )
    assert Commenter.objects.filter(workspace=alice_workspace).count() == 2


def test_an_upsert_keeps_what_the_new_row_leaves_empty(alice_workspace):
    Commenter.objects.create(
        workspace=alice_workspace, actor_urn="urn:li:person:a", name="Ada", headline="CTO"
    )
    seen = timezone.now() + dt.timedelta(hours=1)

    answered = insert_returning(
        Commenter,
        [person(alice_workspace, "urn:li:person:a", name="", headline="VP", last_seen_at=seen)],
        unique_fields=["workspace", "actor_urn"],
        update_fields=["name", "headline", "last_seen_at"],
        update_if_given=["name", "headline"],
        returning=["name", "headline", "last_seen_at"],
    )

    assert answered == [("Ada", "VP", seen)]
    stored = Commenter.objects.get(actor_urn="urn:li:person:a")
    assert (stored.name, stored.headline, stored.last_seen_at) == ("Ada", "VP", seen)


def test_values_are_stored_as_the_orm_would_store_them(alice_workspace):
    commenter = Commenter.objects.create(workspace=alice_workspace, actor_urn="urn:li:person:b")
    when = dt.datetime(2026, 3, 1, 9, 30, 15, 123456, tzinfo=dt.UTC)
    comment = Comment(
        workspace=alice_workspace,
        commenter=commenter,
        urn="urn:li:comment:1",
        text="Could we talk about 'Kafka' next week? 100% \"urgent\" \\ ünïcode",
        commented_at=when,
        intent_probability=0.1 + 0.2,
        score_parts=[["Intent: direct inquiry (91%)", 72], ["Urgency: 'next week'", 8]],
        explanation=[["kafka", 0.123]],
    )

    [(pk,)] = insert_returning(
        Comment, [comment], unique_fields=["workspace", "urn"], returning=["id"]
    )

    stored = Comment.objects.get(pk=pk)
    assert stored.text == comment.text
    assert stored.commented_at == when
    assert stored.intent_probability == 0.1 + 0.2
    assert stored.score_parts == comment.score_parts
    assert stored.explanation == [["kafka", 0.123]]
    assert stored.post_id is None
    assert stored.replied_at is None
    assert stored.source == Comment.Source.LINKEDIN


def test_values_of_other_types_go_through_their_field_as_the_orm_would_take_them(
    alice_workspace,
):
    # Read in one go, only JSON-native values skip their field: a numpy integer (as a
    # model's arithmetic gives), a lazy string, a choice, a decimal and an auto_now field
    # must still arrive as the ORM would store them.
    commenter = Commenter.objects.create(workspace=alice_workspace, actor_urn="urn:li:person:n")
    lead = Lead(
        workspace=alice_workspace,
        commenter=commenter,
        score=numpy.int64(73),
        intent=lazystr("direct_inquiry"),  # lazy, as a translated label is
        status=Lead.Status.CONTACTED,
        value_eur=Decimal("12.50"),
    )
    before = timezone.now()

    [(pk,)] = insert_returning(Lead, [lead], unique_fields=[], returning=["id"])

    stored = Lead.objects.get(pk=pk)
    assert (stored.score, stored.intent, stored.status) == (73, "direct_inquiry", "contacted")
    assert stored.value_eur == Decimal("12.50")
    assert stored.updated_at >= before


def test_without_unique_fields_every_row_is_inserted(alice_workspace):
    commenter = Commenter.objects.create(workspace=alice_workspace, actor_urn="urn:li:person:c")
    rows = [
        Comment(workspace=alice_workspace, commenter=commenter, urn=f"urn:li:comment:{n}", text="x")
        for n in range(3)
    ]

    made = insert_returning(Comment, rows, unique_fields=(), returning=["urn"])

    assert sorted(urn for (urn,) in made) == [f"urn:li:comment:{n}" for n in range(3)]


def test_nothing_to_insert_asks_nothing(alice_workspace):
    with CaptureQueriesContext(connection) as captured:
        assert insert_returning(Commenter, [], unique_fields=["workspace"], returning=["id"]) == []
    assert captured.captured_queries == []


def test_a_column_of_another_table_is_answered_as_its_field_reads_it(alice_workspace):
    """also_returning with a field: a subquery's datetime comes back a datetime on SQLite too
    (which answers it as text), as the field's own query would give it."""
    from apps.leads.models import Lead

    commenter = Commenter.objects.create(workspace=alice_workspace, actor_urn="urn:li:person:a")
    created = timezone.now() - dt.timedelta(days=3)
    Lead.objects.create(workspace=alice_workspace, commenter=commenter, created_at=created)
    created_at = Lead._meta.get_field("created_at")
    lead_created = (
        "(SELECT created_at FROM leads_lead WHERE commenter_id = leads_commenter.id)",
        [],
        created_at,
    )

    answered = insert_returning(
        Commenter,
        [person(alice_workspace, "urn:li:person:a"), person(alice_workspace, "urn:li:person:b")],
        unique_fields=["workspace", "actor_urn"],
        update_fields=["last_seen_at"],
        returning=["actor_urn"],
        also_returning=[lead_created],
    )

    assert dict(answered) == {"urn:li:person:a": created, "urn:li:person:b": None}


def test_statements_alongside_an_insert_take_effect_with_it_in_one_statement_on_postgresql(
    alice_workspace,
):
    """The caller's unrelated writes (another table's rows, an update) go with an insert: on
    PostgreSQL as WITH queries of its statement, one round trip; on SQLite each before it."""
    old = Commenter.objects.create(workspace=alice_workspace, actor_urn="urn:li:person:old")
    rename = (
        "UPDATE leads_commenter SET name = %s WHERE id = %s",
        ["Renamed", old.pk],
    )
    others = insert_statements(Commenter, [person(alice_workspace, "urn:li:person:other")])

    with CaptureQueriesContext(connection) as captured:
        made = insert_returning(
            Commenter,
            [person(alice_workspace, "urn:li:person:new")],
            unique_fields=["workspace", "actor_urn"],
            returning=["actor_urn"],
            alongside=[rename, *others],
        )

    assert made == [("urn:li:person:new",)]
    assert len(captured.captured_queries) == (1 if connection.vendor == "postgresql" else 3)
    assert set(Commenter.objects.values_list("actor_urn", "name")) == {
        ("urn:li:person:old", "Renamed"),
        ("urn:li:person:other", ""),
        ("urn:li:person:new", ""),
    }


def test_statements_alongside_nothing_to_insert_still_run(alice_workspace):
    others = insert_statements(Commenter, [person(alice_workspace, "urn:li:person:other")])

    assert (
        insert_returning(
            Commenter,
            [],
            unique_fields=["workspace", "actor_urn"],
            returning=["id"],
            alongside=others,
        )
        == []
    )
    assert Commenter.objects.filter(actor_urn="urn:li:person:other").exists()
