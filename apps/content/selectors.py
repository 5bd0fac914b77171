"""Reads for content: posts, versions, templates, and what generation needs to vary."""

import threading
from collections import OrderedDict
from datetime import timedelta

from django.db.models import Count, Max, Q, QuerySet

from apps.accounts.models import ExpertiseProfile
from apps.accounts.tenancy import across_workspaces, owned
from apps.content import engine, facts
from apps.content.linter import EarlierPosts, PostFacts
from apps.content.models import PastPost, Post, PostingSlot, PostTemplate, PostVersion

# How many earlier posts the near-duplicate check compares with.
EARLIER_POSTS_LIMIT = 1000
RECENT_FOR_ROTATION = 12


def posts_in(*, workspace, status: str | None = None, archived: bool = False) -> QuerySet[Post]:
    posts = owned(Post, workspace=workspace).select_related("author")
    posts = posts.filter(archived_at__isnull=not archived)
    if status:
        posts = posts.filter(status=status)
    return posts.order_by("-updated_at", "-id")


def status_counts(*, workspace) -> dict[str, int]:
    rows = (
        owned(Post, workspace=workspace)
        .filter(archived_at__isnull=True)
        .values("status")
        .annotate(n=Count("id"))
    )
    return {row["status"]: row["n"] for row in rows}


def post_versions(*, post) -> QuerySet[PostVersion]:
    return (
        owned(PostVersion, workspace=post.workspace).filter(post=post).select_related("created_by")
    )


def _post_texts(*, workspace, exclude_pk=None) -> list[str]:
    posts = owned(Post, workspace=workspace)
    if exclude_pk:
        posts = posts.exclude(pk=exclude_pk)
    return list(posts.order_by("-created_at").values_list("text", flat=True)[:EARLIER_POSTS_LIMIT])


def _past_post_texts(*, workspace) -> list[str]:
    past = owned(PastPost, workspace=workspace).order_by("-published_at", "-created_at", "-pk")
    return list(past.values_list("text", flat=True)[:EARLIER_POSTS_LIMIT])


def earlier_post_texts(*, workspace, exclude_pk=None) -> list[str]:
    """The workspace's posts, newest first, then the consultant's imported past posts: a new
    draft must not repeat either."""
    return _post_texts(workspace=workspace, exclude_pk=exclude_pk) + _past_post_texts(
        workspace=workspace
    )


_EARLIER_CACHE: OrderedDict = OrderedDict()
_EARLIER_CACHE_SIZE = 64
_EARLIER_CACHE_LOCK = threading.Lock()


def earlier_posts_index(*, workspace, exclude_pk=None) -> EarlierPosts:
    """The workspace's earlier posts prepared for near-duplicate checks.

    Preparing 1,000 posts costs a few hundred milliseconds and the live checker asks on
    every pause in typing, so prepared indexes are kept per process, keyed by a fingerprint
    (count and latest change) that moves whenever any of those posts does."""
    posts = owned(Post, workspace=workspace)
    if exclude_pk:
        posts = posts.exclude(pk=exclude_pk)
    fingerprint = posts.aggregate(n=Count("id"), latest=Max("updated_at"))
    # Past posts are only added and deleted, never edited: their count and newest id say when.
    past = owned(PastPost, workspace=workspace).aggregate(n=Count("id"), latest=Max("id"))
    key = (
        workspace.pk,
        exclude_pk,
        fingerprint["n"],
        fingerprint["latest"],
        past["n"],
        past["latest"],
    )
    with _EARLIER_CACHE_LOCK:
        if key in _EARLIER_CACHE:
            _EARLIER_CACHE.move_to_end(key)
            return _EARLIER_CACHE[key]
    index = EarlierPosts(
        _post_texts(workspace=workspace, exclude_pk=exclude_pk),
        past_texts=_past_post_texts(workspace=workspace),
    )
    with _EARLIER_CACHE_LOCK:
        _EARLIER_CACHE[key] = index
        while len(_EARLIER_CACHE) > _EARLIER_CACHE_SIZE:
            _EARLIER_CACHE.popitem(last=False)
    return index


