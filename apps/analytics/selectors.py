"""Reads for the dashboard, the post metrics section, attribution and exports.

Definitions used throughout (the tests recompute them from raw rows):

- A post "in a period" is a published post whose `published_at` falls in [start, end).
- Its impressions and engagement are its *latest* figures (Post.impressions etc., kept up to
  date by the collector), so a period's impressions are the impressions its posts have had so
  far, wherever in time they happened. Posts without impressions (no analytics permission)
  count as missing, not as zero.
- Engagement = reactions + comments + reshares; engagement rate = engagement / impressions,
  over the posts whose impressions are known.
- A lead is attributed to the post of its first comment (earliest commented_at), kept on the
  lead as `source_post`. Leads marked "not a lead" never count.
- The "over time" chart is per publication day (workspace-local): each post's latest figures
  on the day it went out, so a day's bar is "what that day's posts achieved".
"""

from __future__ import annotations

import zoneinfo
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from django.db import connections, router
from django.db.models import (
    BooleanField,
    Case,
    Count,
    DateField,
    ExpressionWrapper,
    F,
    Q,
    Sum,
    When,
)
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone

from apps.accounts.tenancy import owned
from apps.analytics.models import MetricSnapshot
from apps.content.models import Post, PostTemplate
from apps.core.alongside import alongside
from apps.core.prepared import statement_cursor
from apps.leads.models import Comment, Lead

PERIODS = (7, 30, 90)
OPEN_STATUSES = (Lead.Status.NEW, Lead.Status.CONTACTED, Lead.Status.QUALIFIED)
DIMENSIONS = ("framework", "template_key", "topic", "hook", "weekday_hour")
POST_FIELDS = (
    "id",
    "published_at",
    "impressions",
    "reactions",
    "comment_count",
    "reshares",
    "framework",
    "template_key",
    "hook",
    "topic",
)


def period_days(raw) -> int:
    try:
        days = int(raw)
    except (TypeError, ValueError):
        return 30
    return days if days in PERIODS else 30


def delta_percent(current, previous) -> float | None:
    """Change against the previous period in percent; None where there is nothing to compare."""
    if current is None or previous in (None, 0):
        return None
    return round((float(current) - float(previous)) * 100 / float(previous), 1)


def engagement_of(row: dict) -> int:
    return row["reactions"] + row["comment_count"] + (row["reshares"] or 0)


def _published_posts(*, workspace, since: datetime | None = None, until: datetime | None = None):
    posts = owned(Post, workspace=workspace).filter(
        status=Post.Status.PUBLISHED, published_at__isnull=False
    )
    if since is not None:
        posts = posts.filter(published_at__gte=since)
    if until is not None:
        posts = posts.filter(published_at__lt=until)
    return posts


def leads_per_post(*, workspace, posts=None) -> dict[int, dict]:
    """{post id: {"leads": n, "converted_value": Decimal}}, each lead counted for the post of
    its first comment (Lead.source_post, kept by leads.services.attribute_comment). One
    grouped query; `posts`, a Post queryset, narrows it to those posts. Leads marked "not a
    lead" never count.

    On PostgreSQL the per-post totals the triggers on leads_lead keep on the post
    (Post.attributed_leads and attributed_value: the same definition, kept with every lead
    write), read instead of counting the leads, for every caller alike (the analytics page's
    groupings); elsewhere grouped from the leads. Posts without leads are left out either way."""
    leads = (
        owned(Lead, workspace=workspace)
        .filter(source_post__isnull=False)
        .exclude(status=Lead.Status.NOT_A_LEAD)
    )
    if connections[leads.db].vendor == "postgresql":
        totals = owned(Post, workspace=workspace).filter(
            ~Q(attributed_leads=0) | ~Q(attributed_value=0)
        )
        if posts is not None:
            totals = totals.filter(id__in=posts.values("id"))
        return {
            post_id: {"leads": n, "converted_value": won}
            for post_id, n, won in totals.order_by().values_list(
                "id", "attributed_leads", "attributed_value"
            )
        }
    if posts is not None:
        leads = leads.filter(source_post__in=posts.values("id"))
    rows = (
        leads.order_by()  # no default ordering in the GROUP BY
        .values("source_post")
        .annotate(n=Count("id"), won=Sum("value_eur", filter=Q(status=Lead.Status.CONVERTED)))
    )
    return {
        row["source_post"]: {"leads": row["n"], "converted_value": row["won"] or Decimal(0)}
        for row in rows
    }


@dataclass
class Group:
    key: str
    label: str
    posts: int = 0
    impressions: int | None = None
    engagement: int = 0
    leads: int = 0
    converted_value: Decimal = field(default_factory=lambda: Decimal(0))

    @property
    def leads_per_1000(self) -> float | None:
        if not self.impressions:
            return None
        return self.leads * 1000 / self.impressions


def _key_and_label(dimension: str):
    """A function from a post's value for one dimension to the group's (key, label); for
    weekday_hour the value is the workspace-local (weekday, hour). Labels are looked up once,
    not per row: a dashboard groups thousands of rows five ways."""
    if dimension == "weekday_hour":
        from django.utils.dates import WEEKDAYS_ABBR

        days = [str(WEEKDAYS_ABBR[d]) for d in range(7)]

        def weekday_hour(value):
            weekday, hour = value
            return f"{weekday}-{hour:02d}", f"{days[weekday]} {hour:02d}:00"

        return weekday_hour
    if dimension == "framework":
        from apps.content.models import Framework

        labels = {value: str(label) for value, label in Framework.choices}
        return lambda value: (value, labels.get(value, value) or "—")
    return lambda value: (value, value or "—")


def _dimension_keys(dimension: str, tz):
    """A function from a post row and its workspace-local publication time to (key, label)
    for one dimension."""
    key_and_label = _key_and_label(dimension)
    if dimension == "weekday_hour":
        return lambda row, local: key_and_label((local.weekday(), local.hour))
    return lambda row, local: key_and_label(row[dimension])


# templates_for's templates (the shared library and the workspace's own, active ones) of the
# given keys, in PostTemplate's order (framework, name): where the library and the workspace
# both have a key, the later one names it, as with the ORM's query.
_TEMPLATE_NAMES = """
SELECT key, name FROM content_posttemplate
WHERE (workspace_id IS NULL OR workspace_id = %s) AND is_active AND key = ANY(%s)
ORDER BY framework, name
"""


