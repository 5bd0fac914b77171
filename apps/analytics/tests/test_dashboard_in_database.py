"""On PostgreSQL the dashboard sums and groups a period's posts in the database (GROUPING SETS)
instead of loading them row by row, and counts the leads created in one index range per local
day instead of grouping them by their local date: its figures must be the row-by-row and
grouped computation's, to the group order and the last cent, on varied data."""

import random
import zoneinfo
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apps.analytics import selectors
from apps.analytics.models import MetricSnapshot
from apps.content.models import Post
from apps.leads.models import Comment, Commenter, Lead
from apps.leads.services import attribute_comment

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("GROUPING SETS run on PostgreSQL only; elsewhere the rows are grouped here")


def varied_history(workspace, *, seed: int, posts: int = 60):
    """Posts over 100 days with unknown, awaiting and imported figures, blank and repeated
    dimensions, and leads of every status (some worth nothing, some marked "not a lead")."""
    rng = random.Random(seed)
    now = timezone.now()
    made = []
    for n in range(posts):
        published = now - timedelta(minutes=rng.randrange(100 * 24 * 60))
        impressions = rng.choice([None, rng.randrange(50, 5000)])
        measured = rng.random() < 0.85
        post = Post.objects.create(
            workspace=workspace,
            status=Post.Status.PUBLISHED,
            text=f"Post {n}",
            published_at=published,
            impressions=impressions if measured else None,
            reactions=rng.randrange(0, 40),
            comment_count=rng.randrange(0, 10),
            reshares=rng.randrange(0, 5) if impressions is not None else None,
            metrics_at=published + timedelta(hours=3) if measured else None,
            framework=rng.choice(["pas", "aida", "", "story-lesson"]),
            template_key=rng.choice(["", "t1", "t2", "t3"]),
            topic=rng.choice(["", "Deploys", "Hiring", "Costs"]),
            hook=rng.choice(["", "Hook A", "Hook B", f"Hook {n}"]),
        )
        if measured and impressions is not None and rng.random() < 0.25:
            # Figures from LinkedIn's export: imported at the post's latest reading.
            MetricSnapshot.objects.create(
                workspace=workspace,
                post=post,
                captured_at=post.metrics_at,
                impressions=impressions,
                source=MetricSnapshot.Source.IMPORT,
            )
            Post.objects.filter(pk=post.pk).update(figures_imported=True)
        made.append(post)
    statuses = [s for s, _label in Lead.Status.choices]
    for n in range(posts * 2):
        post = rng.choice(made)
        commenter = Commenter.objects.create(workspace=workspace, actor_urn=f"urn:li:person:{n}")
        created = min(now, post.published_at + timedelta(minutes=rng.randrange(1, 6000)))
        lead = Lead.objects.create(
            workspace=workspace,
            commenter=commenter,
            status=rng.choice(statuses),
            value_eur=rng.choice([None, Decimal(rng.randrange(100, 9000)), Decimal("12.50")]),
            created_at=created,
            status_changed_at=min(now, created + timedelta(days=rng.randrange(0, 20))),
        )
        comment = Comment.objects.create(
            workspace=workspace,
            post=post,
            commenter=commenter,
            lead=lead,
            urn=f"urn:li:comment:{n}",
            text="How?",
            commented_at=created,
        )
        attribute_comment(lead=lead, comment=comment)
    return made


def _leads_created_grouped(*, workspace, **periods):
    """_leads_created_in_ranges' figures as the database groups them (its other path)."""
    from apps.accounts.tenancy import owned

    leads = owned(Lead, workspace=workspace).exclude(status=Lead.Status.NOT_A_LEAD)
    return selectors._leads_created_grouped(leads, **periods)


