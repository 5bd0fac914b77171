"""The calendar's reads: week and month grids of posts and posting slots.

A grid is laid out in the *viewer's* time zone (each person sees their own days), while slots
are defined in the *workspace's* zone; `slot_occurrences` computes them there, so a 09:00
Berlin slot stays 09:00 Berlin across daylight-saving changes, and this module only moves
each occurrence onto the viewer's calendar. One query for the slots, one for the posts.
"""

from __future__ import annotations

import zoneinfo
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, tzinfo

from django.db.models import Q
from django.utils import timezone

from apps.accounts.tenancy import owned
from apps.content.models import Post
from apps.content.scheduling import slot_occurrences

# Posts placed by when they are (or were) due; published posts by when they went out.
BY_SCHEDULED_AT = (
    Post.Status.SCHEDULED,
    Post.Status.PUBLISHING,
    Post.Status.FAILED,
    Post.Status.NEEDS_CHECK,
)


@dataclass(frozen=True)
class CalendarItem:
    """A post, or a slot with no post in it ("free slot"), at a moment in the viewer's zone."""

    at: datetime
    post: Post | None = None

    @property
    def is_free_slot(self) -> bool:
        return self.post is None

    @property
    def can_reschedule(self) -> bool:
        return self.post is not None and self.post.status == Post.Status.SCHEDULED


@dataclass
class CalendarDay:
    date: date
    is_today: bool = False
    in_month: bool = True
    items: list[CalendarItem] = field(default_factory=list)

    @property
    def posts(self) -> list[CalendarItem]:
        return [item for item in self.items if not item.is_free_slot]


def _midnight(day: date, tz: tzinfo) -> datetime:
    return datetime.combine(day, time.min, tzinfo=tz)


def _minute(moment: datetime) -> datetime:
    return moment.astimezone(zoneinfo.ZoneInfo("UTC")).replace(second=0, microsecond=0)


def calendar_posts(*, workspace, start: datetime, end: datetime) -> list[Post]:
    """Posts of the workspace that fall in [start, end): one query."""
    return list(
        owned(Post, workspace=workspace)
        .filter(
            Q(status__in=BY_SCHEDULED_AT, scheduled_at__gte=start, scheduled_at__lt=end)
            | Q(status=Post.Status.PUBLISHED, published_at__gte=start, published_at__lt=end)
        )
        .select_related("author")
        .order_by("id")
    )


def _days(*, workspace, first: date, last: date, tz: tzinfo) -> dict[date, CalendarDay]:
    """Every local day from `first` to `last` inclusive, with its posts and free slots."""
    start, end = _midnight(first, tz), _midnight(last + timedelta(days=1), tz)
    today = timezone.now().astimezone(tz).date()
    days = {
        first + timedelta(days=n): CalendarDay(date=first + timedelta(days=n))
        for n in range((last - first).days + 1)
    }
    for day in days.values():
        day.is_today = day.date == today

    taken = set()
    for post in calendar_posts(workspace=workspace, start=start, end=end):
        at = post.published_at if post.status == Post.Status.PUBLISHED else post.scheduled_at
        local = at.astimezone(tz)
        if local.date() in days:  # always, unless midnight itself is skipped by a DST jump
            days[local.date()].items.append(CalendarItem(at=local, post=post))
        if post.scheduled_at:
            taken.add(_minute(post.scheduled_at))

    # A slot that has passed is no longer free for anything, so only future ones are shown.
    after = max(start, timezone.now()) - timedelta(microseconds=1)
    weeks = (end - after).days // 7 + 1
    for occurrence in slot_occurrences(workspace=workspace, after=after, weeks=weeks):
        if occurrence >= end:
            break
        if _minute(occurrence) not in taken:
            local = occurrence.astimezone(tz)
            if local.date() in days:
                days[local.date()].items.append(CalendarItem(at=local))

    for day in days.values():
        # Posts before a free slot at the same minute; ties in the order they were created.
        day.items.sort(key=lambda item: (item.at, item.is_free_slot, item.post and item.post.pk))
    return days


def week_start(day: date) -> date:
    """The Monday of the week `day` falls in."""
    return day - timedelta(days=day.weekday())


def week_grid(*, workspace, start: date, tz: tzinfo) -> dict:
    """The week from Monday `start` (snapped back to a Monday) in the viewer's zone `tz`:
    seven days, each with its posts and free slots in time order, and the weeks around it."""
    start = week_start(start)
    days = _days(workspace=workspace, first=start, last=start + timedelta(days=6), tz=tz)
    return {
        "start": start,
        "end": start + timedelta(days=6),
        "days": list(days.values()),
        "previous": start - timedelta(days=7),
        "next": start + timedelta(days=7),
    }


def _add_months(year: int, month: int, delta: int) -> date:
    index = year * 12 + (month - 1) + delta
    return date(index // 12, index % 12 + 1, 1)


def month_grid(*, workspace, year: int, month: int, tz: tzinfo) -> dict:
    """The month as whole Monday-to-Sunday weeks in the viewer's zone `tz`. Days before the
    first and after the last of the month carry `in_month=False`; their items are included."""
    first = date(year, month, 1)
    following = _add_months(year, month, 1)
    grid_first = week_start(first)
    grid_last = week_start(following - timedelta(days=1)) + timedelta(days=6)
    days = list(_days(workspace=workspace, first=grid_first, last=grid_last, tz=tz).values())
    for day in days:
        day.in_month = day.date.month == month
    return {
        "first": first,
        "weeks": [days[i : i + 7] for i in range(0, len(days), 7)],
        "days": days,
        "days_with_items": [day for day in days if day.in_month and day.items],
        "previous": _add_months(year, month, -1),
        "next": following,
    }