def _with_template_names(groups: list[Group], *, workspace) -> list[Group]:
    """The templates' names ("One-way and two-way doors") instead of their keys
    ("architecture-decision/reversible-or-not"); a key no longer in the library keeps its key.
    One query, only when there is something to name."""
    from apps.content.selectors import templates_for

    keys = [g.key for g in groups if g.key]
    if not keys:
        return groups
    db = connections[router.db_for_read(PostTemplate)]
    if db.vendor == "postgresql":
        # A statement prepared once per connection, the keys one array parameter: the ORM's
        # query cost more to build than to run.
        with statement_cursor(db) as cursor:
            cursor.execute(_TEMPLATE_NAMES, [workspace.pk, keys])
            names = dict(cursor.fetchall())
    else:
        names = dict(
            templates_for(workspace=workspace).filter(key__in=keys).values_list("key", "name")
        )
    for group in groups:
        group.label = names.get(group.key, group.label)
    return groups


def group_posts(rows: list[dict], leads: dict[int, dict], *, dimension: str, tz) -> list[Group]:
    """Group post rows (values of POST_FIELDS) by a dimension, sorted by leads per 1,000
    impressions (unknown last), then leads, then posts."""
    return group_posts_by(rows, leads, dimensions=(dimension,), tz=tz)[dimension]


def group_posts_by(
    rows: list[dict],
    leads: dict[int, dict],
    *,
    dimensions,
    tz,
    local_times=None,
    updated_ats=None,
    limits=None,
) -> dict[str, list[Group]]:
    """group_posts for several dimensions in one pass over the rows: each row's engagement,
    attributed leads and workspace-local time are worked out once, not once per dimension
    (the dashboard groups some 8,000 rows five ways at ten times the size). `local_times`,
    the rows' published_at in `tz` in row order, saves converting them again.

    Groups that tie come in the order their first row comes; given `updated_ats`, the rows'
    updated_at in row order, newest change first instead: by their latest updated_at, then
    their highest id, as PostgreSQL orders them for the dashboard (_GROUPED_PERIOD)."""
    key_ofs = [(dimension, _dimension_keys(dimension, tz)) for dimension in dimensions]
    # Per dimension: key -> [label, posts, impressions or None, engagement, leads, value],
    # in the order keys first appear (ties keep it after the sort, as before).
    tallies: dict[str, dict] = {dimension: {} for dimension in dimensions}
    # Per dimension: key -> [latest updated_at, highest id] (given updated_ats).
    changed: dict[str, dict] = {dimension: {} for dimension in dimensions}
    for index, row in enumerate(rows):
        if local_times is not None:
            local = local_times[index]
        else:
            local = row["published_at"].astimezone(tz) if "weekday_hour" in dimensions else None
        impressions = row["impressions"]
        engagement = engagement_of(row) if impressions is not None else 0
        attributed = leads.get(row["id"])
        for dimension, key_of in key_ofs:
            key, label = key_of(row, local)
            tally = tallies[dimension].get(key)
            if tally is None:
                tally = tallies[dimension][key] = [label, 0, None, 0, 0, Decimal(0)]
            if updated_ats is not None:
                newest = changed[dimension].setdefault(key, [updated_ats[index], row["id"]])
                newest[0] = max(newest[0], updated_ats[index])
                newest[1] = max(newest[1], row["id"])
            tally[1] += 1
            if impressions is not None:
                tally[2] = (tally[2] or 0) + impressions
                tally[3] += engagement
            if attributed:
                tally[4] += attributed["leads"]
                tally[5] += attributed["converted_value"]
    if updated_ats is not None:
        for dimension in dimensions:
            order = changed[dimension]
            tallies[dimension] = dict(
                sorted(tallies[dimension].items(), key=lambda item: order[item[0]], reverse=True)
            )
    limits = limits or {}
    return {
        dimension: _sorted_groups(tallies[dimension], limits.get(dimension))
        for dimension in dimensions
    }


def _sorted_groups(tallies: dict, limit: int | None = None) -> list[Group]:
    """Groups from {key: [label, posts, impressions or None, engagement, leads, value]}, sorted
    by leads per 1,000 impressions (unknown last), then leads, then posts; ties keep the
    tallies' order. Only the first `limit` are made (all without one): a month's weekday-hours
    and hooks run to hundreds, of which the dashboard shows ten and five."""

    def rank(item):
        _label, posts, impressions, _engagement, leads, _value = item[1]
        per_1000 = leads * 1000 / impressions if impressions else None
        return (per_1000 is None, -(per_1000 or 0), -leads, -posts)

    return [
        Group(
            key=key,
            label=label,
            posts=posts,
            impressions=impressions,
            engagement=engagement,
            leads=n,
            converted_value=value,
        )
        for key, (label, posts, impressions, engagement, n, value) in sorted(
            tallies.items(), key=rank
        )[:limit]
    ]


def leads_by(*, workspace, dimension: str, since: datetime | None = None) -> list[Group]:
    """Attribution: posts, impressions, leads, converted value and leads per 1,000 impressions
    per framework, template_key, hook or weekday_hour (workspace-local). Two queries."""
    if dimension not in DIMENSIONS:
        raise ValueError(f"dimension must be one of {DIMENSIONS}, not {dimension!r}")
    posts = _published_posts(workspace=workspace, since=since)
    rows = list(posts.values(*POST_FIELDS))
    leads = leads_per_post(workspace=workspace, posts=posts if since is not None else None)
    return group_posts(rows, leads, dimension=dimension, tz=zoneinfo.ZoneInfo(workspace.timezone))


def template_performance(*, workspace, prior_impressions: int = 5000) -> dict[str, float]:
    """Template key -> multiplier around 1.0 for the content engine's ranking: the template's
    leads per 1,000 impressions, shrunk toward the workspace mean by `prior_impressions` worth
    of average evidence, relative to that mean, clamped to 0.5..2.0. Templates whose posts have
    no impressions are left out (the engine treats a missing key as 1.0)."""
    groups = [
        g
        for g in leads_by(workspace=workspace, dimension="template_key")
        if g.key and g.impressions
    ]
    impressions = sum(g.impressions for g in groups)
    leads = sum(g.leads for g in groups)
    if not impressions or not leads:
        return {g.key: 1.0 for g in groups}
    mean = leads / impressions
    result = {}
    for g in groups:
        smoothed = (g.leads + prior_impressions * mean) / (g.impressions + prior_impressions)
        result[g.key] = round(min(2.0, max(0.5, smoothed / mean)), 3)
    return result


@dataclass
class Dashboard:
    days: int
    start: datetime
    end: datetime
    figures: dict
    previous: dict
    deltas: dict
    missing_impressions: int
    has_published: bool
    by_day: list[tuple[str, int, int]]
    leads_by_week: list[tuple[str, int]]
    funnel: list[dict]
    by_framework: list[Group]
    by_template: list[Group]
    top_posts: list[dict]
    by_topic: list[Group] = field(default_factory=list)
    by_slot: list[Group] = field(default_factory=list)
    by_hook: list[Group] = field(default_factory=list)
    imported_figures: int = 0  # posts of the period whose figures are imported
    # Of missing_impressions: posts not measured yet (no figures at all, nothing to do with
    # permissions), and posts measured without impressions (what LinkedIn let us read).
    awaiting_figures: int = 0
    measured_without_impressions: int = 0
    # Each stat card's figure over the period, for its sparkline: (bucket start, value) per
    # day over 7 days, per week over longer periods; None where the figure is unknown (a
    # rate without impressions).
    trend_unit: str = "day"
    trends: dict = field(default_factory=dict)