def both_ways(workspace, days, monkeypatch):
    in_database = selectors.dashboard(workspace=workspace, days=days, now=NOW[0])
    with monkeypatch.context() as patched:
        patched.setattr(selectors, "_period_posts_in_database", selectors._period_posts_from_rows)
        patched.setattr(selectors, "_leads_created_in_ranges", _leads_created_grouped)
        patched.setattr(selectors, "_leads_converted", selectors._leads_converted_grouped)
        from_rows = selectors.dashboard(workspace=workspace, days=days, now=NOW[0])
    return in_database, from_rows


NOW = [None]


def counted_funnel(workspace) -> list[tuple]:
    """The funnel counted from the leads themselves (the dashboard reads kept totals)."""
    from django.db.models import Count, Sum

    rows = {
        row["status"]: (row["n"], row["value"] or 0)
        for row in Lead.objects.filter(workspace=workspace)
        .order_by()
        .values("status")
        .annotate(n=Count("id"), value=Sum("value_eur"))
    }
    return [
        (status, *rows.get(status, (0, 0)))
        for status, _label in Lead.Status.choices
        if status not in (Lead.Status.LOST, Lead.Status.NOT_A_LEAD)
    ]


def assert_same(workspace, monkeypatch):
    NOW[0] = timezone.now()
    for days in selectors.PERIODS:
        in_database, from_rows = both_ways(workspace, days, monkeypatch)
        assert in_database == from_rows, days
        assert in_database.figures["published"] > 0
    funnel = [(stage["status"], stage["count"], stage["value"]) for stage in in_database.funnel]
    assert funnel == counted_funnel(workspace)


@pytest.mark.parametrize("seed", [1, 2])
def test_the_dashboard_grouped_in_the_database_equals_the_rows_grouped_here(
    alice_workspace, monkeypatch, seed
):
    varied_history(alice_workspace, seed=seed)
    assert_same(alice_workspace, monkeypatch)


def test_they_stay_equal_through_changes_deletions_new_figures_and_a_new_time_zone(
    alice_workspace, monkeypatch
):
    posts = varied_history(alice_workspace, seed=3)
    lead = Lead.objects.filter(workspace=alice_workspace).exclude(status="converted").first()
    lead.status = Lead.Status.CONVERTED
    lead.value_eur = Decimal("4321")
    lead.status_changed_at = timezone.now() - timedelta(hours=2)
    lead.save()
    Lead.objects.filter(workspace=alice_workspace).order_by("pk").last().delete()
    posts[0].delete()
    # Metrics arriving twice for the same post: the later reading is the post's.
    for impressions in (700, 900):
        Post.objects.filter(pk=posts[1].pk).update(
            impressions=impressions, metrics_at=timezone.now()
        )
    assert_same(alice_workspace, monkeypatch)
    alice_workspace.timezone = "America/Los_Angeles"
    alice_workspace.save()
    assert_same(alice_workspace, monkeypatch)


def test_they_stay_equal_whatever_writes_the_leads(alice, alice_workspace, monkeypatch):
    """The in-database side reads lead totals kept by triggers (Post.attributed_leads and
    attributed_value, LeadStatusTotals); the row-by-row side counts the leads. Bulk status
    changes to and from "not a lead" and "converted", new values, new first comments on
    other posts, raw SQL and deletions of leads, commenters and a post must leave them
    equal."""
    from django.db import connection

    from apps.leads.services import lead_update

    rng = random.Random(8)
    posts = varied_history(alice_workspace, seed=1)
    leads = list(Lead.objects.filter(workspace=alice_workspace).order_by("pk"))
    statuses = [s for s, _label in Lead.Status.choices]
    Lead.objects.filter(pk__in=[lead.pk for lead in leads[:20]]).update(
        status=Lead.Status.NOT_A_LEAD
    )
    Lead.objects.filter(pk__in=[lead.pk for lead in leads[20:40]]).update(
        status=Lead.Status.CONVERTED, value_eur=Decimal("999.99")
    )
    for lead in leads[40:60]:
        lead.refresh_from_db()
        lead_update(
            lead=lead,
            actor=alice,
            status=rng.choice(statuses),
            value_eur=Decimal(rng.randrange(0, 3000)),
            fields={"value_eur"},
        )
    for n, lead in enumerate(leads[60:75]):
        comment = Comment.objects.create(
            workspace=alice_workspace,
            post=rng.choice(posts),
            commenter=lead.commenter,
            lead=lead,
            urn=f"urn:li:comment:earlier-{n}",
            text="First!",
            commented_at=timezone.now() - timedelta(days=365),
        )
        attribute_comment(lead=lead, comment=comment)
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE leads_lead SET status = 'new' WHERE id = ANY(%s)",
            [[lead.pk for lead in leads[:5]]],
        )
    for lead in leads[75:80]:
        lead.commenter.delete()
    Lead.objects.filter(pk__in=[lead.pk for lead in leads[80:85]]).delete()
    max(posts, key=lambda post: post.sourced_leads.count()).delete()

    assert_same(alice_workspace, monkeypatch)


