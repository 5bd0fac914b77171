"""On PostgreSQL, triggers on leads_lead keep the lead totals the dashboard reads (per post,
on the post: attributed leads and converted value; per workspace and status: count and
value; per workspace, UTC hour of creation and status: count, value and how many have a
value). Whatever writes the leads (services, bulk_create, .update(), deletes, cascades from a
post, a commenter or the workspace, raw SQL), the totals must equal a GROUP BY over leads_lead
afterwards."""

import random
import threading
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncHour
from django.utils import timezone

from apps.accounts.tenancy import database_scope, database_workspace_set
from apps.content.models import Post
from apps.leads import selectors
from apps.leads.models import Comment, Commenter, Lead, LeadHourlyTotals, LeadStatusTotals
from apps.leads.services import IncomingComment, attribute_comment, lead_update, store_comments

pytestmark = pytest.mark.django_db

STATUSES = [status for status, _label in Lead.Status.choices]


@pytest.fixture(autouse=True)
def _postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("the lead totals are kept by PostgreSQL triggers; SQLite counts the leads")


def kept_totals(workspace) -> tuple[dict, dict]:
    posts = {
        post.pk: (post.attributed_leads, post.attributed_value)
        for post in Post.objects.filter(workspace=workspace).exclude(
            attributed_leads=0, attributed_value=0
        )
    }
    statuses = {
        row.status: (row.n, row.value)
        for row in LeadStatusTotals.objects.filter(workspace=workspace)
    }
    return posts, statuses


def counted_totals(workspace) -> tuple[dict, dict]:
    """The same totals, counted from the leads as the dashboard did before."""
    leads = Lead.objects.filter(workspace=workspace).order_by()
    posts = {
        row["source_post"]: (row["n"], row["won"] or Decimal(0))
        for row in leads.filter(source_post__isnull=False)
        .exclude(status=Lead.Status.NOT_A_LEAD)
        .values("source_post")
        .annotate(n=Count("id"), won=Sum("value_eur", filter=Q(status=Lead.Status.CONVERTED)))
    }
    statuses = {
        row["status"]: (row["n"], row["value"] or Decimal(0))
        for row in leads.values("status").annotate(n=Count("id"), value=Sum("value_eur"))
    }
    return posts, statuses


def kept_hours(workspace) -> dict:
    return {
        (row.hour, row.status): (row.n, row.value, row.valued)
        for row in LeadHourlyTotals.objects.filter(workspace=workspace)
    }


def counted_hours(workspace) -> dict:
    """The hourly totals counted from the leads: per UTC hour of creation and status."""
    return {
        (row["hour"], row["status"]): (row["n"], row["value"] or Decimal(0), row["valued"])
        for row in Lead.objects.filter(workspace=workspace)
        .order_by()
        .annotate(hour=TruncHour("created_at", tzinfo=UTC))
        .values("hour", "status")
        .annotate(n=Count("id"), value=Sum("value_eur"), valued=Count("value_eur"))
    }


def assert_totals_right(workspace):
    assert kept_totals(workspace) == counted_totals(workspace)
    assert kept_hours(workspace) == counted_hours(workspace)


def make_posts(workspace, n):
    return [
        Post.objects.create(
            workspace=workspace,
            status=Post.Status.PUBLISHED,
            text=f"Post {i}",
            published_at=timezone.now() - timedelta(days=i),
        )
        for i in range(n)
    ]


def lead_of(workspace, post, rng, number):
    commenter = Commenter.objects.create(workspace=workspace, actor_urn=f"urn:li:person:x{number}")
    return Lead(
        workspace=workspace,
        commenter=commenter,
        status=rng.choice(STATUSES),
        value_eur=rng.choice([None, Decimal(rng.randrange(1, 9000)), Decimal("12.50")]),
        source_post=post,
    )


