"""Snapshots of published posts' figures, on a cadence that slows as a post ages.

Where the member granted `r_member_postAnalytics`, figures come from LinkedIn's member post
analytics (impressions, members reached, reactions, comments, reshares). Otherwise from
social metadata, which has reactions and comments only: impressions, reach and reshares stay
empty and the UI says why."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from apps.accounts.tenancy import across_workspaces, owned_for_task
from apps.analytics.models import MetricSnapshot
from apps.content.models import Post
from apps.core.claiming import claim_due
from apps.linkedin import client as linkedin
from apps.linkedin.models import SCOPE_ANALYTICS, SCOPE_READ_COMMENTS
from apps.linkedin.selectors import connection_for

logger = logging.getLogger(__name__)

ANALYTICS_METRICS = {
    "IMPRESSION": "impressions",
    "MEMBERS_REACHED": "members_reached",
    "REACTION": "reactions",
    "COMMENT": "comments",
    "RESHARE": "reshares",
}


def snapshot_interval(age: timedelta) -> timedelta | None:
    """Hourly for two days, every six hours for a week, daily for 30 days, weekly to 90."""
    scale = settings.ANALYTICS_INTERVAL_SCALE
    if age < timedelta(hours=48):
        return timedelta(hours=1) * scale
    if age < timedelta(days=7):
        return timedelta(hours=6) * scale
    if age < timedelta(days=30):
        return timedelta(days=1) * scale
    if age < timedelta(days=90):
        return timedelta(days=7) * scale
    return None


def dispatch_snapshots(*, now: datetime | None = None, limit: int = 2000) -> int:
    """Claim due posts (a bounded batch, apps/core/claiming.py) and fan out one task per
    workspace, so a workspace's posts share one connection and one bulk write."""
    from apps.analytics.tasks import collect_workspace_metrics

    with across_workspaces(reason="beat dispatcher: due posts of every workspace"):
        now = now or timezone.now()
        due = Post.objects.filter(
            status=Post.Status.PUBLISHED,
            published_at__isnull=False,
            published_at__gt=now - timedelta(days=90),
        ).filter(Q(next_metrics_at__isnull=True) | Q(next_metrics_at__lte=now))

        def following(row):
            interval = snapshot_interval(now - row[2])
            return now + interval if interval else None

        claimed = claim_due(
            due,
            field="next_metrics_at",
            columns=("workspace_id", "published_at", "next_metrics_at"),
            following=following,
            limit=limit,
        )
        by_workspace: dict[int, list[int]] = {}
        for pk, workspace_id, _published_at, _current in claimed:
            by_workspace.setdefault(workspace_id, []).append(pk)
        for workspace_id, post_ids in by_workspace.items():
            transaction.on_commit(
                lambda ws=workspace_id, ids=post_ids: collect_workspace_metrics.delay(ws, ids)
            )
        return sum(len(ids) for ids in by_workspace.values())


def collect(*, workspace_id: int, post_ids: list[int], now: datetime | None = None) -> int:
    """Read the figures of these posts and store one snapshot each, in one bulk write."""
    from apps.accounts.tenancy import workspace_for_task

    workspace = workspace_for_task(workspace_id)
    if workspace is None:
        return 0
    connection = connection_for(workspace=workspace)
    if connection is None or not connection.is_usable:
        return 0
    now = now or timezone.now()
    client = linkedin.LinkedInClient(connection.access_token)
    use_analytics = connection.has_scope(SCOPE_ANALYTICS)
    if not use_analytics and not connection.has_scope(SCOPE_READ_COMMENTS):
        return 0
    snapshots = []
    posts = [
        p
        for p in (owned_for_task(Post, workspace_id=workspace_id, pk=pk) for pk in post_ids)
        if p is not None and p.linkedin_urn
    ]
    for post in posts:
        try:
            figures = (
                _from_analytics(client, post)
                if use_analytics
                else _from_social_metadata(client, post)
            )
        except linkedin.LinkedInPermissionError:
            if use_analytics:
                figures = _from_social_metadata(client, post)
            else:
                continue
        except linkedin.LinkedInError as error:
            logger.info("Metrics for post %s not read: %s", post.pk, type(error).__name__)
            continue
        snapshots.append(
            MetricSnapshot(workspace_id=workspace_id, post=post, captured_at=now, **figures)
        )
    with transaction.atomic():
        MetricSnapshot.objects.bulk_create(snapshots)
        for snapshot in snapshots:
            Post.objects.filter(pk=snapshot.post_id).update(
                impressions=snapshot.impressions,
                members_reached=snapshot.members_reached,
                reactions=snapshot.reactions,
                comment_count=snapshot.comments,
                reshares=snapshot.reshares,
                metrics_at=now,
                figures_imported=False,
            )
    return len(snapshots)


def _from_analytics(client, post: Post) -> dict:
    figures = {"source": "analytics"}
    for metric, field in ANALYTICS_METRICS.items():
        answer = client.member_post_analytics(post_urn=post.linkedin_urn, metric=metric)
        figures[field] = sum(int(e.get("count", 0)) for e in answer.get("elements", []))
    return figures


def _from_social_metadata(client, post: Post) -> dict:
    answer = client.social_metadata(post.linkedin_urn)
    reactions = sum(
        int(r.get("count", 0)) for r in (answer.get("reactionSummaries") or {}).values()
    )
    comments = int((answer.get("commentSummary") or {}).get("count", 0))
    return {
        "source": "social_metadata",
        "reactions": reactions,
        "comments": comments,
        "impressions": None,
        "members_reached": None,
        "reshares": None,
    }