def test_groups_that_tie_keep_the_order_of_their_newest_changed_post(alice_workspace, monkeypatch):
    # Two topics, two posts each, no impressions and no leads: a tie on every sort key. The
    # topic whose post changed last comes first, as row by row, although its other post
    # changed before both of the other topic's.
    now = timezone.now()
    for n, topic in enumerate(["Tie X", "Tie Y", "Tie Y", "Tie X"]):
        post = Post.objects.create(
            workspace=alice_workspace,
            status=Post.Status.PUBLISHED,
            text="t",
            topic=topic,
            published_at=now - timedelta(days=1, hours=n),
            metrics_at=now - timedelta(days=1),
        )
        Post.objects.filter(pk=post.pk).update(updated_at=now - timedelta(minutes=n))
    assert_same(alice_workspace, monkeypatch)
    data = selectors.dashboard(workspace=alice_workspace, days=7)
    assert [g.key for g in data.by_topic] == ["Tie X", "Tie Y"]


def test_groups_changed_at_the_same_moment_come_highest_id_first(alice_workspace, monkeypatch):
    # Two topics, two posts each, a tie on every sort key, and both topics' latest change
    # the same moment: the topic with the highest post id comes first, although its post
    # with that id changed after the other topic's.
    now = timezone.now()
    for topic, changed in [
        ("Tie X", now),
        ("Tie Y", now),
        ("Tie Y", now - timedelta(hours=2)),
        ("Tie X", now - timedelta(hours=1)),
    ]:
        post = Post.objects.create(
            workspace=alice_workspace,
            status=Post.Status.PUBLISHED,
            text="t",
            topic=topic,
            published_at=now - timedelta(days=1),
            metrics_at=now - timedelta(days=1),
        )
        Post.objects.filter(pk=post.pk).update(updated_at=changed)
    assert_same(alice_workspace, monkeypatch)
    data = selectors.dashboard(workspace=alice_workspace, days=7)
    assert [g.key for g in data.by_topic] == ["Tie X", "Tie Y"]


def test_an_empty_period_has_no_groups_and_no_top_posts(alice_workspace):
    data = selectors.dashboard(workspace=alice_workspace, days=7)
    assert data.figures["published"] == 0
    assert data.figures["impressions"] is None
    assert data.by_framework == []
    assert data.top_posts == []
    assert data.missing_impressions == data.awaiting_figures == 0


def test_time_slots_are_the_workspaces_local_weekday_and_hour(alice_workspace):
    published = timezone.now() - timedelta(days=1)
    Post.objects.create(
        workspace=alice_workspace,
        status=Post.Status.PUBLISHED,
        text="t",
        published_at=published,
        impressions=10,
        metrics_at=published,
    )
    local = published.astimezone(zoneinfo.ZoneInfo(alice_workspace.timezone))
    data = selectors.dashboard(workspace=alice_workspace, days=7)
    assert [g.key for g in data.by_slot] == [f"{local.weekday()}-{local.hour:02d}"]


