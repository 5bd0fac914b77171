"""The dashboard (the workspace's home page), a post's metrics section, and CSV exports."""

from __future__ import annotations

import csv
import hashlib

from django.conf import settings
from django.core.cache import cache
from django.db import router
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.formats import date_format, number_format
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from apps.accounts.tenancy import get_owned_or_404, workspace_view
from apps.analytics import charts, selectors, tables
from apps.content.models import Post
from apps.core.alongside import alongside
from apps.core.db_routers import reads_from_replica
from apps.core.spreadsheet import csv_cell
from apps.core.templatetags.euros import format_euros

EXPORT_CHUNK = 2000


def _day_labels():
    """A function writing a day as date_format(day, "MONTH_DAY_FORMAT") does, each day once:
    the charts and sparklines name the same days again and again (180 times on a 30-day
    page), and each date_format looks the format and the month's name up afresh."""
    labels = {}

    def label(day) -> str:
        if day not in labels:
            labels[day] = date_format(day, "MONTH_DAY_FORMAT")
        return labels[day]

    return label


def _dashboard_charts(data: selectors.Dashboard, day_label) -> dict:
    # Only the days a measured post went out: the days between are not zero impressions.
    published_days = [(day, i, e) for day, i, e in data.by_day if i or e]
    return {
        "over_time": charts.post_bars(
            title=_("Impressions and engagement by publication day"),
            labels=[day_label(day) for day, _i, _e in published_days],
            bars=(_("Impressions"), [i for _d, i, _e in published_days]),
            dots=(_("Engagement"), [e for _d, _i, e in published_days]),
        ),
        "leads_per_week": charts.bar_chart(
            title=_("New leads per week"),
            value_label=_("Leads"),
            # Each bar is a week (the title says so); "week of 11/02/2026" under every bar ran
            # into its neighbours, so the tick is the Monday's day and month.
            bars=[(day_label(week), n) for week, n in data.leads_by_week],
        ),
        "funnel": charts.funnel_chart(
            title=_("Lead funnel"),
            headers=[_("Stage"), _("Leads"), _("Value")],
            stages=[(str(s["label"]), s["count"], format_euros(s["value"])) for s in data.funnel],
        ),
    }


@workspace_view()
@reads_from_replica
def dashboard(request: HttpRequest) -> HttpResponse:
    workspace = request.workspace
    days = selectors.period_days(request.GET.get("days"))
    body, has_published = _dashboard_body(request, days)
    if request.htmx:
        # The new period's figures, and the period links marking it as the current one (out of
        # band: they sit outside the body the links swap).
        links = render_to_string(
            "analytics/dashboard.html#period-links",
            {"days": days, "periods": selectors.PERIODS, "swap_oob": True},
            request=request,
        )
        return HttpResponse(body + links)
    context = {"dash_body": body, "days": days, "periods": selectors.PERIODS}
    if not has_published:
        # Before the first post the home page is the guided start, not a page of zeros.
        from apps.analytics.onboarding import onboarding_for

        context["onboarding"] = onboarding_for(workspace=workspace, user=request.user)
    return render(request, "analytics/dashboard.html", context)


def _dashboard_body(request: HttpRequest, days: int) -> tuple[str, bool]:
    """The dashboard's figures, charts and tables as HTML, and whether anything was ever
    published.

    The figures come from every post, lead and comment of two periods: at 5,000 posts and
    20,000 leads that is most of a second, far more than a plain page, and most visits would
    compute the same again. So the HTML is cached per workspace, period, language and time
    zone for a short window (DASHBOARD_CACHE_SECONDS), under a key that holds a fingerprint
    of the rows (one statement of index lookups): a published post, new metrics or a lead's
    change shows at once.
    Queries on a fresh computation: the fingerprint (unless the cache is off), the period's
    posts grouped and its top posts, the previous period's totals, the leads created and
    those converted per day, the funnel, "ever published", and the best-time model's posts
    and their leads (on PostgreSQL the last and the lead figures on a second connection
    while the posts are grouped: apps/core/alongside.py)."""
    from apps.content.besttime import heatmap_rows
    from apps.content.selectors import best_time_model

    workspace = request.workspace
    seconds = settings.DASHBOARD_CACHE_SECONDS
    now = timezone.now()
    key = None
    if seconds:
        fingerprint = selectors.dashboard_fingerprint(workspace=workspace)
        window = int(now.timestamp() // seconds)
        key = (
            "dashboard:"
            + hashlib.sha256(
                repr(
                    (workspace.pk, workspace.slug, workspace.timezone, days, get_language(), window)
                ).encode()
                + repr(fingerprint).encode()
            ).hexdigest()
        )
        cached = cache.get(key)
        if cached is not None:
            body, has_published = cached
            return mark_safe(body), has_published  # our own rendering, stored as it was
    # The best-time model's posts are read alongside the figures (apps/core/alongside.py).
    best_time = alongside(
        lambda: best_time_model(workspace=workspace),
        using=router.db_for_read(Post),
        workspace_id=workspace.pk,
    )
    data = selectors.dashboard(workspace=workspace, days=days, now=now)
    day_label = _day_labels()
    context = {
        "data": data,
        "days": days,
        "charts": _dashboard_charts(data, day_label),
        "heatmap": heatmap_rows(best_time()),
        "sparks": _stat_card_sparks(data, day_label),
        "deltas": tables.deltas(data.deltas),
        "group_rows": {
            name: tables.result_rows(getattr(data, f"by_{name}"))
            for name in ("framework", "template", "topic", "slot", "hook")
        },
        "top_post_rows": tables.top_post_rows(data.top_posts, workspace_slug=workspace.slug),
    }
    body = render_to_string("analytics/dashboard.html#dash-body", context, request=request)
    if key:
        cache.set(key, (body, data.has_published), seconds)
    return body, data.has_published


def _whole(value) -> str:
    return number_format(value, 0, force_grouping=True)


def _percent(value) -> str:
    return number_format(value, 1) + "%"


def _stat_card_sparks(data: selectors.Dashboard, day_label) -> dict:
    """A sparkline for each stat card, its words naming the span and the figures as the card
    writes them."""
    by_day = data.trend_unit == "day"
    cards = {
        "published": (
            _("Posts published by day") if by_day else _("Posts published by week"),
            _whole,
        ),
        "impressions": (_("Impressions by day") if by_day else _("Impressions by week"), _whole),
        "engagement_rate": (
            _("Engagement rate by day") if by_day else _("Engagement rate by week"),
            _percent,
        ),
        "new_leads": (_("New leads by day") if by_day else _("New leads by week"), _whole),
        "pipeline_value": (
            _("Pipeline value by day") if by_day else _("Pipeline value by week"),
            format_euros,
        ),
        "converted_value": (
            _("Converted value by day") if by_day else _("Converted value by week"),
            format_euros,
        ),
    }
    sparks = {}
    for key, (label, show) in cards.items():
        trend = data.trends.get(key, [])
        sparks[key] = charts.sparkline(
            [value for _bucket, value in trend],
            label=label,
            points=[day_label(bucket) for bucket, _value in trend],
            show=show,
        )
    return sparks


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


def _stream_csv(filename: str, header: list[str], rows) -> StreamingHttpResponse:
    writer = csv.writer(_Echo())

    def lines():
        yield writer.writerow(header)
        for row in rows.iterator(chunk_size=EXPORT_CHUNK):
            yield writer.writerow([csv_cell(v) for v in row])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@workspace_view()
@reads_from_replica
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
@reads_from_replica
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
