"""What storing a scan's comments costs the database (issue 22): at most 3 queries a
comment, and for new people a fixed number per batch whatever its size. Queries are the
statements that read or write rows; transaction control (SAVEPOINT, the test's own
transaction) is left out."""

import dataclasses

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apps.content.models import Post
from apps.core.bulk import execute_all
from apps.leads import services
from apps.leads.models import Lead
from apps.notifications.models import OutboxEvent

pytestmark = pytest.mark.django_db

INQUIRY = "We need help with our Kafka cluster. What is your day rate? Can we talk this week?"
PRAISE = "Great post, thanks for sharing!"
TRANSACTION_CONTROL = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE SAVEPOINT")


def statements(captured: CaptureQueriesContext) -> int:
    return sum(
        1
        for query in captured.captured_queries
        if not query["sql"].upper().startswith(TRANSACTION_CONTROL)
    )


def batch(post, size: int, *, people: str, start: int = 0) -> list[services.IncomingComment]:
    """`size` comments from `size` people, every other one an inquiry."""
    return [
        services.IncomingComment(
            urn=f"urn:li:comment:({post.pk},{people},{n})",
            actor_urn=f"urn:li:person:{people}{n}",
            text=INQUIRY if n % 2 == 0 else PRAISE,
            commented_at=timezone.now(),
            name=f"Person {people}{n}",
        )
        for n in range(start, start + size)
    ]


def store(workspace, post, incoming) -> tuple[int, int]:
    """(comments stored, queries it took)."""
    with CaptureQueriesContext(connection) as captured:
        stored = services.store_comments(workspace=workspace, post=post, incoming=incoming)
    return len(stored), statements(captured)


@pytest.fixture
def post(alice_workspace):
    return Post.objects.create(
        workspace=alice_workspace,
        text="We cut deploy time from 40 to 8 minutes.",
        status=Post.Status.PUBLISHED,
        published_at=timezone.now(),
    )


def test_a_batch_of_new_people_costs_the_same_queries_whether_small_or_large(alice_workspace, post):
    services.store_comments(
        workspace=alice_workspace, post=post, incoming=batch(post, 2, people="w")
    )

    small_stored, small = store(alice_workspace, post, batch(post, 6, people="s"))
    large_stored, large = store(alice_workspace, post, batch(post, 40, people="l"))

    assert (small_stored, large_stored) == (6, 40)
    assert large == small
    # Every inquiry made a lead and recorded its lead.detected event, none skipped.
    assert Lead.objects.filter(workspace=alice_workspace).count() == 1 + 3 + 20
    assert OutboxEvent.objects.filter(event="lead.detected").count() == 1 + 3 + 20


def test_storing_comments_costs_at_most_three_queries_a_comment_for_known_leads_too(
    alice_workspace, post
):
    services.store_comments(
        workspace=alice_workspace, post=post, incoming=batch(post, 20, people="p")
    )
    leads_before = Lead.objects.filter(workspace=alice_workspace).count()

    # The same people again, on a later scan: their leads exist, their scores may rise.
    again = [
        dataclasses.replace(comment, urn=comment.urn + ":again")
        for comment in batch(post, 20, people="p")
    ]
    stored, queries = store(alice_workspace, post, again)

    assert stored == 20
    assert queries <= 3 * stored
    assert Lead.objects.filter(workspace=alice_workspace).count() == leads_before
    assert OutboxEvent.objects.filter(event="lead.detected").count() == 2 * leads_before


def test_a_batch_stored_twice_records_each_lead_event_once(alice_workspace, post):
    incoming = batch(post, 10, people="t")
    services.store_comments(workspace=alice_workspace, post=post, incoming=incoming)
    services.store_comments(workspace=alice_workspace, post=post, incoming=incoming)
    assert OutboxEvent.objects.filter(event="lead.detected").count() == 5