def _period_figures(rows: list[dict]) -> dict:
    known = [r for r in rows if r["impressions"] is not None]
    impressions = sum(r["impressions"] for r in known) if known else None
    # Imported figures (LinkedIn's export) bring impressions but no reactions or comments
    # the app read, so the rate counts only posts whose engagement it knows.
    rated = [r for r in known if not r.get("imported")]
    rated_impressions = sum(r["impressions"] for r in rated)
    engagement = sum(engagement_of(r) for r in rated)
    return {
        "published": len(rows),
        "impressions": impressions,
        "engagement_rate": engagement * 100 / rated_impressions if rated_impressions else None,
    }


def _period_totals() -> dict:
    """The aggregates _period_figures_of turns into a period's figures, for posts annotated
    with `imported`: the same figures _period_figures computes from rows, summed by the
    database."""
    known = Q(impressions__isnull=False)
    rated = known & Q(imported=False)
    return {
        "posts": Count("id"),
        # NULL (unknown) when no post has impressions, as in _period_figures.
        "known_impressions": Sum("impressions", filter=known),
        "rated_impressions": Sum("impressions", filter=rated),
        "rated_engagement": Sum(
            F("reactions") + F("comment_count") + Coalesce(F("reshares"), 0), filter=rated
        ),
    }


def _period_figures_of(totals: dict) -> dict:
    rated_impressions = totals["rated_impressions"] or 0
    return {
        "published": totals["posts"],
        "impressions": totals["known_impressions"],
        "engagement_rate": (totals["rated_engagement"] or 0) * 100 / rated_impressions
        if rated_impressions
        else None,
    }


# How many groups of these dimensions the dashboard shows: topics and time slots can run to a
# hundred, hooks to a post each; the best ten and five are what a person reads (the CSV export
# has every post). Other dimensions show all their groups.
_SHOWN = {"topic": 10, "weekday_hour": 10, "hook": 5}


@dataclass
class _PeriodPosts:
    """What the dashboard shows of a period's published posts.

    totals: posts, known (with impressions), known_impressions (None when none is known),
    rated_impressions and rated_engagement (known and not imported), imported, awaiting
    (never measured), measured_without_impressions. days: workspace-local publication day ->
    [posts, known, impressions, engagement, rated impressions, rated engagement]. groups:
    dimension -> sorted Groups (only the best of those _SHOWN limits). top_posts: the five
    with the most leads (then impressions, then the newest id), as post rows with their leads
    and leads per 1,000 impressions."""

    totals: dict
    days: dict
    groups: dict
    top_posts: list


def _day_totals(tally: list | None) -> dict:
    """A day tally (or a sum of them) as the totals _period_figures_of reads."""
    posts, known, impressions, _engagement, rated_impressions, rated_engagement = tally or [0] * 6
    return {
        "posts": posts,
        "known_impressions": impressions if known else None,
        "rated_impressions": rated_impressions,
        "rated_engagement": rated_engagement,
    }


def _period_posts(*, workspace, start: datetime, end: datetime, tz) -> _PeriodPosts:
    """The period's posts, summed per day and grouped five ways, in two queries whatever the
    database. On PostgreSQL the database sums and groups them (GROUPING SETS) and sends a few
    hundred group rows; elsewhere the rows are loaded and grouped here, as the same sums."""
    posts = _published_posts(workspace=workspace, since=start, until=end)
    if connections[posts.db].vendor == "postgresql":
        return _period_posts_in_database(posts, workspace=workspace, start=start, end=end, tz=tz)
    return _period_posts_from_rows(posts, workspace=workspace, start=start, end=end, tz=tz)


def _top_posts(rows: list[dict], leads_of) -> list[dict]:
    top_posts = sorted(
        ({**r, "leads": leads_of(r["id"])} for r in rows),
        key=lambda r: (-r["leads"], -(r["impressions"] or 0), -r["id"]),
    )[:5]
    for r in top_posts:
        r["leads_per_1000"] = r["leads"] * 1000 / r["impressions"] if r["impressions"] else None
    return top_posts


def _period_posts_from_rows(posts, *, workspace, start, end, tz) -> _PeriodPosts:
    """_period_posts from the rows: every post of the period loaded (query) and the leads
    attributed to them counted per post (query). `posts` are the period's ([start, end)),
    as _period_posts_in_database takes them too."""
    current = list(
        posts.annotate(
            imported=F("figures_imported"),
            measured=ExpressionWrapper(Q(metrics_at__isnull=False), output_field=BooleanField()),
        ).values(*POST_FIELDS, "imported", "measured", "updated_at")
    )
    updated_ats = [r.pop("updated_at") for r in current]
    attributed = leads_per_post(workspace=workspace, posts=posts)
    # Each post's workspace-local publication time, worked out once for the days and the
    # time slots.
    local_times = [r["published_at"].astimezone(tz) for r in current]
    days: dict = {}
    for r, local in zip(current, local_times, strict=True):
        tally = days.setdefault(local.date(), [0] * 6)
        tally[0] += 1
        if r["impressions"] is not None:
            engagement = engagement_of(r)
            tally[1] += 1
            tally[2] += r["impressions"]
            tally[3] += engagement
            if not r["imported"]:
                tally[4] += r["impressions"]
                tally[5] += engagement
    known = [r for r in current if r["impressions"] is not None]
    totals = _day_totals([sum(t[i] for t in days.values()) for i in range(6)])
    totals.update(
        known=len(known),
        imported=sum(1 for r in current if r["imported"]),
        awaiting=sum(1 for r in current if not r["measured"]),
        measured_without_impressions=sum(
            1 for r in current if r["measured"] and r["impressions"] is None
        ),
    )
    return _PeriodPosts(
        totals=totals,
        days=days,
        groups=group_posts_by(
            current,
            attributed,
            dimensions=DIMENSIONS,
            tz=tz,
            local_times=local_times,
            updated_ats=updated_ats,
            limits=_SHOWN,
        ),
        top_posts=_top_posts(current, lambda pk: attributed.get(pk, {}).get("leads", 0)),
    )


def _with_lead_totals(posts):
    """The posts with each one's attributed leads and their converted value, `leads` and
    `won`: the post's own columns (attributed_leads, attributed_value), kept by triggers on
    leads_lead and carried by the covering index post_published_cover_idx. Counting the leads
    per post here was half of the period's query at scale, joining a table of per-post totals
    a third. PostgreSQL only (SQLite keeps no totals)."""
    return posts.annotate(leads=F("attributed_leads"), won=F("attributed_value"))