def lint_facts(*, workspace, topic: str = "") -> PostFacts:
    """What the checker compares a post with: the figures the workspace's own material
    supports (proof vault, profiles, past posts, and the topic the user typed) and the
    profiles' areas and texts. Workspace-wide, as any member may edit any draft."""
    areas: list[str] = []
    texts: list[str] = []
    for profile in owned(ExpertiseProfile, workspace=workspace):
        areas += [str(area) for area in profile.areas or []]
        texts += facts.profile_texts(profile)
    return PostFacts(
        known_figures=facts.known_figures(workspace=workspace),
        areas=tuple(dict.fromkeys(areas)),
        profile_texts=tuple(texts),
    ).with_topic(topic)


def recent_generation_history(*, workspace) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Template keys and hooks of the newest posts, most recent first, for rotation."""
    rows = list(
        owned(Post, workspace=workspace)
        .exclude(template_key="")
        .order_by("-created_at", "-id")
        .values_list("template_key", "hook")[:RECENT_FOR_ROTATION]
    )
    return tuple(k for k, _ in rows), tuple(h for _, h in rows if h)


def templates_for(*, workspace) -> QuerySet[PostTemplate]:
    """The shared library plus the workspace's own templates, active ones only."""
    return PostTemplate.objects.filter(
        Q(workspace__isnull=True) | Q(workspace=workspace), is_active=True
    )


def profile_for(*, workspace, user) -> ExpertiseProfile:
    profile, _ = owned(ExpertiseProfile, workspace=workspace).get_or_create(
        workspace=workspace, user=user
    )
    return profile


def posting_slots(*, workspace) -> QuerySet[PostingSlot]:
    return owned(PostingSlot, workspace=workspace).order_by("weekday", "local_time")


def workspace_health(*, workspace) -> dict:
    """What the health page shows: is publishing going to work, and is anything stuck."""
    from django.utils import timezone

    from apps.core.selectors import heartbeat_age_seconds
    from apps.linkedin.selectors import connection_for, connection_state

    posts = owned(Post, workspace=workspace).filter(archived_at__isnull=True)
    counts = status_counts(workspace=workspace)
    connection = connection_for(workspace=workspace)
    return {
        "connection": connection,
        "connection_state": connection_state(connection),
        "dispatcher_age": heartbeat_age_seconds("dispatcher"),
        "beat_age": heartbeat_age_seconds("beat"),
        "failed": posts.filter(status=Post.Status.FAILED).order_by("-updated_at")[:10],
        "needs_check": posts.filter(status=Post.Status.NEEDS_CHECK).order_by("-updated_at")[:10],
        "waiting": posts.filter(
            status=Post.Status.SCHEDULED, scheduled_at__lte=timezone.now()
        ).order_by("scheduled_at")[:10],
        "next_post": posts.filter(status=Post.Status.SCHEDULED, scheduled_at__gt=timezone.now())
        .order_by("scheduled_at")
        .first(),
        "last_published": posts.filter(status=Post.Status.PUBLISHED)
        .order_by("-published_at")
        .first(),
        "counts": counts,
        **_stuck_work(workspace=workspace, now=timezone.now()),
    }


# The queues whose workers a workspace waits on: publishing, scans (comment scans) and alerts
# (lead alerts and the delivery of events and notifications).
WORKSPACE_QUEUES = ("publishing", "scans", "alerts")


def _stuck_work(*, workspace, now) -> dict:
    """What is stuck, with its age: posts in "publishing" past the reaper's window, events
    not delivered minutes after they were recorded, first comments still not posted, comment
    scans overdue, and beat or the workers this workspace waits on gone silent."""
    from django.conf import settings

    from apps.content.models import FirstComment
    from apps.core.selectors import background_processes
    from apps.leads.selectors import scans_overdue
    from apps.notifications.models import OutboxEvent

    window = timedelta(seconds=settings.PUBLISH_STUCK_AFTER_SECONDS)
    # Beat, and the workers of the queues this workspace's posts, scans and notices wait on,
    # gone silent after running (one never seen is the "Publisher: never ran" above; the
    # staff overview shows both).
    background_stopped = [
        process
        for process in background_processes(now=now)
        if process.silent
        and process.age_seconds is not None
        and (process.kind == "beat" or process.name in WORKSPACE_QUEUES)
    ]
    undelivered = owned(OutboxEvent, workspace=workspace).filter(
        Q(status=OutboxEvent.Status.FAILED)
        | Q(status=OutboxEvent.Status.PENDING, created_at__lt=now - timedelta(minutes=5))
    )
    return {
        "stuck_publishing": list(
            owned(Post, workspace=workspace)
            .filter(status=Post.Status.PUBLISHING, claimed_at__lt=now - window)
            .order_by("claimed_at")[:10]
        ),
        "undelivered_events": list(undelivered.order_by("created_at")[:10]),
        "stuck_first_comments": list(
            owned(FirstComment, workspace=workspace)
            .filter(
                Q(status=FirstComment.Status.UNKNOWN)
                | Q(
                    status__in=(FirstComment.Status.PENDING, FirstComment.Status.POSTING),
                    created_at__lt=now - timedelta(minutes=10),
                )
            )
            .select_related("post")
            .order_by("created_at")[:10]
        ),
        "scans_overdue": scans_overdue(workspace=workspace, now=now),
        "background_stopped": background_stopped,
    }


