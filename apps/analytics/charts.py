"""Charts drawn on the server as SVG: pure functions, no database.

Each returns a `Chart`: the SVG markup (viewBox-based, so it scales down to a phone, with a
<title> and aria-label; every interpolated value is escaped by format_html) and the same data as
table headers and rows, which templates/analytics/_chart.html renders as a visually hidden
<table> for screen readers.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.formats import number_format
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

WIDTH = 600
HEIGHT = 220
PAD_LEFT = 48
PAD_RIGHT = 12
PAD_TOP = 12
PAD_BOTTOM = 28


@dataclass(frozen=True)
class Chart:
    svg: SafeString
    title: str
    headers: list[str] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)


def _fmt(value: float | None) -> str:
    if value is None:
        return "—"
    return number_format(value, 0 if float(value).is_integer() else 1, force_grouping=True)


def _svg(title: str, body: SafeString, *, width: int = WIDTH, height: int = HEIGHT) -> SafeString:
    return format_html(
        '<svg class="chart-svg" viewBox="0 0 {} {}" role="img" aria-label="{}" '
        'preserveAspectRatio="xMidYMid meet"><title>{}</title>{}</svg>',
        width,
        height,
        title,
        title,
        body,
    )


def _label_every(n: int) -> int:
    return max(1, -(-n // 8))  # at most ~8 x-axis labels


def line_chart(
    *,
    title: str,
    labels: list[str],
    series: list[tuple[str, list[float]]],
    right_axis: bool = False,
) -> Chart:
    """One or more series over the same x labels; the first is drawn as an area. With
    `right_axis`, the last series has its own scale, labelled on the right: engagement is a
    few percent of impressions and would lie flat along the bottom on a shared scale."""
    n = len(labels)
    right = series[-1] if right_axis and len(series) > 1 else None
    left = series[:-1] if right else series
    top = max((v for _, values in left for v in values), default=0) or 1
    top_right = (max(right[1], default=0) or 1) if right else 1
    pad_right = PAD_LEFT if right else PAD_RIGHT
    plot_w = WIDTH - PAD_LEFT - pad_right
    plot_h = HEIGHT - PAD_TOP - PAD_BOTTOM

    def x(i: int) -> float:
        return PAD_LEFT + (plot_w * i / (n - 1) if n > 1 else plot_w / 2)

    def y(v: float, scale: float = top) -> float:
        return PAD_TOP + plot_h - plot_h * v / scale

    parts = [
        format_html(
            '<line class="chart-axis" x1="{}" y1="{}" x2="{}" y2="{}"/>'
            '<text class="chart-tick" x="{}" y="{}" text-anchor="end">{}</text>'
            '<text class="chart-tick" x="{}" y="{}" text-anchor="end">0</text>',
            PAD_LEFT,
            PAD_TOP + plot_h,
            WIDTH - pad_right,
            PAD_TOP + plot_h,
            PAD_LEFT - 6,
            PAD_TOP + 10,
            _fmt(top),
            PAD_LEFT - 6,
            PAD_TOP + plot_h,
        )
    ]
    if right:
        parts.append(
            format_html(
                '<text class="chart-tick chart-s{}" x="{}" y="{}" text-anchor="start">{}</text>'
                '<text class="chart-tick" x="{}" y="{}" text-anchor="start">0</text>',
                len(series) - 1,
                WIDTH - pad_right + 6,
                PAD_TOP + 10,
                _fmt(top_right),
                WIDTH - pad_right + 6,
                PAD_TOP + plot_h,
            )
        )
    for index, (name, values) in enumerate(series):
        scale = top_right if right and index == len(series) - 1 else top
        points = " ".join(f"{x(i):.1f},{y(v, scale):.1f}" for i, v in enumerate(values))
        if index == 0 and n:
            area = f"{x(0):.1f},{y(0):.1f} {points} {x(n - 1):.1f},{y(0):.1f}"
            parts.append(format_html('<polygon class="chart-area" points="{}"/>', area))
        parts.append(
            format_html(
                '<polyline class="chart-line chart-s{}" points="{}"><title>{}</title></polyline>',
                index,
                points,
                name,
            )
        )
    step = _label_every(n)
    parts.extend(
        format_html(
            '<text class="chart-tick" x="{}" y="{}" text-anchor="middle">{}</text>',
            f"{x(i):.1f}",
            HEIGHT - 8,
            label,
        )
        for i, label in enumerate(labels)
        if i % step == 0
    )
    rows = [[label, *[_fmt(values[i]) for _, values in series]] for i, label in enumerate(labels)]
    return Chart(
        svg=_svg(title, mark_safe("".join(parts))),  # each part is format_html output
        title=title,
        headers=["", *[name for name, _ in series]],
        rows=rows,
    )


def bar_chart(*, title: str, value_label: str, bars: list[tuple[str, float]]) -> Chart:
    n = len(bars)
    top = max((v for _, v in bars), default=0) or 1
    plot_w = WIDTH - PAD_LEFT - PAD_RIGHT
    plot_h = HEIGHT - PAD_TOP - PAD_BOTTOM
    slot = plot_w / n if n else plot_w
    step = _label_every(n)
    body = format_html_join(
        "",
        '<g><rect class="chart-bar" x="{}" y="{}" width="{}" height="{}"><title>{}: {}</title>'
        '</rect><text class="chart-value" x="{}" y="{}" text-anchor="middle">{}</text>'
        '<text class="chart-tick" x="{}" y="{}" text-anchor="middle">{}</text></g>',
        (
            (
                f"{PAD_LEFT + i * slot + slot * 0.15:.1f}",
                f"{PAD_TOP + plot_h - plot_h * v / top:.1f}",
                f"{slot * 0.7:.1f}",
                f"{plot_h * v / top:.1f}",
                label,
                _fmt(v),
                f"{PAD_LEFT + i * slot + slot / 2:.1f}",
                f"{PAD_TOP + plot_h - plot_h * v / top - 4:.1f}",
                _fmt(v) if v else "",
                f"{PAD_LEFT + i * slot + slot / 2:.1f}",
                HEIGHT - 8,
                label if i % step == 0 else "",
            )
            for i, (label, v) in enumerate(bars)
        ),
    )
    axis = format_html(
        '<line class="chart-axis" x1="{}" y1="{}" x2="{}" y2="{}"/>',
        PAD_LEFT,
        PAD_TOP + plot_h,
        WIDTH - PAD_RIGHT,
        PAD_TOP + plot_h,
    )
    return Chart(
        svg=_svg(title, axis + body),
        title=title,
        headers=["", value_label],
        rows=[[label, _fmt(v)] for label, v in bars],
    )


def funnel_chart(*, title: str, headers: list[str], stages: list[tuple[str, float, str]]) -> Chart:
    """Horizontal bars, one per stage: (label, count, formatted value)."""
    row_h = 34
    height = max(row_h * len(stages) + 8, 40)
    label_w = 130
    plot_w = WIDTH - label_w - 150
    top = max((count for _, count, _ in stages), default=0) or 1
    body = format_html_join(
        "",
        '<g><text class="chart-label" x="0" y="{}">{}</text>'
        '<rect class="chart-bar chart-s{}" x="{}" y="{}" width="{}" height="22" rx="3">'
        "<title>{}: {}</title></rect>"
        '<text class="chart-value" x="{}" y="{}">{} · {}</text></g>',
        (
            (
                i * row_h + 21,
                label,
                i,
                label_w,
                i * row_h + 4,
                f"{max(plot_w * count / top, 2):.1f}",
                label,
                _fmt(count),
                f"{label_w + max(plot_w * count / top, 2) + 6:.1f}",
                i * row_h + 21,
                _fmt(count),
                value,
            )
            for i, (label, count, value) in enumerate(stages)
        ),
    )
    return Chart(
        svg=_svg(title, body, height=height),
        title=title,
        headers=headers,
        rows=[[label, _fmt(count), value] for label, count, value in stages],
    )
