"""The dashboard (the workspace's home page), a post's metrics section, and CSV exports."""

from __future__ import annotations

import csv

from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _

from apps.accounts.tenancy import get_owned_or_404, workspace_view
from apps.analytics import charts, selectors
from apps.content.models import Post

EXPORT_CHUNK = 2000


def _money(value) -> str:
    return "€" + number_format(value or 0, 0, force_grouping=True)


def _dashboard_charts(data: selectors.Dashboard) -> dict:
    days = [date_format(day, "SHORT_DATE_FORMAT") for day, _i, _e in data.by_day]
    return {
        "over_time": charts.line_chart(
            title=_("Impressions and engagement by publication day"),
            labels=days,
            series=[
                (_("Impressions"), [i for _d, i, _e in data.by_day]),
                (_("Engagement"), [e for _d, _i, e in data.by_day]),
            ],
        ),
        "leads_per_week": charts.bar_chart(
            title=_("New leads per week"),
            value_label=_("Leads"),
            bars=[
                (_("week of %(date)s") % {"date": date_format(week, "SHORT_DATE_FORMAT")}, n)
                for week, n in data.leads_by_week
            ],
        ),
        "funnel": charts.funnel_chart(
            title=_("Lead funnel"),
            headers=[_("Stage"), _("Leads"), _("Value")],
            stages=[(str(s["label"]), s["count"], _money(s["value"])) for s in data.funnel],
        ),
    }


@workspace_view()
def dashboard(request: HttpRequest) -> HttpResponse:
    # Queries, whatever the number of posts: the posts of both periods, the leads attributed
    # to them, the lead figures, leads per week, the funnel, "anything ever published", the
    # best-time model's posts; plus session, user, membership and the nav's unread count.
    from apps.content.besttime import heatmap_rows
    from apps.content.selectors import best_time_model

    workspace = request.workspace
    days = selectors.period_days(request.GET.get("days"))
    data = selectors.dashboard(workspace=workspace, days=days)
    context = {
        "data": data,
        "days": days,
        "periods": selectors.PERIODS,
        "charts": _dashboard_charts(data),
        "heatmap": heatmap_rows(best_time_model(workspace=workspace)),
    }
    template = "analytics/dashboard.html"
    if request.htmx:
        return render(request, template + "#dash-body", context)
    if not data.has_published:
        # Before the first post the home page is the onboarding checklist.
        from apps.accounts.selectors import profile_of_member
        from apps.linkedin.selectors import connection_for

        connection = connection_for(workspace=workspace)
        context["profile"] = profile_of_member(workspace=workspace, user=request.user)
        context["linkedin_connected"] = connection is not None and connection.is_usable
    return render(request, template, context)


@workspace_view()
def post_metrics(request: HttpRequest, pk: int) -> HttpResponse:
    post = get_owned_or_404(Post, workspace=request.workspace, pk=pk)
    metrics = selectors.post_metrics(post=post)
    snapshots = metrics["snapshots"]
    labels = [
        date_format(timezone.localtime(s.captured_at), "SHORT_DATETIME_FORMAT") for s in snapshots
    ]
    series = [
        (_("Reactions"), [s.reactions for s in snapshots]),
        (_("Comments"), [s.comments for s in snapshots]),
    ]
    if any(s.impressions is not None for s in snapshots):
        series.insert(0, (_("Impressions"), [s.impressions or 0 for s in snapshots]))
    context = {
        "post": post,
        **metrics,
        "curve": charts.line_chart(title=_("This post over time"), labels=labels, series=series)
        if snapshots
        else None,
        "analytics_missing": bool(snapshots) and snapshots[-1].impressions is None,
    }
    template = "analytics/post_metrics.html"
    if request.htmx:
        return render(request, template + "#post-metrics", context)
    return render(request, template, context)


class _Echo:
    def write(self, value):
        return value


def _cell(value) -> str:
    """Plain text for a spreadsheet; cells that would start a formula are quoted."""
    if value is None:
        return ""
    if hasattr(value, "isoformat"):
        return value.isoformat()
    text = str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _stream_csv(filename: str, header: list[str], rows) -> StreamingHttpResponse:
    writer = csv.writer(_Echo())

    def lines():
        yield writer.writerow(header)
        for row in rows.iterator(chunk_size=EXPORT_CHUNK):
            yield writer.writerow([_cell(v) for v in row])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@workspace_view()
def export_posts(request: HttpRequest) -> StreamingHttpResponse:
    header = [
        "id",
        "published_at",
        "framework",
        "template",
        "topic",
        "hook",
        "impressions",
        "members_reached",
        "reactions",
        "comments",
        "reshares",
        "metrics_at",
        "linkedin_url",
    ]
    return _stream_csv(
        f"{request.workspace.slug}-posts.csv",
        header,
        selectors.posts_for_export(workspace=request.workspace),
    )


@workspace_view()
def export_leads(request: HttpRequest) -> StreamingHttpResponse:
    header = [
        "id",
        "created_at",
        "status",
        "score",
        "intent",
        "value_eur",
        "name",
        "headline",
        "follow_up_on",
    ]
    return _stream_csv(
        f"{request.workspace.slug}-leads.csv",
        header,
        selectors.leads_for_export(workspace=request.workspace),
    )
