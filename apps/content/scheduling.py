"""Posting slots and the queue: when approved posts go out.

Slots are weekday + local time in the workspace's time zone. Every occurrence is computed in
that zone and only then turned into UTC, so 09:00 in Europe/Berlin stays 09:00 local on both
sides of a daylight-saving change (07:00 UTC in summer, 08:00 UTC in winter)."""

from __future__ import annotations

import zoneinfo
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.accounts.services import audit_record
from apps.accounts.tenancy import owned
from apps.content.models import Post, PostingSlot
from apps.content.services import ContentError, require_no_gaps

QUEUE_HORIZON_WEEKS = 12
SCHEDULABLE = (Post.Status.APPROVED, Post.Status.SCHEDULED)


def local_occurrence(day: date, at: time, tz: zoneinfo.ZoneInfo) -> datetime:
    """`day` at `at` in `tz`, as an aware datetime. A wall time that does not exist (the hour
    skipped in spring) moves forward past the gap; an ambiguous one (autumn) takes the first."""
    naive = datetime.combine(day, at)
    aware = naive.replace(tzinfo=tz, fold=0)
    # Inside the spring gap the round trip through UTC lands past the gap (02:30 → 03:30).
    return aware.astimezone(zoneinfo.ZoneInfo("UTC")).astimezone(tz)


def slot_occurrences(*, workspace, after: datetime, weeks: int = QUEUE_HORIZON_WEEKS):
    """Every slot time after `after`, in order, as aware datetimes in the workspace's zone."""
    tz = zoneinfo.ZoneInfo(workspace.timezone)
    slots = list(owned(PostingSlot, workspace=workspace).order_by("weekday", "local_time"))
    if not slots:
        return
    start = after.astimezone(tz).date()
    for offset in range(weeks * 7 + 1):
        day = start + timedelta(days=offset)
        for slot in slots:
            if slot.weekday == day.weekday():
                when = local_occurrence(day, slot.local_time, tz)
                if when > after:
                    yield when


def next_free_slot(*, workspace, after: datetime | None = None) -> datetime | None:
    after = after or timezone.now()
    taken = set(
        owned(Post, workspace=workspace)
        .filter(status__in=(Post.Status.SCHEDULED, Post.Status.PUBLISHING), scheduled_at__gt=after)
        .values_list("scheduled_at", flat=True)
    )
    taken = {t.replace(second=0, microsecond=0) for t in taken}
    for when in slot_occurrences(workspace=workspace, after=after):
        if when.astimezone(zoneinfo.ZoneInfo("UTC")).replace(second=0, microsecond=0) not in taken:
            return when
    return None


def _require_schedulable(post: Post) -> None:
    if post.archived_at is not None or post.status not in SCHEDULABLE:
        raise ContentError(_("Only approved posts can be scheduled."))
    # Approval already refuses a gap; this catches a post approved before gaps were checked.
    require_no_gaps(post)


@transaction.atomic
def post_schedule(*, post: Post, at: datetime, actor) -> Post:
    _require_schedulable(post)
    if at <= timezone.now() - timedelta(minutes=1):
        raise ContentError(_("Choose a time in the future."))
    post.status = Post.Status.SCHEDULED
    post.scheduled_at = at
    post.next_attempt_at = None
    post.status_reason = ""
    post.save(
        update_fields=["status", "scheduled_at", "next_attempt_at", "status_reason", "updated_at"]
    )
    audit_record(
        action="post.scheduled",
        actor=actor,
        workspace=post.workspace,
        target=post.hook[:200],
        at=at.isoformat(),
    )
    return post


@transaction.atomic
def post_add_to_queue(*, post: Post, actor) -> Post:
    _require_schedulable(post)
    when = next_free_slot(workspace=post.workspace)
    if when is None:
        raise ContentError(
            _(
                "There is no free posting slot. Add weekly slots in Settings, "
                "or pick a date and time."
            )
        )
    return post_schedule(post=post, at=when, actor=actor)


@transaction.atomic
def post_publish_now(*, post: Post, actor) -> Post:
    return post_schedule(post=post, at=timezone.now(), actor=actor)


@transaction.atomic
def post_unschedule(*, post: Post, actor) -> Post:
    # Only a post nobody has claimed yet can go back; the conditional update decides.
    changed = Post.objects.filter(pk=post.pk, status=Post.Status.SCHEDULED).update(
        status=Post.Status.APPROVED,
        scheduled_at=None,
        next_attempt_at=None,
        status_reason="",
        updated_at=timezone.now(),
    )
    if not changed:
        raise ContentError(_("This post is being published right now and cannot be unscheduled."))
    post.refresh_from_db()
    audit_record(
        action="post.unscheduled", actor=actor, workspace=post.workspace, target=post.hook[:200]
    )
    return post


@transaction.atomic
def slot_add(*, workspace, weekday: int, local_time: time, actor) -> PostingSlot:
    slot, created = PostingSlot.objects.get_or_create(
        workspace=workspace, weekday=weekday, local_time=local_time
    )
    if not created:
        raise ContentError(_("That slot already exists."))
    audit_record(action="slot.added", actor=actor, workspace=workspace, target=str(slot))
    return slot


@transaction.atomic
def slot_remove(*, slot: PostingSlot, actor) -> None:
    audit_record(action="slot.removed", actor=actor, workspace=slot.workspace, target=str(slot))
    slot.delete()
