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