def test_totals_follow_every_kind_of_write(alice, alice_workspace, charlie_workspace):
    rng = random.Random(22)
    workspace = alice_workspace
    posts = make_posts(workspace, 6)
    # Another workspace's leads on the side: its totals are its own.
    other_post = make_posts(charlie_workspace, 1)[0]
    Lead.objects.bulk_create(
        [lead_of(charlie_workspace, other_post, rng, 1000 + n) for n in range(5)]
    )

    # Leads made by the ingestion service (one statement for the batch), then credited.
    store_comments(
        workspace=workspace,
        post=posts[0],
        incoming=[
            IncomingComment(
                urn=f"urn:li:comment:(p,{n})",
                actor_urn=f"urn:li:person:in{n}",
                text="We are hiring a platform team, could you help us? What do you charge?",
                commented_at=timezone.now() - timedelta(minutes=n),
            )
            for n in range(4)
        ],
    )
    assert Lead.objects.filter(workspace=workspace).exists()
    assert_totals_right(workspace)

    # One by one and in bulk.
    lead_of(workspace, posts[1], rng, 1).save()
    Lead.objects.bulk_create([lead_of(workspace, rng.choice(posts), rng, 2 + n) for n in range(30)])
    assert_totals_right(workspace)

    for step in range(60):
        leads = list(Lead.objects.filter(workspace=workspace).order_by("pk"))
        lead = rng.choice(leads)
        action = step % 7
        if action == 0:  # the service a person uses: to and from "not a lead" and "converted"
            lead_update(
                lead=lead,
                actor=alice,
                status=rng.choice(STATUSES),
                value_eur=rng.choice([None, Decimal(rng.randrange(1, 500))]),
                fields={"value_eur"},
            )
        elif action == 1:  # a bulk status change, as a digest link or a task might do
            ids = [other.pk for other in rng.sample(leads, min(5, len(leads)))]
            Lead.objects.filter(pk__in=ids).update(status=rng.choice(STATUSES))
        elif action == 2:  # a new first comment credits the lead to another post
            comment = Comment.objects.create(
                workspace=workspace,
                post=rng.choice(posts),
                commenter=lead.commenter,
                lead=lead,
                urn=f"urn:li:comment:(re,{step})",
                text="Earlier",
                commented_at=timezone.now() - timedelta(days=400),
            )
            attribute_comment(lead=lead, comment=comment)
        elif action == 3:
            lead.delete()
        elif action == 4:  # raw SQL too
            with connection.cursor() as cursor:
                cursor.execute(
                    "UPDATE leads_lead SET value_eur = coalesce(value_eur, 0) + 7 WHERE id = %s",
                    [lead.pk],
                )
        elif action == 5:  # the commenter erased: the lead goes with them
            lead.commenter.delete()
        else:  # a change that touches none of the totals
            Lead.objects.filter(pk=lead.pk).update(score=rng.randrange(100))
        assert_totals_right(workspace)

    # A deleted post: its leads lose their credit (SET NULL) before the post goes; the
    # other posts' totals stay right.
    doomed = max(posts, key=lambda post: Lead.objects.filter(source_post=post).count())
    doomed.refresh_from_db()
    assert doomed.attributed_leads > 0
    doomed_pk = doomed.pk
    doomed.delete()
    assert not Lead.objects.filter(source_post_id=doomed_pk).exists()
    assert_totals_right(workspace)
    assert_totals_right(charlie_workspace)


def test_deleting_a_workspace_leaves_no_totals_behind(charlie_workspace, alice_workspace):
    rng = random.Random(5)
    post = make_posts(charlie_workspace, 1)[0]
    Lead.objects.bulk_create([lead_of(charlie_workspace, post, rng, n) for n in range(8)])
    assert LeadStatusTotals.objects.filter(workspace=charlie_workspace).exists()

    workspace_id = charlie_workspace.pk
    # Its posts, leads and totals go in whatever order the cascade takes them: leads whose
    # post is gone credit nothing, leads whose status rows are gone write none back.
    charlie_workspace.delete()

    assert not LeadStatusTotals.objects.filter(workspace_id=workspace_id).exists()
    assert not LeadHourlyTotals.objects.filter(workspace_id=workspace_id).exists()
    assert not Post.objects.filter(workspace_id=workspace_id).exists()


def test_the_funnel_reads_the_status_totals_and_equals_the_leads_counted(alice_workspace):
    rng = random.Random(7)
    posts = make_posts(alice_workspace, 3)
    Lead.objects.bulk_create(
        [lead_of(alice_workspace, rng.choice(posts), rng, n) for n in range(40)]
    )
    Lead.objects.filter(workspace=alice_workspace, status=Lead.Status.NEW).update(
        status=Lead.Status.CONVERTED
    )
    _posts, counted = counted_totals(alice_workspace)

    funnel = selectors.pipeline(workspace=alice_workspace)

    assert {stage["status"]: (stage["count"], stage["value"]) for stage in funnel} == {
        stage["status"]: counted.get(stage["status"], (0, Decimal(0))) for stage in funnel
    }
    assert sum(stage["count"] for stage in funnel) > 0