def _local_hour_starts(*, start: datetime, end: datetime, tz) -> tuple[date, datetime, list]:
    """The workspace-local days from start's to end's, and where each of their local hours
    begins: (the first day, the instant it begins, the seconds from that instant to the start
    of each hour), 24 hours a day, hour 0 to 23, so hour number i is hour i % 24 of day
    i // 24. A local hour begins at its first occurrence (fold=0), as a day does in
    _local_day_bounds: where daylight saving repeats an hour, it lasts both occurrences;
    where it skips one, the skipped hour begins where the next one does and holds no instant.
    So each instant falls in the hour Python's astimezone gives it. Seconds, not datetimes:
    sending 2,000 datetimes cost 5 ms of the client's time, 2,000 numbers next to nothing."""
    first_day = start.astimezone(tz).date()
    last_day = end.astimezone(tz).date()
    since = datetime.combine(first_day, time(), tzinfo=tz).astimezone(UTC)
    second = timedelta(seconds=1)
    offsets = []
    irregular = False
    day = first_day
    local_midnight = datetime.combine(first_day, time(), tzinfo=tz)
    midnight = 0
    while day <= last_day:
        local_next = datetime.combine(day + timedelta(days=1), time(), tzinfo=tz)
        next_midnight = (local_next - since) // second
        if (
            next_midnight - midnight == 86400
            and local_next.utcoffset() == local_midnight.utcoffset()
        ):
            # The same offset all day (nearly every day): hours an hour apart.
            offsets += range(midnight, next_midnight, 3600)
        else:
            irregular = True
            offsets += [
                (datetime.combine(day, time(n), tzinfo=tz) - since) // second for n in range(24)
            ]
        day += timedelta(days=1)
        local_midnight, midnight = local_next, next_midnight
    if irregular:
        # A skipped hour, placed by the offset before the jump, can come out after the next
        # hour's start (a day skipped whole, as Samoa's 30 December 2011): it begins there.
        for index in range(len(offsets) - 2, -1, -1):
            offsets[index] = min(offsets[index], offsets[index + 1])
    return first_day, since, offsets


# A workspace's posts published in [start, end) with their attributed leads and converted
# value (the post's own columns, kept by the triggers on leads_lead: _with_lead_totals), the
# columns the two statements below read; all of them in post_published_cover_idx, so both
# are answered from the index alone. Written out, not built by the ORM for every visit (that
# cost a millisecond). Parameters: workspace, start, end.
_PERIOD_POSTS = """
SELECT id, published_at, updated_at, impressions, reactions, comment_count, reshares,
    framework, template_key, topic, hook, figures_imported AS imported,
    metrics_at IS NOT NULL AS measured, attributed_leads AS leads, attributed_value AS won
FROM content_post
WHERE workspace_id = %(workspace)s AND status = 'published' AND published_at IS NOT NULL
    AND published_at >= %(start)s AND published_at < %(end)s
"""


# The period's posts with their attributed leads (_with_lead_totals), summed by PostgreSQL in
# one pass four ways: per (framework, template), topic, hook and workspace-local hour of the
# period (_PERIOD_POSTS' rows); the hours' sums then summed again per day and per weekday-hour
# (a few hundred rows: the posts are read once). The frameworks and the templates are summed
# here from the first set: each grouping set costs a hash lookup and every aggregate per post,
# and the six sets this took before were most of the page's time at ten times the size. Each
# post's local hour comes from width_bucket over the instants where the hours begin
# (_local_hour_starts, built once from the seconds sent), not AT TIME ZONE per row. Each
# group carries its latest updated_at (as microseconds since the epoch: a number costs
# nothing to read, a datetime does) and its highest id, by which groups that tie are ordered,
# newest change first, as _period_posts_from_rows orders them. A post's converted value is
# added only where it has one (most have none): a numeric sum costs, in every set. Rows: (by
# framework and template, by topic, by hook, by day: 0 where the row is one of those),
# framework, template, topic, hook, the day's number or the weekday-hour, then the sums.
_GROUPED_PERIOD = """
WITH grouped AS MATERIALIZED (
    SELECT GROUPING(framework) AS by_framework, GROUPING(topic) AS by_topic,
        GROUPING(hook) AS by_hook, framework, template_key, topic, hook, hour,
        count(*) AS posts, count(impressions) AS known, sum(impressions) AS impressions,
        coalesce(sum(engagement) FILTER (WHERE impressions IS NOT NULL), 0) AS engagement,
        coalesce(sum(impressions) FILTER (WHERE NOT imported), 0) AS rated_impressions,
        coalesce(sum(engagement) FILTER (WHERE impressions IS NOT NULL AND NOT imported), 0)
            AS rated_engagement,
        coalesce(sum(leads), 0) AS leads,
        coalesce(sum(won) FILTER (WHERE has_won), 0.00) AS won,
        count(*) FILTER (WHERE imported) AS imported,
        count(*) FILTER (WHERE NOT measured) AS awaiting,
        count(*) FILTER (WHERE measured AND impressions IS NULL) AS without,
        max(updated_at) AS updated, max(id) AS highest_id
    FROM (
        SELECT id, updated_at, impressions,
            reactions + comment_count + coalesce(reshares, 0) AS engagement,
            framework, template_key, topic, hook, imported, measured, leads, won,
            won <> 0 AS has_won,
            width_bucket(published_at, (
                SELECT array_agg(%(since)s::timestamptz + s * interval '1 second' ORDER BY n)
                FROM unnest(%(hour_starts)s::int[]) WITH ORDINALITY AS starts(s, n)
            )) - 1 AS hour
        FROM ({base}) base
    ) p
    GROUP BY GROUPING SETS ((framework, template_key), (topic), (hook), (hour))
)
SELECT by_framework, by_topic, by_hook, 1, framework, template_key, topic, hook, NULL::int,
    posts, known, impressions, engagement, rated_impressions, rated_engagement, leads, won,
    imported, awaiting, without, (extract(epoch FROM updated) * 1000000)::bigint, highest_id
FROM grouped
WHERE by_framework = 0 OR by_topic = 0 OR by_hook = 0
UNION ALL
SELECT 1, 1, 1, GROUPING(day), NULL, NULL, NULL, NULL, coalesce(day, slot),
    sum(posts)::bigint, sum(known)::bigint, sum(impressions)::bigint, sum(engagement)::bigint,
    sum(rated_impressions)::bigint, sum(rated_engagement)::bigint, sum(leads)::bigint,
    sum(won), sum(imported)::bigint, sum(awaiting)::bigint, sum(without)::bigint,
    (extract(epoch FROM max(updated)) * 1000000)::bigint, max(highest_id)
FROM (
    SELECT *, hour / 24 AS day, (hour / 24 + %(weekday)s) %% 7 * 24 + hour %% 24 AS slot
    FROM grouped
    WHERE by_framework = 1 AND by_topic = 1 AND by_hook = 1
) hours
GROUP BY GROUPING SETS ((day), (slot))
"""