def publishing_health_across_workspaces(limit: int = 200) -> list[dict]:
    """Staff view: workspaces with failed, needs-check or overdue posts, worst first."""
    from django.utils import timezone

    with across_workspaces(reason="staff health page over every workspace"):
        overdue = Q(
            status=Post.Status.SCHEDULED, scheduled_at__lt=timezone.now() - timedelta(minutes=10)
        )
        rows = (
            Post.objects.filter(archived_at__isnull=True)
            .values("workspace_id", "workspace__name", "workspace__slug")
            .annotate(
                failed=Count("id", filter=Q(status=Post.Status.FAILED)),
                needs_check=Count("id", filter=Q(status=Post.Status.NEEDS_CHECK)),
                overdue=Count("id", filter=overdue),
                published=Count("id", filter=Q(status=Post.Status.PUBLISHED)),
            )
            .filter(Q(failed__gt=0) | Q(needs_check__gt=0) | Q(overdue__gt=0))
            .order_by("-needs_check", "-failed", "-overdue")[:limit]
        )
        return list(rows)


# An inquiry is what a consultant posts for: in the best-time model one counts as much as
# this many reactions, so hours that bring inquiries rise above hours that only bring likes.
LEAD_WEIGHT_IN_ENGAGEMENTS = 20
# Without analytics a post's reach is unknown; a consultant's post reaches about this many.
TYPICAL_IMPRESSIONS = 1500


# best_time_model's rows on PostgreSQL: the last 500 published posts (the end of the
# workspace's published posts' index), each with its local ISO weekday and hour (the time zone
# a parameter), its latest figures and its leads (kept on the post by the triggers on
# leads_lead). Parameters: the time zone (twice), the workspace, the published status.
_BEST_TIME_ROWS = """
SELECT extract(isodow FROM published_at AT TIME ZONE %s)::int,
    extract(hour FROM published_at AT TIME ZONE %s)::int,
    impressions, reactions, comment_count, reshares, attributed_leads
FROM content_post
WHERE workspace_id = %s AND status = %s AND published_at IS NOT NULL
ORDER BY published_at DESC
LIMIT 500
"""