def test_truncating_the_leads_zeroes_the_totals(alice_workspace):
    rng = random.Random(9)
    post = make_posts(alice_workspace, 1)[0]
    Lead.objects.bulk_create([lead_of(alice_workspace, post, rng, n) for n in range(5)])
    assert LeadStatusTotals.objects.exists()

    with connection.cursor() as cursor:
        # TRUNCATE fires no row or statement trigger; this test's foreign-key checks, deferred
        # to its commit, must run first (PostgreSQL truncates no table with pending ones).
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("TRUNCATE leads_lead CASCADE")

    assert not LeadStatusTotals.objects.exists()
    assert not LeadHourlyTotals.objects.exists()
    post.refresh_from_db()
    assert (post.attributed_leads, post.attributed_value) == (0, Decimal(0))


@pytest.mark.django_db(transaction=True)
def test_the_test_suites_flush_empties_the_totals_and_keeps_the_triggers(alice_workspace):
    rng = random.Random(10)
    post = make_posts(alice_workspace, 1)[0]
    Lead.objects.bulk_create([lead_of(alice_workspace, post, rng, n) for n in range(5)])

    # What TransactionTestCase does after each test: TRUNCATE every table.
    call_command(
        "flush", interactive=False, verbosity=0, reset_sequences=False, inhibit_post_migrate=True
    )

    assert not LeadStatusTotals.objects.exists()
    from apps.accounts.tests.factories import WorkspaceFactory

    workspace = WorkspaceFactory(slug="after-flush")
    post = make_posts(workspace, 1)[0]
    Lead.objects.bulk_create([lead_of(workspace, post, rng, n) for n in range(3)])
    assert_totals_right(workspace)
    assert LeadStatusTotals.objects.filter(workspace=workspace).exists()


def test_rebuild_lead_totals_repairs_drifted_totals(alice_workspace, charlie_workspace):
    rng = random.Random(11)
    for workspace in (alice_workspace, charlie_workspace):
        post = make_posts(workspace, 1)[0]
        Lead.objects.bulk_create(
            [lead_of(workspace, post, rng, n + workspace.pk * 100) for n in range(6)]
        )
    without_leads = make_posts(alice_workspace, 1)[0]
    right = {w.pk: kept_totals(w) for w in (alice_workspace, charlie_workspace)}
    with connection.cursor() as cursor:  # drift, as if a trigger had been dropped by hand
        cursor.execute("UPDATE leads_leadstatustotals SET n = n + 3")
        cursor.execute(
            "UPDATE content_post SET attributed_leads = 0, attributed_value = 0 "
            "WHERE attributed_leads > 0"
        )
        cursor.execute(
            "UPDATE content_post SET attributed_leads = 2 WHERE id = %s", [without_leads.pk]
        )

    call_command("rebuild_lead_totals", "--workspace", alice_workspace.slug, verbosity=0)

    assert kept_totals(alice_workspace) == right[alice_workspace.pk]
    assert kept_totals(charlie_workspace) != right[charlie_workspace.pk]  # not asked for
    call_command("rebuild_lead_totals", verbosity=0)
    assert kept_totals(charlie_workspace) == right[charlie_workspace.pk]


def test_a_workspace_sees_only_its_own_totals(alice_workspace, charlie_workspace, settings):
    if not settings.DATABASE_ROW_LEVEL_SECURITY:
        pytest.skip("row-level security is off (DATABASE_ROW_LEVEL_SECURITY)")
    rng = random.Random(13)
    for workspace in (alice_workspace, charlie_workspace):
        post = make_posts(workspace, 1)[0]
        Lead.objects.bulk_create(
            [lead_of(workspace, post, rng, n + workspace.pk * 100) for n in range(4)]
        )

    with database_scope():  # as a request starts: nobody named; then Alice's workspace
        database_workspace_set(alice_workspace.pk)
        # Unfiltered: the database's own wall keeps Charlie's rows out.
        seen = (
            {post.workspace_id for post in Post.objects.filter(attributed_leads__gt=0)}
            | {row.workspace_id for row in LeadStatusTotals.objects.all()}
            | {row.workspace_id for row in LeadHourlyTotals.objects.all()}
        )
    assert seen == {alice_workspace.pk}


def test_an_update_that_changes_totals_of_some_leads_and_only_scores_of_others_moves_them(
    alice_workspace,
):
    # The trigger skips updates whose leads keep every column the totals read; a statement
    # that changes one lead's status among score-only changes must still count.
    rng = random.Random(5)
    posts = make_posts(alice_workspace, 2)
    Lead.objects.bulk_create([lead_of(alice_workspace, posts[0], rng, n) for n in range(6)])
    leads = list(Lead.objects.filter(workspace=alice_workspace).order_by("pk"))
    before = kept_totals(alice_workspace)

    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE leads_lead SET score = score + 1, "
            "status = CASE WHEN id = %s THEN 'converted' ELSE status END, "
            "value_eur = CASE WHEN id = %s THEN 900 ELSE value_eur END "
            "WHERE workspace_id = %s",
            [leads[0].pk, leads[0].pk, alice_workspace.pk],
        )

    assert kept_totals(alice_workspace) != before
    assert_totals_right(alice_workspace)