# The period's five posts with the most leads (then impressions, then the newest id), their
# page's columns and leads, of _PERIOD_POSTS' rows. The five ids come from
# post_top_leads_idx, a workspace's published posts in this very order, read from its start
# until five fall in the period (its ORDER BY must stay the index's expressions: `leads` is
# attributed_leads, never null), then the five posts are looked up by primary key.
_TOP_FIELDS = (*POST_FIELDS, "imported", "measured")
_TOP_PERIOD_POSTS = """
SELECT id, published_at, impressions, reactions, comment_count, reshares, framework,
    template_key, hook, topic, imported, measured, coalesce(leads, 0)
FROM ({base}) base
WHERE id IN (
    SELECT id FROM ({base}) ranked
    ORDER BY leads DESC, coalesce(impressions, 0) DESC, id DESC
    LIMIT 5
)
"""


def _period_posts_in_database(posts, *, workspace, start, end, tz) -> _PeriodPosts:
    """_period_posts summed and grouped by PostgreSQL (query), and the top five posts' rows
    (query): a few hundred rows instead of every post and its leads. `posts` are the
    period's ([start, end)), as _period_posts_from_rows takes them; only their database is
    read here: the statements name the workspace themselves (_PERIOD_POSTS, as the prepared
    statements of this module do, row-level security applying as to any query). Its local
    hours are worked out from start and end."""
    first_day, since, offsets = _local_hour_starts(start=start, end=end, tz=tz)
    period = {"workspace": workspace.pk, "start": start, "end": end}
    # Planned afresh each time, not prepared (statement_cursor): a generic plan knows neither
    # how many posts the period holds nor where, and read the top five by sorting all of a
    # month's posts for each of them (25 ms instead of 0.3).
    with connections[posts.db].cursor() as cursor:
        cursor.execute(
            _GROUPED_PERIOD.format(base=_PERIOD_POSTS),
            {
                **period,
                "since": since,
                "hour_starts": "{" + ",".join(map(str, offsets)) + "}",
                "weekday": first_day.weekday(),
            },
        )
        rows = cursor.fetchall()
        # query: the five posts with the most leads, then impressions, then the newest id
        cursor.execute(_TOP_PERIOD_POSTS.format(base=_PERIOD_POSTS), period)
        top = cursor.fetchall()
    labels = {dimension: _key_and_label(dimension) for dimension in DIMENSIONS}
    # Per dimension: key -> [label, posts, impressions or None, engagement, leads, won], and
    # key -> [latest updated_at, highest id] to order them by.
    tallies: dict[str, dict] = {dimension: {} for dimension in DIMENSIONS}
    newest: dict[str, dict] = {dimension: {} for dimension in DIMENSIONS}

    def add(dimension, key, label, figures, changed):
        tally = tallies[dimension].get(key)
        if tally is None:
            tallies[dimension][key] = [label, *figures]
            newest[dimension][key] = list(changed)
            return
        posts_n, impressions, engagement, leads, won = figures
        tally[1] += posts_n
        if impressions is not None:
            tally[2] = (tally[2] or 0) + impressions
        tally[3] += engagement
        tally[4] += leads
        tally[5] += won
        order = newest[dimension][key]
        order[0] = max(order[0], changed[0])
        order[1] = max(order[1], changed[1])

    days: dict = {}
    # posts, known, impressions, engagement, rated impressions and engagement, imported,
    # awaiting, measured without impressions: the days' sums.
    summed = [0] * 9
    weekday_hour = labels["weekday_hour"]
    for row in rows:
        grouped_framework, grouped_topic, grouped_hook, grouped_day = row[:4]
        # posts, impressions or None, engagement, leads, won; latest updated_at, highest id
        figures, changed = (row[9], row[11], row[12], row[15], row[16]), row[20:]
        if not grouped_day:  # a local day's row
            posts_n, known, impressions, engagement, rated_impressions, rated_engagement = row[9:15]
            days[first_day + timedelta(days=row[8])] = tally = [
                posts_n,
                known,
                impressions or 0,
                engagement,
                rated_impressions,
                rated_engagement,
            ]
            for index, value in enumerate((*tally, *row[17:20])):
                summed[index] += value
        elif not grouped_framework:  # a (framework, template)'s row
            add("framework", *labels["framework"](row[4]), figures, changed)
            add("template_key", *labels["template_key"](row[5]), figures, changed)
        elif not grouped_topic:
            add("topic", *labels["topic"](row[6]), figures, changed)
        elif not grouped_hook:
            add("hook", *labels["hook"](row[7]), figures, changed)
        else:  # a weekday-hour's row
            add("weekday_hour", *weekday_hour(divmod(row[8], 24)), figures, changed)
    totals = _day_totals(summed[:6])
    totals.update(
        known=summed[1],
        imported=summed[6],
        awaiting=summed[7],
        measured_without_impressions=summed[8],
    )
    top_rows = [dict(zip(_TOP_FIELDS, row[:-1], strict=True)) for row in top]
    leads_of = {row[0]: row[-1] for row in top}
    return _PeriodPosts(
        totals=totals,
        days=days,
        groups={
            dimension: _sorted_groups(
                dict(
                    sorted(
                        tallies[dimension].items(),
                        key=lambda item, order=newest[dimension]: order[item[0]],
                        reverse=True,
                    )
                ),
                _SHOWN.get(dimension),
            )
            for dimension in DIMENSIONS
        },
        top_posts=_top_posts(top_rows, leads_of.get),
    )


def _local_day_bounds(
    *, start: datetime, end: datetime, tz
) -> list[tuple[date, datetime, datetime]]:
    """The workspace-local days from start's to end's, each as (day, since, until): the
    instants [since, until) whose local date is that day, the first and last cut to
    [start, end). A day begins at its first local midnight (fold=0): where daylight saving
    skips midnight, at the jump, as PostgreSQL's AT TIME ZONE and Django's TruncDate date it."""
    bounds = []
    day = start.astimezone(tz).date()
    last_day = end.astimezone(tz).date()
    since = start
    while day <= last_day:
        midnight = datetime.combine(day + timedelta(days=1), time(), tzinfo=tz).astimezone(UTC)
        until = min(end, midnight)
        bounds.append((day, since, until))
        since = until
        day += timedelta(days=1)
    return bounds