def best_time_model(*, workspace):
    """The workspace's best-time model, learned from its last 500 published posts.

    Each post is one observation at its local weekday and hour. Its rate is its engagement
    per impression from the latest metric snapshot (kept on the post by the collector),
    with each lead it brought counted as LEAD_WEIGHT_IN_ENGAGEMENTS engagements. Where
    LinkedIn gave no impressions (no analytics permission), reactions, comments and reshares
    are measured against a typical reach instead. The research prior carries the rest."""
    import zoneinfo

    import numpy as np
    from django.db import connections
    from django.db.models import IntegerField, OuterRef, Subquery
    from django.db.models.functions import Coalesce, ExtractHour, ExtractIsoWeekDay

    from apps.content.besttime import fit_cells
    from apps.core.prepared import statement_cursor
    from apps.leads.models import Lead

    tz = zoneinfo.ZoneInfo(workspace.timezone)
    published = owned(Post, workspace=workspace).filter(
        status=Post.Status.PUBLISHED, published_at__isnull=False
    )
    db = connections[published.db]
    if db.vendor == "postgresql":
        # The same rows from a statement prepared once per connection (the ORM's query with
        # its EXTRACTs cost more to build than to run), the leads kept on the post by the
        # triggers on leads_lead (Post.attributed_leads).
        with statement_cursor(db) as cursor:
            cursor.execute(
                _BEST_TIME_ROWS, [tz.key, tz.key, workspace.pk, Post.Status.PUBLISHED.value]
            )
            rows = cursor.fetchall()
    else:
        # No triggers on SQLite: the same definition counted per post.
        leads = Coalesce(
            Subquery(
                owned(Lead, workspace=workspace)
                .filter(source_post=OuterRef("pk"))
                .exclude(status=Lead.Status.NOT_A_LEAD)
                .order_by()
                .values("source_post")
                .annotate(n=Count("id"))
                .values("n"),
                output_field=IntegerField(),
            ),
            0,
        )
        # The local weekday and hour come from the database: 500 small numbers instead of
        # 500 timestamps made into datetimes and converted here (a third of the model's
        # time). The leads come with them: one query.
        rows = list(
            published.order_by("-published_at")
            .annotate(
                local_weekday=ExtractIsoWeekDay("published_at", tzinfo=tz),
                local_hour=ExtractHour("published_at", tzinfo=tz),
                leads=leads,
            )
            .values_list(
                "local_weekday",
                "local_hour",
                "impressions",
                "reactions",
                "comment_count",
                "reshares",
                "leads",
            )[:500]
        )
    if not rows:
        return fit_cells(weekdays=[], hours=[], rates=[], weights=[])
    weekdays, hours, impressions, reactions, comments, reshares, lead_counts = zip(
        *rows, strict=True
    )
    lead_counts = np.array(lead_counts, dtype=float)
    engagement = (
        np.array(reactions, dtype=float)
        + np.array(comments, dtype=float)
        + np.array([n or 0 for n in reshares], dtype=float)
        + LEAD_WEIGHT_IN_ENGAGEMENTS * lead_counts
    )
    reach = np.array([n if n else TYPICAL_IMPRESSIONS for n in impressions], dtype=float)
    return fit_cells(
        weekdays=np.array(weekdays, dtype=int) - 1,  # ISO: Monday is 1
        hours=np.array(hours, dtype=int),
        rates=np.minimum(1.0, engagement / reach),
        # A rate read off 40 impressions says little: weigh it by its reach, so one tiny post
        # with a lead cannot outshine weeks of well-read ones.
        weights=np.clip(reach / TYPICAL_IMPRESSIONS, 0.1, 3.0),
    )


def evergreen_candidates(*, workspace, cooldown_days: int = 90, limit: int = 5):
    """Published posts that brought leads and are older than the cooldown: worth writing
    again (freshly, so LinkedIn does not see a duplicate)."""
    from django.utils import timezone

    cutoff = timezone.now() - timedelta(days=cooldown_days)
    return (
        owned(Post, workspace=workspace)
        .filter(status=Post.Status.PUBLISHED, published_at__lt=cutoff, archived_at__isnull=True)
        .annotate(lead_count=Count("comments__lead", distinct=True))
        .filter(lead_count__gt=0)
        .order_by("-lead_count", "-published_at")[:limit]
    )


def draft_notices(*, workspace, post: Post) -> list[str]:
    """What the draft's author could add to their profile so the engine writes better on this
    post's topic, or what in the draft still needs their wording (read-only: a page view never
    creates the profile)."""
    if not post.topic or post.backend not in (Post.Backend.TEMPLATE, Post.Backend.LLM):
        return []
    profile = (
        owned(ExpertiseProfile, workspace=workspace).filter(user_id=post.author_id).first()
        if post.author_id
        else None
    )
    if profile is None:
        return []
    snapshot = engine.ProfileSnapshot(
        name="",
        headline=profile.headline,
        areas=list(profile.areas or []),
        years_experience=profile.years_experience,
        industries=list(profile.industries or []),
        offers=list(profile.offers or []),
        case_studies=list(profile.case_studies or []),
        tone=profile.tone,
        language=profile.language,
    )
    return engine.draft_notices(snapshot, post.topic, post.text)


def drafting_job_posts(*, workspace, job) -> QuerySet[Post]:
    """The drafts a drafting job has written so far, in the order it wrote them."""
    return owned(Post, workspace=workspace).filter(drafting_job=job).order_by("drafting_index")
