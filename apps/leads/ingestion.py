"""Reading comments from LinkedIn on a cadence that slows as a post ages."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from apps.accounts.tenancy import across_workspaces, owned, owned_for_task
from apps.content.models import Post
from apps.core.claiming import claim_due
from apps.leads import services
from apps.leads.models import LeadSettings
from apps.linkedin import client as linkedin
from apps.linkedin.models import SCOPE_READ_COMMENTS
from apps.linkedin.selectors import connection_for

logger = logging.getLogger(__name__)

PAGE_SIZE = 100
MAX_PAGES = 20


def scan_interval(age: timedelta) -> timedelta | None:
    """How long until the next look at a post of this age; None once it is old enough.

    LEADS_SCAN_INTERVAL_SCALE shortens every interval in development, where the sandbox's
    audience lives sixty times faster than real people."""
    scale = settings.LEADS_SCAN_INTERVAL_SCALE
    if age < timedelta(hours=48):
        return timedelta(minutes=10) * scale
    if age < timedelta(days=7):
        return timedelta(hours=1) * scale
    if age < timedelta(days=30):
        return timedelta(days=1) * scale
    return None


def dispatch_scans(*, now: datetime | None = None, limit: int = 1000, batches: int = 10) -> int:
    """Fan out one scan task per published post that is due; the claim (a bounded batch,
    apps/core/claiming.py) moves its next scan time, so two dispatchers never enqueue the
    same scan. Up to `batches` batches a round while full ones come back: one batch a minute
    would cap scans at `limit` a minute (about 8,000 workspaces, deploy/README.md)."""
    from apps.leads.tasks import scan_post_comments

    with across_workspaces(reason="beat dispatcher: posts of every workspace due a scan"):
        now = now or timezone.now()
        due = Post.objects.filter(
            status=Post.Status.PUBLISHED, published_at__gt=now - timedelta(days=30)
        ).filter(Q(next_comment_scan_at__isnull=True) | Q(next_comment_scan_at__lte=now))

        def following(row):
            interval = scan_interval(now - row[2])
            return now + interval if interval else None

        enqueued = 0
        for _batch in range(batches):
            claimed = claim_due(
                due,
                field="next_comment_scan_at",
                columns=("workspace_id", "published_at", "next_comment_scan_at"),
                following=following,
                limit=limit,
            )
            for pk, workspace_id, published_at, _current in claimed:
                # A scan still queued when the post's next one falls due is dropped by the
                # worker that finds it (Celery's `expires`): the next claim queues a fresh one,
                # so a backlog holds at most one scan of a post instead of one per interval
                # (simulate_day's 96x run queued 29,000 scans, most of them repeats).
                interval = scan_interval(now - published_at)
                expires = interval.total_seconds() if interval else None
                transaction.on_commit(
                    lambda pk=pk, ws=workspace_id, expires=expires: scan_post_comments.apply_async(
                        (pk, ws), expires=expires
                    )
                )
            enqueued += len(claimed)
            if len(claimed) < limit:
                break
        return enqueued


def scan_post(*, post_id: int, workspace_id: int) -> int:
    """Read the post's comments, store the new ones. Returns how many were new."""
    post = owned_for_task(Post, workspace_id=workspace_id, pk=post_id)
    if post is None or not post.linkedin_urn:
        return 0
    connection = connection_for(workspace=post.workspace)
    if connection is None or not connection.is_usable:
        return 0
    if not connection.has_scope(SCOPE_READ_COMMENTS):
        # A self-serve app: LinkedIn would answer 403 to every scan, and each call counts
        # against the member's daily quota that publishing needs. Comments come by import.
        return 0
    client = linkedin.LinkedInClient(connection.access_token)
    incoming = []
    try:
        for page in range(MAX_PAGES):
            answer = client.list_comments(
                post.linkedin_urn, start=page * PAGE_SIZE, count=PAGE_SIZE
            )
            elements = answer.get("elements", [])
            incoming += [
                c for c in map(_incoming, elements) if c and c.actor_urn != connection.member_urn
            ]
            if len(elements) < PAGE_SIZE:
                break
    except linkedin.LinkedInPermissionError:
        LeadSettings.objects.update_or_create(
            workspace=post.workspace,
            defaults={
                "comment_reading_permitted": False,
                "comment_reading_checked_at": timezone.now(),
            },
        )
        return 0
    owned(LeadSettings, workspace=post.workspace).filter(comment_reading_permitted=False).update(
        comment_reading_permitted=True, comment_reading_checked_at=timezone.now()
    )
    stored = services.store_comments(workspace=post.workspace, post=post, incoming=incoming)
    Post.objects.filter(pk=post.pk).update(comments_scanned_at=timezone.now())
    return len(stored)


def _incoming(element: dict) -> services.IncomingComment | None:
    urn = element.get("$URN") or element.get("commentUrn") or element.get("id")
    text = (element.get("message") or {}).get("text", "")
    actor = element.get("actor") or (element.get("created") or {}).get("actor", "")
    if not urn or not text.strip() or not actor:
        return None
    created_ms = (element.get("created") or {}).get("time")
    commented_at = (
        datetime.fromtimestamp(created_ms / 1000, tz=UTC) if created_ms else timezone.now()
    )
    return services.IncomingComment(
        urn=str(urn),
        actor_urn=str(actor),
        text=text,
        commented_at=commented_at,
        parent_urn=str(element.get("parentComment") or ""),
    )