# The leads created in each of a list of instant ranges, counted and summed per status: the
# whole UTC hours inside a range from the hourly totals the triggers on leads_lead keep
# (LeadHourlyTotals, one index range of its unique index per range), the part of an hour at
# either edge from the leads themselves (one index range of lead_created_cover_idx each),
# added up per range and status. A sum of no values stays NULL, as SUM over the leads gives:
# an hour's value counts only where some of its leads have one (valued). Leads marked "not a
# lead" never count. Parameters: the hours' ranges (starts, ends, numbers), the workspace,
# the edges' ranges, the workspace; prepared once per connection (statement_cursor).
_LEADS_CREATED_IN_RANGES = """
SELECT parts.n, parts.status, sum(parts.leads)::bigint, sum(parts.value)
FROM (
    SELECT ranges.n, hourly.status, hourly.leads, hourly.value
    FROM unnest(%s::timestamptz[], %s::timestamptz[], %s::int[]) AS ranges(since, until, n)
    CROSS JOIN LATERAL (
        SELECT hours.status, sum(hours.n) AS leads,
            sum(hours.value) FILTER (WHERE hours.valued > 0) AS value
        FROM leads_leadhourlytotals hours
        WHERE hours.workspace_id = %s AND hours.status <> 'not_a_lead'
            AND hours.hour >= ranges.since AND hours.hour < ranges.until
        GROUP BY hours.status
    ) hourly
    UNION ALL
    SELECT ranges.n, created.status, created.leads, created.value
    FROM unnest(%s::timestamptz[], %s::timestamptz[], %s::int[]) AS ranges(since, until, n)
    CROSS JOIN LATERAL (
        SELECT leads.status, count(*) AS leads, sum(leads.value_eur) AS value
        FROM leads_lead leads
        WHERE leads.workspace_id = %s AND leads.status <> 'not_a_lead'
            AND leads.created_at >= ranges.since AND leads.created_at < ranges.until
        GROUP BY leads.status
    ) created
) parts
GROUP BY parts.n, parts.status
"""


def _counted_leads(*, workspace):
    """The workspace's leads the dashboard counts: all but those marked "not a lead"."""
    return owned(Lead, workspace=workspace).exclude(status=Lead.Status.NOT_A_LEAD)


def _leads_created(*, workspace, previous_start, start, end, tz) -> list[tuple]:
    """(current, local day, status, leads, value) for the leads created in [previous_start,
    end): the current period's ([start, end)) per workspace-local day, the previous period's
    with day None. One query.

    On PostgreSQL one range per local day of the period, its bounds worked out here (time
    zone and daylight saving included), and one for the previous period, each counted from
    the hourly totals but for its partial hours: grouping some 65,000 leads (ten times the
    size) by their local day in the database sorted them all, spilling to disk, a third of
    the page's time; counting them per local-day index range still read every one (14 ms).
    Elsewhere grouped by the local day the database works out (TruncDate). Either way no
    lead row comes here: turning each row's timestamps into Python datetimes cost more than
    the rest of the page."""
    if connections[router.db_for_read(Lead)].vendor == "postgresql":
        return _leads_created_in_ranges(
            workspace=workspace, previous_start=previous_start, start=start, end=end, tz=tz
        )
    return _leads_created_grouped(
        _counted_leads(workspace=workspace),
        previous_start=previous_start,
        start=start,
        end=end,
        tz=tz,
    )


def _whole_hours(since: datetime, until: datetime) -> tuple[tuple | None, list[tuple]]:
    """[since, until) split into the whole UTC hours inside it, (first hour, end of the last)
    or None, and the instant ranges left at either edge (at most two, each within an hour)."""
    since, until = since.astimezone(UTC), until.astimezone(UTC)
    first = since.replace(minute=0, second=0, microsecond=0)
    if first < since:
        first += timedelta(hours=1)
    last = until.replace(minute=0, second=0, microsecond=0)
    if first >= last:  # no whole hour inside: the range is read from the leads
        return None, [(since, until)] if since < until else []
    edges = [(a, b) for a, b in ((since, first), (last, until)) if a < b]
    return (first, last), edges


def _leads_created_in_ranges(*, workspace, previous_start, start, end, tz) -> list[tuple]:
    """_leads_created in one range per local day (PostgreSQL), for the workspace's leads but
    those that are "not a lead" (the hourly totals hold every lead, so no other filter could
    apply to them). One statement, prepared once per connection: the ORM's two subqueries
    (the leads, the hours) cost more to build than the statement to run."""
    ranges = [(None, previous_start, start), *_local_day_bounds(start=start, end=end, tz=tz)]
    hourly, edges = [], []
    for n, (_day, since, until) in enumerate(ranges, start=1):
        hours, partial = _whole_hours(since, until)
        if hours:
            hourly.append((*hours, n))
        edges += [(*edge, n) for edge in partial]

    def arrays(rows):  # the ranges' starts, ends and numbers, as unnest takes them
        return [[row[i] for row in rows] for i in range(3)]

    with statement_cursor(connections[router.db_for_read(Lead)]) as cursor:
        cursor.execute(
            _LEADS_CREATED_IN_RANGES,
            [*arrays(hourly), workspace.pk, *arrays(edges), workspace.pk],
        )
        return [
            (n > 1, ranges[n - 1][0], status, count, value)
            for n, status, count, value in cursor.fetchall()
        ]


def _leads_created_grouped(leads, *, previous_start, start, end, tz) -> list[tuple]:
    """_leads_created grouped by the local day the database works out (any database)."""
    in_period = Q(created_at__gte=start, created_at__lt=end)
    return list(
        leads.filter(created_at__gte=previous_start, created_at__lt=end)
        .annotate(
            current=ExpressionWrapper(in_period, output_field=BooleanField()),
            day=Case(
                When(in_period, then=TruncDate("created_at", tzinfo=tz)),
                default=None,
                output_field=DateField(),
            ),
        )
        .order_by()
        .values("current", "day", "status")
        .annotate(n=Count("id"), value=Sum("value_eur"))
        .values_list("current", "day", "status", "n", "value")
    )


# The previous period's totals (_period_totals' figures) on PostgreSQL: one range of the
# published posts' index, the statement prepared once per connection (statement_cursor).
_PREVIOUS_TOTALS = """
SELECT count(*),
    sum(impressions) FILTER (WHERE impressions IS NOT NULL),
    sum(impressions) FILTER (WHERE impressions IS NOT NULL AND NOT figures_imported),
    sum(reactions + comment_count + coalesce(reshares, 0))
        FILTER (WHERE impressions IS NOT NULL AND NOT figures_imported)
FROM content_post
WHERE workspace_id = %s AND status = %s AND published_at IS NOT NULL
    AND published_at >= %s AND published_at < %s
"""