def test_two_leads_trading_their_posts_in_one_update_move_both_posts_totals(alice_workspace):
    posts = make_posts(alice_workspace, 2)
    first, second = (
        Lead.objects.create(
            workspace=alice_workspace,
            commenter=Commenter.objects.create(
                workspace=alice_workspace, actor_urn=f"urn:li:person:t{n}"
            ),
            status=status,
            value_eur=Decimal("100"),
            source_post=post,
        )
        for n, (status, post) in enumerate(
            [(Lead.Status.CONVERTED, posts[0]), (Lead.Status.NEW, posts[1])]
        )
    )

    # Each takes the other's post: the same number of leads per post, but the converted
    # value moves from the first post to the second.
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE leads_lead SET source_post_id = CASE WHEN id = %s THEN %s ELSE %s END "
            "WHERE id IN (%s, %s)",
            [first.pk, posts[1].pk, posts[0].pk, first.pk, second.pk],
        )

    posts_totals, _statuses = kept_totals(alice_workspace)
    assert posts_totals[posts[1].pk] == (1, Decimal("100"))
    assert posts_totals[posts[0].pk] == (1, Decimal("0"))
    assert_totals_right(alice_workspace)


def leads_at(workspace, moments, *, status=Lead.Status.NEW, value=None, first=0):
    commenters = Commenter.objects.bulk_create(
        Commenter(workspace=workspace, actor_urn=f"urn:li:person:h{first + n}")
        for n in range(len(moments))
    )
    return Lead.objects.bulk_create(
        Lead(
            workspace=workspace,
            commenter=commenter,
            status=status,
            value_eur=value,
            created_at=moment,
        )
        for commenter, moment in zip(commenters, moments, strict=True)
    )


def test_hourly_totals_count_leads_on_the_hour_in_the_hour_they_begin(alice_workspace):
    ten = datetime(2026, 11, 2, 10, tzinfo=UTC)
    tick = timedelta(microseconds=1)
    hour = timedelta(hours=1)
    leads_at(alice_workspace, [ten - tick, ten, ten + tick, ten + hour - tick, ten + hour])

    assert kept_hours(alice_workspace) == {
        (ten - hour, "new"): (1, Decimal(0), 0),
        (ten, "new"): (3, Decimal(0), 0),
        (ten + hour, "new"): (1, Decimal(0), 0),
    }
    assert_totals_right(alice_workspace)


def test_hourly_totals_follow_status_value_and_time_changes_and_deletes(alice_workspace):
    ten = datetime(2026, 11, 2, 10, tzinfo=UTC)
    first, second, third = leads_at(
        alice_workspace, [ten, ten + timedelta(minutes=59), ten + timedelta(minutes=5)]
    )

    Lead.objects.filter(pk=first.pk).update(status=Lead.Status.CONVERTED, value_eur=900)
    assert kept_hours(alice_workspace) == {
        (ten, "new"): (2, Decimal(0), 0),
        (ten, "converted"): (1, Decimal(900), 1),
    }

    # Created at another time (an import correcting it): the lead moves to that hour.
    Lead.objects.filter(pk=second.pk).update(created_at=ten + timedelta(hours=2))
    Lead.objects.filter(pk=third.pk).update(value_eur=Decimal("12.50"))
    assert kept_hours(alice_workspace) == {
        (ten, "new"): (1, Decimal("12.50"), 1),
        (ten, "converted"): (1, Decimal(900), 1),
        (ten + timedelta(hours=2), "new"): (1, Decimal(0), 0),
    }
    assert_totals_right(alice_workspace)

    # A value taken back to none, then the hour's last new lead deleted: its row goes.
    Lead.objects.filter(pk=third.pk).update(value_eur=None)
    assert kept_hours(alice_workspace)[(ten, "new")] == (1, Decimal(0), 0)
    third.delete()
    first.delete()
    assert kept_hours(alice_workspace) == {(ten + timedelta(hours=2), "new"): (1, Decimal(0), 0)}
    assert_totals_right(alice_workspace)


