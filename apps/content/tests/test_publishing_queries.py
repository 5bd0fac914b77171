"""What a published post costs the database (issue 22): at most 8 queries, dispatch
included, counted as a worker runs them: transactions of their own, no test transaction
around them. Queries are the statements that read or write rows; transaction control
(BEGIN, COMMIT, SAVEPOINT) is left out of the count: on SQLite a post takes two
transactions (the claim of the call with its attempt, then "published" with its records),
whose BEGIN and COMMIT Django logs beside the statements; on PostgreSQL each of the two is
one statement, committed on its own."""

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


on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="the one-statement finish is PostgreSQL's (SQLite has no data-modifying WITH)",
)


def publish_due(alice, alice_workspace, enqueued, **post):
    due_post(alice_workspace, alice, **post)
    publishing.dispatch_due_posts()
    post_id, workspace_id, claim = enqueued["publish"].pop()
    return publishing.publish(post_id=post_id, workspace_id=workspace_id, claim=claim), post_id


@on_postgresql
def test_on_postgresql_a_published_post_is_two_statements_and_no_transaction_of_its_own(
    alice, alice_workspace, linkedin, enqueued
):
    connect(alice_workspace, linkedin)
    due_post(alice_workspace, alice, text="One statement: what slows your pipeline down?")
    publishing.dispatch_due_posts()
    post_id, workspace_id, claim = enqueued["publish"].pop()

    with CaptureQueriesContext(connection) as publishing_it:
        assert publishing.publish(post_id=post_id, workspace_id=workspace_id, claim=claim) == (
            "published"
        )

    # The call's claim with its attempt and the read, then everything "published" writes.
    assert [sql.split()[:2] for sql in statements(publishing_it)] == [
        ["WITH", '"started"'],
        ["WITH", '"finished"'],
    ]
    assert len(publishing_it.captured_queries) == 2  # no BEGIN, no COMMIT
    assert len(enqueued["dispatch"]) == 1


@on_postgresql
def test_on_postgresql_the_one_statement_writes_the_rows_audit_record_and_the_event_would(
    alice, alice_workspace, linkedin, enqueued
):
    from apps.accounts.services import audit_row
    from apps.notifications import events

    connect(alice_workspace, linkedin)
    outcome, post_id = publish_due(
        alice, alice_workspace, enqueued, text="Same rows: what slows your pipeline down?"
    )

    assert outcome == "published"
    post = Post.objects.get(pk=post_id)
    audit = AuditEvent.objects.get(action="post.published")
    expected_audit = audit_row(
        action="post.published",
        actor=None,
        workspace=post.workspace,
        target=post.hook[:200],
        urn=post.linkedin_urn,
    )
    fields = ["workspace_id", "actor_id", "actor_email", "action", "target", "details"]
    assert [getattr(audit, f) for f in [*fields, "ip_address"]] == [
        getattr(expected_audit, f) for f in [*fields, "ip_address"]
    ]
    event = OutboxEvent.objects.get(event="post.published")
    expected_event = events.post_published_row(
        post=post,
        notice=publishing._notice(post, "Your post is live on LinkedIn", post.hook[:200]),
    )
    fields = ["workspace_id", "event", "key", "notice", "data", "channel_key", "handler"]
    fields += ["status", "attempts", "last_error", "delivered_at"]
    assert [getattr(event, f) for f in fields] == [getattr(expected_event, f) for f in fields]
    assert event.data["post"]["status"] == Post.Status.PUBLISHED
    assert PublishAttempt.objects.get(post_id=post_id).outcome == "published"
    assert enqueued["dispatch"] == [(event.pk, alice_workspace.pk)]


@on_postgresql
def test_on_postgresql_a_post_that_did_not_move_gets_no_audit_record_and_no_event(
    alice, alice_workspace, linkedin, enqueued
):
    connect(alice_workspace, linkedin)
    outcome, post_id = publish_due(
        alice, alice_workspace, enqueued, text="Moved once: what slows your pipeline down?"
    )
    assert outcome == "published"
    post = Post.objects.get(pk=post_id)
    attempt = PublishAttempt.objects.create(
        workspace=alice_workspace, post=post, started_at=post.published_at
    )

    # Already published: a second finish (from publishing only) moves nothing.
    moved = publishing._mark_published(
        post, "urn:li:share:2", attempt=attempt, allowed_from=(Post.Status.PUBLISHING,)
    )

    assert moved is False
    assert AuditEvent.objects.filter(action="post.published").count() == 1
    assert OutboxEvent.objects.filter(event="post.published").count() == 1
    assert len(enqueued["dispatch"]) == 1
    attempt.refresh_from_db()
    assert attempt.outcome == "published"  # the attempt's outcome is written regardless
    assert Post.objects.get(pk=post_id).linkedin_urn != "urn:li:share:2"