def leads_created_at(workspace, moments, rng, *, statuses):
    """A lead created (and its status last changed) at each moment, of a status and a value
    (none, a whole number of euros, or 12.50) drawn from rng."""
    commenters = Commenter.objects.bulk_create(
        Commenter(workspace=workspace, actor_urn=f"urn:li:person:at{n}")
        for n in range(len(moments))
    )
    Lead.objects.bulk_create(
        Lead(
            workspace=workspace,
            commenter=commenter,
            status=rng.choice(statuses),
            value_eur=rng.choice([None, Decimal(rng.randrange(100, 9000)), Decimal("12.50")]),
            created_at=moment,
            status_changed_at=moment,
        )
        for commenter, moment in zip(commenters, moments, strict=True)
    )


@pytest.mark.parametrize(
    "zone",
    # Berlin leaves summer time inside the 90 days, Santiago skips its local midnight of 6
    # September (00:00 becomes 01:00) and went back an hour in the previous period, Kolkata
    # is half an hour off the hour.
    ["Europe/Berlin", "America/Santiago", "Asia/Kolkata", "UTC"],
)
def test_leads_counted_in_local_day_ranges_equal_those_grouped_by_their_local_date(
    alice_workspace, zone
):
    """Leads on, just before and just after every local midnight and the periods' edges,
    and at random, of every status and value: counted per local-day range, as the database
    groups them by local date."""
    from apps.accounts.tenancy import owned

    tz = zoneinfo.ZoneInfo(zone)
    rng = random.Random(zone)
    end = datetime(2026, 11, 2, 15, 17, 23, tzinfo=UTC)
    start = end - timedelta(days=90)
    previous_start = start - timedelta(days=90)
    tick = timedelta(microseconds=1)
    moments = [previous_start, start - tick, start, start + tick, end - tick, end]
    day = previous_start.astimezone(tz).date() - timedelta(days=1)
    while day <= end.astimezone(tz).date() + timedelta(days=1):
        midnight = datetime.combine(day, time(), tzinfo=tz).astimezone(UTC)
        moments += [midnight - tick, midnight, midnight + tick]
        day += timedelta(days=1)
    moments += [previous_start + (end - previous_start) * rng.random() for _ in range(300)]
    statuses = [s for s, _label in Lead.Status.choices]
    leads_created_at(alice_workspace, moments, rng, statuses=statuses)
    leads = owned(Lead, workspace=alice_workspace).exclude(status=Lead.Status.NOT_A_LEAD)
    periods = {"previous_start": previous_start, "start": start, "end": end, "tz": tz}

    def ordered(rows):
        return sorted(rows, key=lambda row: (row[0], row[1] or date.min, row[2]))

    in_ranges = ordered(selectors._leads_created_in_ranges(workspace=alice_workspace, **periods))
    grouped = ordered(selectors._leads_created_grouped(leads, **periods))
    assert in_ranges == grouped
    assert (
        sum(n for _current, _day, _status, n, _value in in_ranges)
        == leads.filter(created_at__gte=previous_start, created_at__lt=end).count()
    )
    assert {day for current, day, *_rest in in_ranges if current} >= {
        start.astimezone(tz).date(),
        end.astimezone(tz).date(),
    }
    # The converted ones, by the time they were converted (here the same moments), placed in
    # the local days' buckets as the database dates them.
    bucketed = ordered(selectors._leads_converted(workspace=alice_workspace, **periods))
    assert bucketed == ordered(
        selectors._leads_converted_grouped(workspace=alice_workspace, **periods)
    )
    assert len(bucketed) > 30


