"""The calendar: week and month views in the viewer's time zone, and reschedule in place.

One template, `content/calendar.html`; htmx navigation and rescheduling swap only its
`#calendar-grid` partial, and every link and form also works as a plain request.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, tzinfo

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from apps.accounts.models import Role
from apps.accounts.tenancy import get_owned_or_404, owned, workspace_view
from apps.content.calendar import month_grid, week_grid, week_start
from apps.content.models import Post
from apps.content.scheduling import local_occurrence, post_schedule
from apps.content.services import ContentError

# Outside these years a link is garbage (or a crawler); show the current period instead.
FIRST_YEAR, LAST_YEAR = 2000, 2100
TEMPLATE = "content/calendar.html"


def _parse_week(value: str | None, today: date) -> date:
    try:
        day = date.fromisoformat(value or "")
    except ValueError:
        return week_start(today)
    return week_start(day) if FIRST_YEAR <= day.year <= LAST_YEAR else week_start(today)


def _parse_month(value: str | None, today: date) -> date:
    try:
        first = date.fromisoformat(f"{value}-01")
    except ValueError:
        return today.replace(day=1)
    return first if FIRST_YEAR <= first.year <= LAST_YEAR else today.replace(day=1)


def _parse_local_datetime(value: str | None, tz: tzinfo) -> datetime:
    """A `datetime-local` value, read as wall time in the viewer's zone."""
    try:
        naive = datetime.fromisoformat(value or "")
    except ValueError:
        raise ContentError(_("Enter a date and time.")) from None
    if naive.tzinfo is not None:
        return naive
    if not FIRST_YEAR <= naive.year <= LAST_YEAR:
        raise ContentError(_("Enter a date and time."))
    return local_occurrence(naive.date(), naive.time(), tz)


def _calendar_url(request: HttpRequest, view: str, anchor: date) -> str:
    slug = request.workspace.slug
    if view == "month":
        return f"{reverse('calendar_month', args=[slug])}?month={anchor:%Y-%m}"
    return f"{reverse('calendar', args=[slug])}?week={anchor:%Y-%m-%d}"


def _render_calendar(
    request: HttpRequest,
    *,
    view: str,
    anchor: date,
    error: str = "",
    notice: str = "",
    status: int = 200,
) -> HttpResponse:
    tz = timezone.get_current_timezone()
    today = timezone.localdate()
    if view == "month":
        grid = month_grid(workspace=request.workspace, year=anchor.year, month=anchor.month, tz=tz)
        # The week view opened from a month: this week if it is this month, else its first.
        same_month = (today.year, today.month) == (anchor.year, anchor.month)
        week_url = _calendar_url(request, "week", week_start(today if same_month else anchor))
        today_url = _calendar_url(request, "month", today)
        anchor_text = f"{anchor:%Y-%m}"
    else:
        grid = week_grid(workspace=request.workspace, start=anchor, tz=tz)
        week_url = _calendar_url(request, "week", anchor)
        today_url = _calendar_url(request, "week", week_start(today))
        anchor_text = f"{anchor:%Y-%m-%d}"
    template = f"{TEMPLATE}#calendar-grid" if request.htmx else TEMPLATE
    next_scheduled = _next_scheduled_after(request, grid, tz) if view == "week" else None
    return render(
        request,
        template,
        {
            "view": view,
            "grid": grid,
            "anchor": anchor_text,
            "previous_url": _calendar_url(request, view, grid["previous"]),
            "next_url": _calendar_url(request, view, grid["next"]),
            "today_url": today_url,
            "week_url": week_url,
            "month_url": _calendar_url(request, "month", anchor),
            "user_tz": str(tz),
            "workspace_tz": request.workspace.timezone,
            # Scheduling is publishing: owners and admins move posts.
            "can_write": request.membership.has_role(Role.ADMIN),
            "error": error,
            "notice": notice,
            "next_scheduled": next_scheduled,
        },
        status=status,
    )


def _next_scheduled_after(request: HttpRequest, grid: dict, tz: tzinfo) -> dict | None:
    """For a week without posts: when the next scheduled one goes out, and a link to its week.

    A queue fills the next free slots, which are often in a later week; without this the
    calendar a consultant opens right after queueing says "Nothing planned" all week."""
    if any(not item.is_free_slot for day in grid["days"] for item in day.items):
        return None
    after = datetime.combine(grid["end"] + timedelta(days=1), time.min, tzinfo=tz)
    at = (
        owned(Post, workspace=request.workspace)
        .filter(status=Post.Status.SCHEDULED, scheduled_at__gte=after)
        .order_by("scheduled_at")
        .values_list("scheduled_at", flat=True)
        .first()
    )
    if at is None:
        return None
    week = week_start(timezone.localtime(at, tz).date())
    return {"at": at, "url": _calendar_url(request, "week", week)}


@workspace_view()
def calendar_week(request: HttpRequest) -> HttpResponse:
    anchor = _parse_week(request.GET.get("week"), timezone.localdate())
    return _render_calendar(request, view="week", anchor=anchor)


@workspace_view()
def calendar_month(request: HttpRequest) -> HttpResponse:
    anchor = _parse_month(request.GET.get("month"), timezone.localdate())
    return _render_calendar(request, view="month", anchor=anchor)


@workspace_view(min_role=Role.ADMIN)
@require_POST
def calendar_reschedule(request: HttpRequest, pk: int) -> HttpResponse:
    """Move a scheduled post to the time in `at`, then show the period the user was looking
    at (`week` or `month` in the form) again: the grid for htmx, a redirect otherwise."""
    post = get_owned_or_404(Post, workspace=request.workspace, pk=pk)
    today = timezone.localdate()
    if "month" in request.POST:
        view, anchor = "month", _parse_month(request.POST["month"], today)
    else:
        view, anchor = "week", _parse_week(request.POST.get("week"), today)
    try:
        at = _parse_local_datetime(request.POST.get("at"), timezone.get_current_timezone())
        post_schedule(post=post, at=at, actor=request.user)
    except ContentError as error:
        # htmx swaps only 2xx answers, so it gets the grid with the message in it.
        status = 200 if request.htmx else 400
        return _render_calendar(request, view=view, anchor=anchor, error=str(error), status=status)
    notice = _("Moved to %(when)s.") % {
        "when": formats.date_format(timezone.localtime(at), "DATETIME_FORMAT")
    }
    if request.htmx:
        return _render_calendar(request, view=view, anchor=anchor, notice=notice)
    messages.success(request, notice)
    return redirect(_calendar_url(request, view, anchor))