def test_a_lead_another_scan_made_meanwhile_is_joined_not_made_twice(
    alice_workspace, post, monkeypatch
):
    """Between this batch's read of its commenters' leads and its insert of the new ones,
    another scan made the lead: the insert skips it, the batch reads it and links to it."""
    from apps.accounts.models import AuditEvent
    from apps.leads.models import Commenter

    real_insert = services.insert_returning

    def another_scan_first(model, objs, **kwargs):
        if model is Lead:
            for lead in objs:
                Lead.objects.create(
                    workspace=alice_workspace, commenter_id=lead.commenter_id, score=61
                )
        return real_insert(model, objs, **kwargs)

    monkeypatch.setattr(services, "insert_returning", another_scan_first)
    stored = services.store_comments(
        workspace=alice_workspace, post=post, incoming=batch(post, 1, people="r")
    )

    commenter = Commenter.objects.get(actor_urn="urn:li:person:r0")
    lead = Lead.objects.get(commenter=commenter)
    assert [comment.lead_id for comment in stored] == [lead.pk]
    assert lead.score == stored[0].score  # raised to the comment's
    assert lead.source_post_id == post.pk
    # The other scan made it: this batch announces no new lead, but records its event.
    assert not AuditEvent.objects.filter(action="lead.detected").exists()
    assert OutboxEvent.objects.filter(event="lead.detected").count() == 1


def test_a_batch_of_known_leads_reads_them_with_its_commenters_and_raises_them_at_once(
    alice_workspace, post
):
    services.store_comments(
        workspace=alice_workspace, post=post, incoming=batch(post, 20, people="k")
    )
    before = dict(Lead.objects.filter(workspace=alice_workspace).values_list("pk", "score"))
    again = [
        dataclasses.replace(comment, urn=comment.urn + ":again")
        for comment in batch(post, 20, people="k")
    ]

    with CaptureQueriesContext(connection) as captured:
        stored = services.store_comments(workspace=alice_workspace, post=post, incoming=again)

    # Which comments are known (with the calibration and threshold), the commenters' upsert
    # answering with their leads, the comments, one raise of the ten leads' scores, and the
    # leads' lead.detected events, on PostgreSQL in the raise's statement. No lead is read
    # on its own, none raised on its own.
    assert statements(captured) == (4 if connection.vendor == "postgresql" else 5)
    raises = [q["sql"] for q in captured.captured_queries if 'UPDATE "leads_lead"' in q["sql"]]
    assert len(raises) == 1
    after = dict(Lead.objects.filter(workspace=alice_workspace).values_list("pk", "score"))
    assert after.keys() == before.keys()
    assert len(after) == 10
    for comment in stored:
        if comment.lead_id is not None:
            assert after[comment.lead_id] == max(before[comment.lead_id], comment.score)
    assert any(after[pk] > before[pk] for pk in after)  # "already a lead" adds points


def test_raising_scores_never_lowers_one_and_stays_in_the_workspace(
    alice_workspace, charlie_workspace, post
):
    from apps.leads.models import Commenter

    def lead(workspace, urn, score):
        commenter = Commenter.objects.create(workspace=workspace, actor_urn=urn)
        return Lead.objects.create(
            workspace=workspace, commenter=commenter, score=score, intent="other"
        )

    low = lead(alice_workspace, "urn:li:person:low", 50)
    high = lead(alice_workspace, "urn:li:person:high", 90)  # another scan raised it meanwhile
    theirs = lead(charlie_workspace, "urn:li:person:theirs", 10)

    raise_scores = services._raise_scores(
        alice_workspace,
        [(low.pk, 70, "direct_inquiry"), (high.pk, 70, "direct_inquiry"), (theirs.pk, 70, "x")],
    )
    execute_all(raise_scores, using="default")

    low.refresh_from_db()
    high.refresh_from_db()
    theirs.refresh_from_db()
    assert (low.score, low.intent) == (70, "direct_inquiry")
    assert (high.score, high.intent) == (90, "other")
    assert (theirs.score, theirs.intent) == (10, "other")