def _previous_totals(*, workspace, since: datetime, until: datetime) -> dict:
    """The totals (_period_totals) of the posts published in [since, until). One query: on
    PostgreSQL a prepared statement (the ORM's aggregate with its FILTERs cost more to
    build than to run), elsewhere the ORM's."""
    db = connections[router.db_for_read(Post)]
    if db.vendor != "postgresql":
        return (
            _published_posts(workspace=workspace, since=since, until=until)
            .annotate(imported=F("figures_imported"))
            .aggregate(**_period_totals())
        )
    with statement_cursor(db) as cursor:
        cursor.execute(_PREVIOUS_TOTALS, [workspace.pk, Post.Status.PUBLISHED.value, since, until])
        row = cursor.fetchone()
    return dict(
        zip(
            ("posts", "known_impressions", "rated_impressions", "rated_engagement"),
            row,
            strict=True,
        )
    )


# The converted leads' value per period and, for the current one, per workspace-local day
# (PostgreSQL): one range of lead_converted_cover_idx (converted leads only, by the time they
# were converted), each lead placed by width_bucket over the instants where the current
# period's local days begin (_local_day_bounds): bucket 0 is the previous period, bucket i
# the period's i-th day. Working out each lead's local date (AT TIME ZONE) took half again
# as long at ten times the size. The status is written in, not a parameter: a prepared
# statement's generic plan can use the partial index (WHERE status = 'converted') only when
# its text says so (with a parameter it read all the workspace's leads of that status, 2 ms
# slower). Parameters: the days' starts, the workspace and the range.
_LEADS_CONVERTED = """
SELECT width_bucket(status_changed_at, %s::timestamptz[]), sum(value_eur)
FROM leads_lead
WHERE workspace_id = %s AND status = 'converted'
    AND status_changed_at >= %s AND status_changed_at < %s
GROUP BY 1
"""


def _leads_converted(*, workspace, previous_start, start, end, tz) -> list[tuple]:
    """(current, local day or None, value) of the workspace's leads converted in
    [previous_start, end). One query: a prepared statement on PostgreSQL, the ORM's
    elsewhere (_leads_converted_grouped)."""
    db = connections[router.db_for_read(Lead)]
    if db.vendor != "postgresql":
        return _leads_converted_grouped(
            workspace=workspace, previous_start=previous_start, start=start, end=end, tz=tz
        )
    days = _local_day_bounds(start=start, end=end, tz=tz)
    with statement_cursor(db) as cursor:
        cursor.execute(
            _LEADS_CONVERTED,
            [[since for _day, since, _until in days], workspace.pk, previous_start, end],
        )
        return [
            (True, days[bucket - 1][0], value) if bucket else (False, None, value)
            for bucket, value in cursor.fetchall()
        ]


def _leads_converted_grouped(*, workspace, previous_start, start, end, tz) -> list[tuple]:
    """_leads_converted grouped by the local day the database works out (any database)."""
    won_in_period = Q(status_changed_at__gte=start)
    return list(
        _counted_leads(workspace=workspace)
        .filter(
            status=Lead.Status.CONVERTED,
            status_changed_at__gte=previous_start,
            status_changed_at__lt=end,
        )
        .annotate(
            current=ExpressionWrapper(won_in_period, output_field=BooleanField()),
            day=Case(
                When(won_in_period, then=TruncDate("status_changed_at", tzinfo=tz)),
                default=None,
                output_field=DateField(),
            ),
        )
        .order_by()
        .values("current", "day")
        .annotate(value=Sum("value_eur"))
        .values_list("current", "day", "value")
    )


def dashboard(*, workspace, days: int, now: datetime | None = None) -> Dashboard:
    """Everything the dashboard shows, in a fixed number of queries whatever the number of
    posts: the period's posts summed and grouped and its top posts (_period_posts), the
    previous period's totals, the leads created and those converted in either period per
    local day, the funnel, the templates' names, and whether anything was ever published."""
    from apps.leads.selectors import pipeline

    tz = zoneinfo.ZoneInfo(workspace.timezone)
    end = now or timezone.now()
    start = end - timedelta(days=days)
    previous_start = start - timedelta(days=days)

    def lead_figures_and_previous_totals():
        # query: totals of the previous period's posts
        previous_totals = _previous_totals(workspace=workspace, since=previous_start, until=start)
        # query: the leads created in either period, per status, the current period's also
        # per local day
        created = _leads_created(
            workspace=workspace, previous_start=previous_start, start=start, end=end, tz=tz
        )
        # Those converted are far fewer, counted per local day in one range of
        # lead_converted_cover_idx (converted leads only, by the time they were converted).
        # query: the leads converted in either period, per period and local day
        won = _leads_converted(
            workspace=workspace, previous_start=previous_start, start=start, end=end, tz=tz
        )
        # query: the pipeline by stage
        return previous_totals, created, won, pipeline(workspace=workspace)

    # These four do not depend on the period's posts: on PostgreSQL they run on a second
    # connection while this one groups the posts (apps/core/alongside.py).
    lead_side = alongside(
        lead_figures_and_previous_totals,
        using=router.db_for_read(Lead),
        workspace_id=workspace.pk,
    )
    # query: the period's posts, summed per day and grouped five ways; query: its top posts
    # (in the database on PostgreSQL, row by row elsewhere: _PeriodPosts)
    period = _period_posts(workspace=workspace, start=start, end=end, tz=tz)
    previous_totals, created, won, stages = lead_side()

    # Days for a week; weeks beyond, where days between posts would draw spikes to zero.
    trend_unit = "day" if days <= 7 else "week"

    def bucket_of_day(local_day):
        return local_day if trend_unit == "day" else local_day - timedelta(days=local_day.weekday())

    def bucket_of(moment: datetime):
        return bucket_of_day(moment.astimezone(tz).date())

    # Pipeline value: what the period's new leads that are still open are worth.
    # Converted value: leads marked converted during the period.
    lead_figures = {
        period: {"new": 0, "pipeline": Decimal(0), "converted": Decimal(0)}
        for period in (True, False)
    }
    weeks: dict = defaultdict(int)
    new_leads_in: dict = defaultdict(int)
    pipeline_in: dict = defaultdict(Decimal)
    converted_in: dict = defaultdict(Decimal)
    for current, created_day, status, n, value in created:
        lead_figures[current]["new"] += n
        if status in OPEN_STATUSES:
            lead_figures[current]["pipeline"] += value or 0
        if current:
            weeks[created_day - timedelta(days=created_day.weekday())] += n
            new_leads_in[bucket_of_day(created_day)] += n
            if status in OPEN_STATUSES:
                pipeline_in[bucket_of_day(created_day)] += value or 0
    for current, won_day, value in won:
        lead_figures[current]["converted"] += value or 0
        if current:
            converted_in[bucket_of_day(won_day)] += value or 0
    funnel = [stage for stage in stages if stage["status"] != Lead.Status.LOST]
    has_published = (
        bool(period.totals["posts"])
        or bool(previous_totals["posts"])
        or (
            # query: anything ever published (only when neither period has a post)
            _published_posts(workspace=workspace).exists()
        )
    )

    figures = _period_figures_of(period.totals)
    figures.update(
        new_leads=lead_figures[True]["new"],
        pipeline_value=lead_figures[True]["pipeline"],
        converted_value=lead_figures[True]["converted"],
    )
    previous = _period_figures_of(previous_totals)
    previous.update(
        new_leads=lead_figures[False]["new"],
        pipeline_value=lead_figures[False]["pipeline"],
        converted_value=lead_figures[False]["converted"],
    )
    deltas = {key: delta_percent(figures[key], previous[key]) for key in figures}

    first_day = start.astimezone(tz).date()
    last_day = end.astimezone(tz).date()
    by_day = []
    day = first_day
    while day <= last_day:
        tally = period.days.get(day)
        by_day.append((day, tally[2], tally[3]) if tally else (day, 0, 0))
        day += timedelta(days=1)

    week = first_day - timedelta(days=first_day.weekday())
    leads_by_week = []
    while week <= last_day:
        leads_by_week.append((week, weeks.get(week, 0)))
        week += timedelta(days=7)

    buckets = []
    bucket = bucket_of(start)
    while bucket <= last_day:
        buckets.append(bucket)
        bucket += timedelta(days=1 if trend_unit == "day" else 7)
    in_bucket: dict = {}
    for day, tally in period.days.items():
        summed = in_bucket.setdefault(bucket_of_day(day), [0] * len(tally))
        for index, value in enumerate(tally):
            summed[index] += value
    per_bucket = {b: _period_figures_of(_day_totals(in_bucket.get(b))) for b in buckets}
    trends = {
        "published": [(b, per_bucket[b]["published"]) for b in buckets],
        "impressions": [(b, per_bucket[b]["impressions"] or 0) for b in buckets],
        "engagement_rate": [(b, per_bucket[b]["engagement_rate"]) for b in buckets],
        "new_leads": [(b, new_leads_in.get(b, 0)) for b in buckets],
        "pipeline_value": [(b, pipeline_in.get(b, Decimal(0))) for b in buckets],
        "converted_value": [(b, converted_in.get(b, Decimal(0))) for b in buckets],
    }

    return Dashboard(
        days=days,
        start=start,
        end=end,
        figures=figures,
        previous=previous,
        deltas=deltas,
        missing_impressions=period.totals["posts"] - period.totals["known"],
        awaiting_figures=period.totals["awaiting"],
        measured_without_impressions=period.totals["measured_without_impressions"],
        has_published=has_published,
        by_day=by_day,
        leads_by_week=leads_by_week,
        funnel=funnel,
        by_framework=period.groups["framework"],
        by_template=_with_template_names(period.groups["template_key"], workspace=workspace),
        top_posts=period.top_posts,
        # Same rows, other groupings: no extra queries. Only the best of the topics, time
        # slots and hooks (_SHOWN).
        by_topic=period.groups["topic"],
        by_slot=period.groups["weekday_hour"],
        by_hook=period.groups["hook"],
        imported_figures=period.totals["imported"],
        trend_unit=trend_unit,
        trends=trends,
    )


