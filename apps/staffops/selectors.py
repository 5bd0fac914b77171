"""Reads across tenants, for staff only: the workspace health columns of the admin and the
totals of the staff overview. Each is a fixed number of queries however many tenants there
are: per-workspace figures are correlated subqueries on indexed workspace foreign keys."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import Count, IntegerField, Min, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from apps.accounts.models import Membership, Workspace
from apps.accounts.tenancy import across_workspaces
from apps.content.models import Post
from apps.core.models import Heartbeat
from apps.core.selectors import background_processes
from apps.leads.models import Lead
from apps.leads.selectors import with_overdue_scans
from apps.linkedin.models import LinkedInConnection
from apps.notifications.models import OutboxEvent

LEADS_WINDOW = timedelta(days=7)


def _count_of(queryset: QuerySet) -> Coalesce:
    """A correlated COUNT(*) of `queryset` (already filtered on OuterRef), 0 when empty."""
    counted = queryset.order_by().values("workspace_id").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def with_health(queryset: QuerySet[Workspace], *, now: datetime | None = None) -> QuerySet:
    """Annotate workspaces with what staff look at first: members, the LinkedIn connection's
    state and token expiry, the last publication, failed and needs-check posts, new leads.

    Subqueries rather than joins with COUNT: no GROUP BY, so the admin's pagination count
    drops the annotations it does not filter on and stays a plain COUNT(*)."""
    now = now or timezone.now()
    connection = LinkedInConnection.objects.filter(workspace=OuterRef("pk"))
    posts = Post.objects.filter(workspace=OuterRef("pk"), archived_at__isnull=True)
    return queryset.annotate(
        member_count=_count_of(Membership.objects.filter(workspace=OuterRef("pk"))),
        linkedin_status=Subquery(connection.values("status")[:1]),
        linkedin_expires_at=Subquery(connection.values("access_token_expires_at")[:1]),
        last_published_at=Subquery(
            posts.filter(status=Post.Status.PUBLISHED)
            .order_by("-published_at")
            .values("published_at")[:1]
        ),
        failed_posts=_count_of(posts.filter(status=Post.Status.FAILED)),
        needs_check_posts=_count_of(posts.filter(status=Post.Status.NEEDS_CHECK)),
        stuck_posts=_count_of(
            posts.filter(status=Post.Status.PUBLISHING, claimed_at__lt=now - publishing_window())
        ),
        leads_this_week=_count_of(
            Lead.objects.filter(workspace=OuterRef("pk"), created_at__gte=now - LEADS_WINDOW)
        ),
        scans_overdue=_count_of(
            with_overdue_scans(Post.objects.filter(workspace=OuterRef("pk")), now=now)
        ),
    )


@dataclass
class HeartbeatAge:
    name: str
    last_seen_at: datetime
    age_seconds: float


@dataclass
class Overview:
    workspaces: int
    workspaces_paused: int
    linkedin_active: int
    linkedin_needs_reconnect: int
    published_24h: int
    published_7d: int
    failed: int
    needs_check: int
    # Stuck work, each with the age of its oldest row (seconds) for the operator.
    stuck_publishing: int
    stuck_publishing_age: float | None
    undelivered_events: int
    undelivered_events_age: float | None
    due_posts: int
    queue_lag_seconds: float | None
    leads_this_week: int
    heartbeats: list[HeartbeatAge]
    # Published posts whose comment scan is overdue, and the age of the oldest last scan.
    scans_overdue: int = 0
    scans_overdue_age: float | None = None
    # Beat and each queue's workers: silent ones with their age (apps/core/selectors).
    processes: list = field(default_factory=list)


def publishing_window() -> timedelta:
    """A post in "publishing" longer than this is stuck (the reaper's cutoff)."""
    from django.conf import settings

    return timedelta(seconds=settings.PUBLISH_STUCK_AFTER_SECONDS)


# An event not delivered this long after it was recorded is shown as stuck.
UNDELIVERED_AFTER = timedelta(minutes=5)


def _age(now: datetime, since: datetime | None) -> float | None:
    return (now - since).total_seconds() if since else None


def overview(*, now: datetime | None = None) -> Overview:
    """Totals across all tenants. Nine queries."""
    with across_workspaces(reason="staff overview of every workspace"):
        now = now or timezone.now()
        workspaces = Workspace.objects.aggregate(
            total=Count("pk"), paused=Count("pk", filter=Q(posting_paused=True))
        )
        usable = Q(status=LinkedInConnection.Status.CONNECTED) & (
            Q(access_token_expires_at__isnull=True) | Q(access_token_expires_at__gt=now)
        )
        connections = LinkedInConnection.objects.aggregate(
            active=Count("pk", filter=usable),
            needs_reconnect=Count("pk", filter=Q(status=LinkedInConnection.Status.NEEDS_RECONNECT)),
        )
        stuck = Q(status=Post.Status.PUBLISHING, claimed_at__lt=now - publishing_window())
        posts = Post.objects.filter(archived_at__isnull=True).aggregate(
            published_24h=Count(
                "pk",
                filter=Q(status=Post.Status.PUBLISHED, published_at__gte=now - timedelta(hours=24)),
            ),
            published_7d=Count(
                "pk",
                filter=Q(status=Post.Status.PUBLISHED, published_at__gte=now - timedelta(days=7)),
            ),
            failed=Count("pk", filter=Q(status=Post.Status.FAILED)),
            needs_check=Count("pk", filter=Q(status=Post.Status.NEEDS_CHECK)),
            stuck=Count("pk", filter=stuck),
            stuck_since=Min("claimed_at", filter=stuck),
        )
        # Events recorded but not delivered a few minutes on (or given up): the sweep or a
        # worker is not doing its job, or a channel keeps failing.
        events = OutboxEvent.objects.filter(
            Q(status=OutboxEvent.Status.FAILED)
            | Q(status=OutboxEvent.Status.PENDING, created_at__lt=now - UNDELIVERED_AFTER)
        ).aggregate(count=Count("pk"), oldest=Min("created_at"))
        # Queue lag: how long the oldest post that should be going out now has been waiting.
        # Paused workspaces and posts backing off after a rate limit are waiting on purpose.
        due = (
            Post.objects.filter(status=Post.Status.SCHEDULED, scheduled_at__lte=now)
            .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
            .filter(workspace__posting_paused=False)
            .aggregate(count=Count("pk"), oldest=Min("scheduled_at"))
        )
        leads = Lead.objects.filter(created_at__gte=now - LEADS_WINDOW).count()
        heartbeats = [
            HeartbeatAge(beat.name, beat.last_seen_at, (now - beat.last_seen_at).total_seconds())
            for beat in Heartbeat.objects.order_by("name")
        ]
        scans = with_overdue_scans(Post.objects.all(), now=now).aggregate(
            count=Count("pk"), oldest=Min("last_scan_at")
        )
        processes = background_processes(
            now=now, heartbeats={beat.name: beat.last_seen_at for beat in heartbeats}
        )
        return Overview(
            workspaces=workspaces["total"],
            workspaces_paused=workspaces["paused"],
            linkedin_active=connections["active"],
            linkedin_needs_reconnect=connections["needs_reconnect"],
            published_24h=posts["published_24h"],
            published_7d=posts["published_7d"],
            failed=posts["failed"],
            needs_check=posts["needs_check"],
            stuck_publishing=posts["stuck"],
            stuck_publishing_age=_age(now, posts["stuck_since"]),
            undelivered_events=events["count"],
            undelivered_events_age=_age(now, events["oldest"]),
            due_posts=due["count"],
            queue_lag_seconds=(now - due["oldest"]).total_seconds() if due["oldest"] else None,
            leads_this_week=leads,
            heartbeats=heartbeats,
            scans_overdue=scans["count"],
            scans_overdue_age=_age(now, scans["oldest"]),
            processes=processes,
        )