@pytest.mark.parametrize(
    ("zone", "end"),
    [
        # Kolkata's days begin at 18:30 UTC, inside an hour; this period ends ten minutes
        # into a local day, so its last day has no whole hour at all.
        ("Asia/Kolkata", datetime(2026, 11, 2, 18, 40, 5, tzinfo=UTC)),
        # Kathmandu's at 18:15 UTC; Santiago's move by an hour with daylight saving.
        ("Asia/Kathmandu", datetime(2026, 11, 2, 15, 17, 23, tzinfo=UTC)),
        ("America/Santiago", datetime(2026, 11, 2, 15, 17, 23, tzinfo=UTC)),
    ],
)
def test_leads_counted_from_hourly_totals_equal_those_grouped_through_changes_and_deletes(
    alice_workspace, zone, end
):
    """The whole hours of each local day come from the hourly totals, the part of an hour at
    either edge from the leads: leads on every UTC hour boundary near a local midnight or a
    period's edge, then status and value changes and deletions, are counted as the database
    groups them by local date."""
    from apps.accounts.tenancy import owned

    tz = zoneinfo.ZoneInfo(zone)
    rng = random.Random(zone)
    start = end - timedelta(days=30)
    previous_start = start - timedelta(days=30)
    tick = timedelta(microseconds=1)
    hour = timedelta(hours=1)
    edges = [previous_start, start, end]
    day = previous_start.astimezone(tz).date()
    while day <= end.astimezone(tz).date() + timedelta(days=1):
        edges.append(datetime.combine(day, time(), tzinfo=tz).astimezone(UTC))
        day += timedelta(days=2)
    moments = []
    for edge in edges:
        on_the_hour = edge.replace(minute=0, second=0, microsecond=0)
        for boundary in (on_the_hour, on_the_hour + hour):
            moments += [boundary - tick, boundary, boundary + tick]
        moments += [edge - tick, edge]
    moments += [previous_start + (end - previous_start) * rng.random() for _ in range(200)]
    statuses = [s for s, _label in Lead.Status.choices]
    leads_created_at(alice_workspace, moments, rng, statuses=statuses)
    leads = owned(Lead, workspace=alice_workspace).exclude(status=Lead.Status.NOT_A_LEAD)
    periods = {"previous_start": previous_start, "start": start, "end": end, "tz": tz}

    def assert_counted_alike():
        in_ranges = sorted(
            selectors._leads_created_in_ranges(workspace=alice_workspace, **periods),
            key=lambda row: (row[0], row[1] or date.min, row[2]),
        )
        grouped = sorted(
            selectors._leads_created_grouped(leads, **periods),
            key=lambda row: (row[0], row[1] or date.min, row[2]),
        )
        assert in_ranges == grouped
        assert sum(row[3] for row in in_ranges) == (
            leads.filter(created_at__gte=previous_start, created_at__lt=end).count()
        )

    assert_counted_alike()
    ids = list(Lead.objects.filter(workspace=alice_workspace).values_list("pk", flat=True))
    for _round in range(4):
        chosen = rng.sample(ids, 40)
        Lead.objects.filter(pk__in=chosen[:15]).update(status=rng.choice(statuses))
        Lead.objects.filter(pk__in=chosen[15:25]).update(value_eur=rng.choice([None, 40]))
        Lead.objects.filter(pk__in=chosen[25:30]).update(
            created_at=F("created_at") + timedelta(minutes=37)
        )
        Lead.objects.filter(pk__in=chosen[30:]).delete()
        ids = [pk for pk in ids if pk not in chosen[30:]]
        assert_counted_alike()