@on_postgresql
def test_on_postgresql_an_event_key_recorded_already_is_not_added_twice(
    alice, alice_workspace, linkedin, enqueued
):
    connect(alice_workspace, linkedin)
    post = due_post(alice_workspace, alice, text="Recorded before: what slows you down?")
    earlier = OutboxEvent.objects.create(
        workspace=alice_workspace, event="post.published", key=f"post.published:{post.pk}"
    )
    publishing.dispatch_due_posts()
    post_id, workspace_id, claim = enqueued["publish"].pop()

    assert publishing.publish(post_id=post_id, workspace_id=workspace_id, claim=claim) == (
        "published"
    )

    assert list(OutboxEvent.objects.values_list("pk", flat=True)) == [earlier.pk]
    # Dispatched again, which delivers nothing twice (dispatching claims the row).
    assert enqueued["dispatch"] == [(earlier.pk, alice_workspace.pk)]
    assert AuditEvent.objects.filter(action="post.published").count() == 1


@on_postgresql
def test_on_postgresql_a_first_comment_step_commits_with_the_published_post(
    alice, alice_workspace, linkedin, enqueued, monkeypatch
):
    from apps.content import tasks
    from apps.content.models import FirstComment

    steps = []
    monkeypatch.setattr(tasks.post_first_comment, "delay", lambda *a: steps.append(a))
    connect(alice_workspace, linkedin)
    due_post(alice_workspace, alice, text="With a comment: what slows you?", first_comment="/s")
    publishing.dispatch_due_posts()
    post_id, workspace_id, claim = enqueued["publish"].pop()

    with CaptureQueriesContext(connection) as publishing_it:
        publishing.publish(post_id=post_id, workspace_id=workspace_id, claim=claim)

    sql = [query["sql"] for query in publishing_it.captured_queries]
    # The one statement and the step's get_or_create inside one transaction.
    begin = sql.index("BEGIN")
    assert sql[begin + 1].startswith('WITH "finished" AS')
    assert sql[-1] == "COMMIT"
    assert any(s.startswith('INSERT INTO "content_firstcomment"') for s in sql[begin:])
    step = FirstComment.objects.get(post_id=post_id)
    assert step.text == "/s"
    assert steps == [(step.pk, alice_workspace.pk)]  # enqueued once it committed
    assert Post.objects.get(pk=post_id).status == Post.Status.PUBLISHED


def prepared_statements() -> dict[str, int]:
    """The statements prepared on this connection, with how often each was run."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement, generic_plans + custom_plans FROM pg_prepared_statements")
        return dict(cursor.fetchall())


@on_postgresql
def test_on_postgresql_the_publish_steps_statements_are_prepared_once_and_run_for_each_post(
    alice, alice_workspace, linkedin, enqueued
):
    connect(alice_workspace, linkedin)
    for n in range(3):
        due_post(alice_workspace, alice, text=f"Prepared {n}: what slows your pipeline down?")
    publishing.dispatch_due_posts()
    before = prepared_statements()  # the connection may have published in an earlier test

    with CaptureQueriesContext(connection) as publishing_them:
        outcomes = [
            publishing.publish(post_id=post_id, workspace_id=workspace_id, claim=claim)
            for post_id, workspace_id, claim in enqueued["publish"]
        ]

    assert outcomes == ["published"] * 3
    runs = {
        statement: count - before.get(statement, 0)
        for statement, count in prepared_statements().items()
        if count != before.get(statement, 0)
    }
    # The call's claim with the read, and "published": one prepared statement each, run for
    # each of the 3 posts.
    assert sorted(statement.split()[1] for statement in runs) == ['"finished"', '"started"']
    assert list(runs.values()) == [3, 3]
    # Django's query log still names each statement, as the counts above read it.
    logged = [sql.split()[1] for sql in statements(publishing_them)]
    assert logged == ['"started"', '"finished"'] * 3


def test_a_publish_step_reads_the_post_as_the_orm_would(alice, alice_workspace, linkedin):
    """The read compiled once (converters looked up once) gives the same post, workspace,
    connection and annotations as the ORM's own query."""
    from datetime import timedelta

    from django.utils import timezone

    connect(alice_workspace, linkedin)
    post = due_post(alice_workspace, alice, text="Read alike: what slows your pipeline down?")
    since = timezone.now() - timedelta(hours=24)

    read = publishing._post_to_publish(post_id=post.pk, workspace_id=alice_workspace.pk)
    orm = publishing._post_to_publish_query(
        post_id=post.pk, workspace_id=alice_workspace.pk, since=since
    ).get()

    fields = [field.attname for field in Post._meta.concrete_fields]
    assert [getattr(read, f) for f in fields] == [getattr(orm, f) for f in fields]
    assert read.workspace.timezone == orm.workspace.timezone
    assert read.linkedin_connection.access_token == orm.linkedin_connection.access_token
    assert (read.calls_today, read.has_media) == (orm.calls_today, orm.has_media)
