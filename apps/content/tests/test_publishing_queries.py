"""What a published post costs the database (issue 22): at most 8 queries, dispatch
included, counted as a worker runs them: transactions of their own, no test transaction
around them. Queries are the statements that read or write rows; transaction control
(BEGIN, COMMIT, SAVEPOINT) is left out of the count: a post takes two transactions (the
claim of the call with its attempt, then "published" with its records), whose BEGIN and
COMMIT Django logs beside the statements."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.accounts.models import AuditEvent
from apps.content import publishing
from apps.content.models import Post, PublishAttempt
from apps.content.tests import test_publishing as publishing_tests
from apps.content.tests.test_publishing import connect, due_post
from apps.notifications.models import Notification, OutboxEvent

pytestmark = pytest.mark.django_db(transaction=True)

linkedin = publishing_tests.linkedin  # the sandbox fixture, shared

POSTS = 12
TRANSACTION_CONTROL = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE SAVEPOINT")


def statements(captured: CaptureQueriesContext) -> list[str]:
    return [
        query["sql"]
        for query in captured.captured_queries
        if not query["sql"].upper().startswith(TRANSACTION_CONTROL)
    ]


@pytest.fixture
def enqueued(monkeypatch):
    """Tasks enqueued after commit, recorded instead of sent: publish tasks and the
    outbox's dispatches (delivery is the notification workers' cost, not publishing's)."""
    from apps.content import tasks
    from apps.notifications import tasks as notification_tasks

    calls = {"publish": [], "dispatch": []}
    monkeypatch.setattr(tasks.publish_post, "delay", lambda *a: calls["publish"].append(a))
    monkeypatch.setattr(
        notification_tasks.dispatch_event, "delay", lambda *a: calls["dispatch"].append(a)
    )
    return calls


def test_a_published_post_costs_at_most_eight_queries_dispatch_included(
    alice,
    alice_workspace,
    linkedin,
    enqueued,
):
    connect(alice_workspace, linkedin)
    for n in range(POSTS):
        due_post(alice_workspace, alice, text=f"Post {n}: what slows your pipeline down?")

    with CaptureQueriesContext(connection) as dispatching:
        assert publishing.dispatch_due_posts() == POSTS
    with CaptureQueriesContext(connection) as publishing_them:
        outcomes = [
            publishing.publish(post_id=post_id, workspace_id=workspace_id, claim=claim)
            for post_id, workspace_id, claim in enqueued["publish"]
        ]

    assert outcomes == ["published"] * POSTS
    per_post = (len(statements(dispatching)) + len(statements(publishing_them))) / POSTS
    assert per_post <= 8, [sql[:100] for sql in statements(publishing_them)[:12]]
    # Nothing was skipped to get there: every post has its attempt, audit record and event.
    assert Post.objects.filter(status=Post.Status.PUBLISHED).count() == POSTS
    assert PublishAttempt.objects.filter(outcome="published").count() == POSTS
    assert AuditEvent.objects.filter(action="post.published").count() == POSTS
    assert OutboxEvent.objects.filter(event="post.published").count() == POSTS
    assert len(enqueued["dispatch"]) == POSTS
    assert len(linkedin.sandbox.posts()) == POSTS


def test_dispatching_costs_the_same_queries_for_one_due_post_or_many(
    alice,
    alice_workspace,
    linkedin,
    enqueued,
):
    connect(alice_workspace, linkedin)
    due_post(alice_workspace, alice, text="The only post: what slows your pipeline down?")
    with CaptureQueriesContext(connection) as one:
        assert publishing.dispatch_due_posts() == 1

    for n in range(30):
        due_post(alice_workspace, alice, text=f"Post {n}: what slows your pipeline down?")
    with CaptureQueriesContext(connection) as thirty:
        assert publishing.dispatch_due_posts() == 30

    assert len(statements(thirty)) == len(statements(one))
    assert len(enqueued["publish"]) == 31


def test_the_post_published_event_tells_the_owners_admins_and_author_when_delivered(
    alice,
    bob,
    alice_workspace,
    linkedin,
    monkeypatch,
):
    """Who hears of a post is found when the event is delivered, no longer when the
    post is published: owners and admins, and the author whatever their role."""
    from apps.accounts.models import Membership, Role
    from apps.accounts.tests.factories import UserFactory
    from apps.content import tasks

    writer = UserFactory(email="writer@example.com")
    Membership.objects.create(workspace=alice_workspace, user=writer, role=Role.EDITOR)
    connect(alice_workspace, linkedin)
    due_post(alice_workspace, writer, text="Written by an editor: what slows you down?")
    publish_calls = []
    monkeypatch.setattr(tasks.publish_post, "delay", lambda *a: publish_calls.append(a))

    publishing.dispatch_due_posts()
    for post_id, workspace_id, claim in publish_calls:
        publishing.publish(post_id=post_id, workspace_id=workspace_id, claim=claim)

    told = set(
        Notification.objects.filter(event="post.published").values_list("user__email", flat=True)
    )
    owners_and_admins = set(
        Membership.objects.filter(
            workspace=alice_workspace, role__in=(Role.OWNER, Role.ADMIN)
        ).values_list("user__email", flat=True)
    )
    assert told == owners_and_admins | {"writer@example.com"}