def test_the_hour_is_the_utc_hour_whatever_the_sessions_time_zone(alice_workspace):
    # 10:15 UTC is 15:45 in Kolkata, whose hours begin at :30 UTC: truncated in the session's
    # zone, the lead would count at 09:30 UTC and no range of whole UTC hours would hold it.
    quarter_past_ten = datetime(2026, 11, 2, 10, 15, tzinfo=UTC)
    with connection.cursor() as cursor:
        cursor.execute("SET TIME ZONE 'Asia/Kolkata'")
        try:
            leads_at(alice_workspace, [quarter_past_ten], value=Decimal(300))
            call_command("rebuild_lead_totals", verbosity=0)
        finally:
            cursor.execute("SET TIME ZONE 'UTC'")

    assert kept_hours(alice_workspace) == {
        (datetime(2026, 11, 2, 10, tzinfo=UTC), "new"): (1, Decimal(300), 1)
    }


def test_rebuild_lead_totals_repairs_drifted_hourly_totals(alice_workspace, charlie_workspace):
    ten = datetime(2026, 11, 2, 10, tzinfo=UTC)
    for workspace in (alice_workspace, charlie_workspace):
        leads_at(
            workspace,
            [ten + timedelta(minutes=50 * n) for n in range(6)],
            value=Decimal(20),
            first=workspace.pk * 100,
        )
    right = {w.pk: kept_hours(w) for w in (alice_workspace, charlie_workspace)}
    with connection.cursor() as cursor:  # drift: one row off by one, one lost, in each
        cursor.execute("UPDATE leads_leadhourlytotals SET n = n + 1 WHERE hour = %s", [ten])
        cursor.execute(
            "DELETE FROM leads_leadhourlytotals WHERE hour = %s", [ten + timedelta(hours=2)]
        )

    out = StringIO()
    call_command("rebuild_lead_totals", "--workspace", alice_workspace.slug, stdout=out)

    assert kept_hours(alice_workspace) == right[alice_workspace.pk]
    assert "3 rows had drifted" in out.getvalue()  # the row off by one twice, the lost one
    assert kept_hours(charlie_workspace) != right[charlie_workspace.pk]  # not asked for
    call_command("rebuild_lead_totals", verbosity=0)
    assert kept_hours(charlie_workspace) == right[charlie_workspace.pk]


def test_a_post_saved_from_a_copy_read_before_a_lead_arrived_keeps_the_lead(alice_workspace):
    post = make_posts(alice_workspace, 1)[0]
    stale = Post.objects.get(pk=post.pk)  # an editor's form, read before the comment came
    lead_of(alice_workspace, post, random.Random(1), 1).save()  # never "not a lead"...
    Lead.objects.filter(source_post=post).update(status=Lead.Status.NEW)  # ...whatever drawn

    stale.text = "Edited after the lead arrived"
    stale.save()

    post.refresh_from_db()
    assert post.text == "Edited after the lead arrived"
    assert post.attributed_leads == 1
    assert_totals_right(alice_workspace)


@pytest.mark.django_db(transaction=True)
def test_two_writers_of_the_same_posts_leads_at_once_lose_neither_ones_leads(alice_workspace):
    posts = make_posts(alice_workspace, 2)
    holding, release = threading.Event(), threading.Event()
    failures = []

    def leads(first_number, credited):
        return [
            Lead(
                workspace=alice_workspace,
                commenter=Commenter.objects.create(
                    workspace=alice_workspace, actor_urn=f"urn:li:person:c{first_number + n}"
                ),
                status=status,
                value_eur=Decimal("100"),
                source_post=post,
            )
            for n, (post, status) in enumerate(credited)
        ]

    def first_writer():
        try:
            with transaction.atomic():
                Lead.objects.bulk_create(
                    leads(1, [(posts[0], Lead.Status.NEW), (posts[1], Lead.Status.CONVERTED)])
                )
                holding.set()
                release.wait(30)
        except Exception as error:
            failures.append(error)
        finally:
            connection.close()

    thread = threading.Thread(target=first_writer)
    thread.start()
    try:
        assert holding.wait(10)
        # The second writer names the same posts the other way round and waits for the
        # first one's commit (released shortly; a lock timeout fails the test, not hangs it).
        threading.Timer(0.5, release.set).start()
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL lock_timeout = '10s'")
            Lead.objects.bulk_create(
                leads(3, [(posts[1], Lead.Status.CONVERTED), (posts[0], Lead.Status.NEW)])
            )
    finally:
        release.set()
        thread.join(10)

    assert failures == []
    posts_totals, _statuses = kept_totals(alice_workspace)
    assert posts_totals == {posts[0].pk: (2, Decimal(0)), posts[1].pk: (2, Decimal("200"))}
    assert_totals_right(alice_workspace)