# The fingerprint's four MAX()es in one statement: each scalar subquery is answered from the
# end of its own index (content_post: workspace, status + published_at / metrics_at /
# updated_at; leads_lead: workspace + updated_at), one round trip instead of two.
_FINGERPRINT = """
SELECT
    (SELECT max(published_at) FROM content_post
     WHERE workspace_id = %s AND status = %s AND published_at IS NOT NULL),
    (SELECT max(metrics_at) FROM content_post
     WHERE workspace_id = %s AND status = %s AND published_at IS NOT NULL),
    (SELECT max(updated_at) FROM content_post
     WHERE workspace_id = %s AND status = %s AND published_at IS NOT NULL),
    (SELECT max(updated_at) FROM leads_lead WHERE workspace_id = %s)
"""


def dashboard_fingerprint(*, workspace) -> tuple:
    """What the dashboard's figures depend on, as a change stamp read in one statement of
    index lookups only, whatever the number of posts and leads: the published posts' latest
    publication, metrics reading and change, and the leads' latest change. When a post goes
    out, metrics arrive or a lead is found or moved, this changes, so a cached dashboard is
    never served across such a change.

    No counts: counting 50,000 posts and 200,000 leads on every visit cost more than the
    page it guarded. A deleted post or lead (retention, erasure) does not move the stamp; the
    cache's short window (DASHBOARD_CACHE_SECONDS) bounds how long it still shows.

    Plain SQL on every database (the stamp only has to change, so SQLite's timestamps as
    text do as well), prepared once per connection on PostgreSQL: the ORM's two aggregates
    cost more to build than to run."""
    published = [workspace.pk, Post.Status.PUBLISHED.value]
    with statement_cursor(connections[router.db_for_read(Post)]) as cursor:
        # Lead.updated_at is touched by every change the dashboard shows.
        cursor.execute(_FINGERPRINT, [*published, *published, *published, workspace.pk])
        return tuple(cursor.fetchone())


def post_metrics(*, post) -> dict:
    """A published post's metric curve, its comments and the leads it produced (3 queries)."""
    workspace = post.workspace
    snapshots = list(
        owned(MetricSnapshot, workspace=workspace).filter(post=post).order_by("captured_at")[:500]
    )
    comments = list(
        owned(Comment, workspace=workspace)
        .filter(post=post)
        .select_related("commenter", "lead__commenter")
        .order_by("commented_at", "id")[:200]
    )
    lead_ids = {c.lead_id for c in comments if c.lead_id}
    leads = [
        lead
        for lead in {c.lead.pk: c.lead for c in comments if c.lead_id}.values()
        if lead.status != Lead.Status.NOT_A_LEAD
    ]
    return {"snapshots": snapshots, "comments": comments, "leads": leads, "lead_ids": lead_ids}


def posts_for_export(*, workspace):
    return (
        owned(Post, workspace=workspace)
        .filter(status=Post.Status.PUBLISHED)
        .order_by("published_at", "id")
        .values_list(
            "id",
            "published_at",
            "framework",
            "template_key",
            "topic",
            "hook",
            "impressions",
            "members_reached",
            "reactions",
            "comment_count",
            "reshares",
            "metrics_at",
            "linkedin_url",
        )
    )


def leads_for_export(*, workspace):
    return (
        owned(Lead, workspace=workspace)
        .exclude(status=Lead.Status.NOT_A_LEAD)
        .order_by("created_at", "id")
        .values_list(
            "id",
            "created_at",
            "status",
            "score",
            "intent",
            "value_eur",
            "commenter__name",
            "commenter__headline",
            "follow_up_on",
        )
    )