@pytest.mark.parametrize(
    "zone",
    # Berlin and Los Angeles leave summer time inside the 90 days, Santiago skips its local
    # midnight of 6 September, Lord Howe moves its clocks by half an hour, Kolkata and
    # Kathmandu are half and three quarters of an hour off the hour.
    [
        "Europe/Berlin",
        "America/Los_Angeles",
        "America/Santiago",
        "Australia/Lord_Howe",
        "Asia/Kolkata",
        "Asia/Kathmandu",
        "UTC",
    ],
)
def test_posts_summed_per_local_hour_bucket_equal_those_converted_one_by_one(
    alice_workspace, zone, monkeypatch
):
    """Posts on, just before and just after every local midnight, every change of the
    clocks and the period's edges, and at random: their local days and weekday-hours worked
    out from the local hours' starts in the database are those Python converts them to."""
    monkeypatch.setattr(selectors, "_SHOWN", {})  # every weekday-hour, not the best ten
    tz = zoneinfo.ZoneInfo(zone)
    rng = random.Random(zone)
    end = datetime(2026, 11, 2, 15, 17, 23, tzinfo=UTC)
    start = end - timedelta(days=90)
    tick = timedelta(microseconds=1)
    moments = [start, start + tick, end - tick]
    day = start.astimezone(tz).date()
    while day <= end.astimezone(tz).date() + timedelta(days=1):
        midnight = datetime.combine(day, time(), tzinfo=tz).astimezone(UTC)
        moments += [midnight - tick, midnight, midnight + tick]
        day += timedelta(days=1)
    moment = start
    while moment < end:  # the changes of the clocks, to the minute
        later = moment + timedelta(minutes=15)
        if moment.astimezone(tz).utcoffset() != later.astimezone(tz).utcoffset():
            change = moment
            while change.astimezone(tz).utcoffset() == moment.astimezone(tz).utcoffset():
                change += timedelta(minutes=1)
            moments += [change - tick, change, change + tick, change + timedelta(minutes=59)]
        moment = later
    moments += [start + (end - start) * rng.random() for _ in range(300)]
    Post.objects.bulk_create(
        Post(
            workspace=alice_workspace,
            status=Post.Status.PUBLISHED,
            text="t",
            published_at=moment,
            impressions=rng.choice([None, rng.randrange(50, 5000)]),
            metrics_at=moment,
        )
        for moment in moments
        if start <= moment < end
    )
    posts = selectors._published_posts(workspace=alice_workspace, since=start, until=end)
    period = {"workspace": alice_workspace, "start": start, "end": end, "tz": tz}

    in_database = selectors._period_posts_in_database(posts, **period)
    assert in_database == selectors._period_posts_from_rows(posts, **period)
    assert sum(tally[0] for tally in in_database.days.values()) == posts.count()
    assert len(in_database.groups["weekday_hour"]) > 100


def test_a_local_day_skipped_whole_holds_no_hour():
    # Samoa went from 29 to 31 December 2011: the 30th's hours begin where the 31st does, so
    # the hours stay in order and every instant falls in the hour Python converts it to.
    from bisect import bisect_right

    tz = zoneinfo.ZoneInfo("Pacific/Apia")
    start = datetime(2011, 12, 29, 12, tzinfo=UTC)
    end = datetime(2012, 1, 1, tzinfo=UTC)
    first_day, since, offsets = selectors._local_hour_starts(start=start, end=end, tz=tz)
    assert offsets == sorted(offsets)
    moment = start
    while moment < end:
        index = bisect_right(offsets, (moment - since) // timedelta(seconds=1)) - 1
        local = moment.astimezone(tz)
        assert (first_day + timedelta(days=index // 24), index % 24) == (local.date(), local.hour)
        moment += timedelta(minutes=20)


@pytest.mark.django_db(transaction=True)
def test_the_lead_figures_read_alongside_are_those_read_in_the_pages_own_connection(
    alice_workspace, charlie_workspace, settings
):
    """The previous period's totals, the leads created and converted and the funnel come from
    a second connection (apps/core/alongside.py) while the posts are grouped: the same
    dashboard as with every query in one connection, the other workspace's rows never in it,
    and four queries fewer on the page's own connection."""
    varied_history(alice_workspace, seed=5)
    varied_history(charlie_workspace, seed=6, posts=30)
    now = timezone.now()
    for days in selectors.PERIODS:
        settings.CONCURRENT_READS = False
        with CaptureQueriesContext(connection) as one_connection:
            in_one = selectors.dashboard(workspace=alice_workspace, days=days, now=now)
        settings.CONCURRENT_READS = True
        with CaptureQueriesContext(connection) as beside:
            alongside = selectors.dashboard(workspace=alice_workspace, days=days, now=now)
        assert alongside == in_one, days
        assert in_one.figures["new_leads"] > 0
        assert in_one.previous["published"] > 0
        assert len(beside) == len(one_connection) - 4
