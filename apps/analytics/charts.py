"""Charts drawn on the server as SVG: pure functions, no database.

Each returns a `Chart`: the SVG markup (viewBox-based, so it scales down to a phone, with a
<title> and aria-label) and the same data as table headers and rows, which
templates/analytics/_chart.html renders as a visually hidden <table> for screen readers.

Every text written into the markup (titles, labels, series names, values written as words)
is escaped. The dashboard's charts repeat an element per day or week: those are written as
f-strings with their texts escaped by `escaped` (apps/core/markup.py), figures and
coordinates as they are (digits, signs and separators); format_html's escaping of every
argument cost more than the rest of the drawing.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.html import conditional_escape, format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from apps.core.markup import escaped
from apps.core.numbers import number_formatter

# A narrow viewBox: the SVG scales to its card (about 380 px at 1280 px, 300 px on a phone),
# so the 13 px labels of app.css stay 10-13 px on screen. At 600 units they shrank to 7 px.
WIDTH = 420
HEIGHT = 240
PAD_LEFT = 56
PAD_RIGHT = 12
PAD_TOP = 14
PAD_BOTTOM = 30


@dataclass(frozen=True)
class Chart:
    svg: SafeString
    title: str
    headers: list[str] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)

    # The table alternative's cells, written here rather than by a template loop per cell
    # (a dashboard's three charts have some 150): each cell escaped as {{ cell }} would be.
    @property
    def head_html(self) -> SafeString:
        return mark_safe(
            "".join(f'<th scope="col">{conditional_escape(h)}</th>' for h in self.headers)
        )

    @property
    def rows_html(self) -> SafeString:
        return mark_safe(
            "".join(
                f'<tr><th scope="row">{conditional_escape(row[0])}</th>'
                + "".join(f"<td>{conditional_escape(cell)}</td>" for cell in row[1:])
                + "</tr>"
                for row in self.rows
            )
        )


def _formatter():
    """_fmt with the language's number formats looked up once, for a chart's many figures."""
    number = number_formatter(force_grouping=True)

    def fmt(value: float | None) -> str:
        if value is None:
            return "—"
        return number(value, 0 if float(value).is_integer() else 1)

    return fmt


def _fmt(value: float | None) -> str:
    return _formatter()(value)


def _svg(title: str, body: SafeString, *, width: int = WIDTH, height: int = HEIGHT) -> SafeString:
    return format_html(
        # width and height give the box its aspect ratio: with the viewBox alone a browser
        # made it 150 px tall and shrank every label to 8 px.
        '<svg class="chart-svg" viewBox="0 0 {} {}" width="{}" height="{}" role="img" '
        'aria-label="{}" preserveAspectRatio="xMidYMid meet"><title>{}</title>{}</svg>',
        width,
        height,
        width,
        height,
        title,
        title,
        body,
    )


def _label_every(n: int) -> int:
    return max(1, -(-n // 5))  # at most ~5 x-axis labels: each is a date of some 6 characters


def _gridlines(top: float, plot_w: float, plot_h: float, pad_right: int) -> SafeString:
    """Faint horizontal lines at a half and the top of the scale, so a bar's size reads
    without a ruler."""
    return format_html_join(
        "",
        '<line class="chart-grid" x1="{}" y1="{}" x2="{}" y2="{}"/>',
        (
            (
                PAD_LEFT,
                f"{PAD_TOP + plot_h * (1 - f):.1f}",
                WIDTH - pad_right,
                f"{PAD_TOP + plot_h * (1 - f):.1f}",
            )
            for f in (0.5, 1.0)
        ),
    )


def sparkline(
    values: list[float | None],
    *,
    label: str,
    points: list[str] | None = None,
    show=None,
) -> SafeString:
    """A small trend line for a stat card, with its words for whoever cannot see it: the
    label, the span, lowest, highest and last value (`points` names each value's day or week,
    `show` writes a value as the card does). None values are left out of the line. Fewer
    than two known values draw nothing."""
    known = [(i, float(v)) for i, v in enumerate(values) if v is not None]
    if len(known) < 2:
        return mark_safe("")
    show = show or _fmt
    top = max(v for _i, v in known) or 1
    w, h = 100, 28
    last_index = max(len(values) - 1, 1)
    line = " ".join(f"{w * i / last_index:.1f},{h - 2 - (h - 4) * v / top:.1f}" for i, v in known)
    numbers = [v for v in values if v is not None]
    facts = {
        "label": label,
        "low": show(min(numbers)),
        "high": show(max(numbers)),
        "last": show(numbers[-1]),
    }
    if points:
        words = _(
            "%(label)s, %(from)s to %(to)s: lowest %(low)s, highest %(high)s, last %(last)s."
        ) % {**facts, "from": points[0], "to": points[-1]}
    else:
        words = _("%(label)s: lowest %(low)s, highest %(high)s, last %(last)s.") % facts
    return format_html(
        '<svg class="spark-svg" viewBox="0 0 {} {}" preserveAspectRatio="none" role="img" '
        'aria-label="{}"><title>{}</title><polyline points="{}"/></svg>',
        w,
        h,
        words,
        words,
        line,
    )


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
    fmt = _formatter()
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
        _gridlines(top, plot_w, plot_h, pad_right),
        format_html(
            '<line class="chart-axis" x1="{}" y1="{}" x2="{}" y2="{}"/>'
            '<text class="chart-tick" x="{}" y="{}" text-anchor="end">{}</text>'
            '<text class="chart-tick" x="{}" y="{}" text-anchor="end">0</text>',
            PAD_LEFT,
            PAD_TOP + plot_h,
            WIDTH - pad_right,
            PAD_TOP + plot_h,
            PAD_LEFT - 6,
            PAD_TOP + 4,
            fmt(top),
            PAD_LEFT - 6,
            PAD_TOP + plot_h,
        ),
    ]
    if right:
        parts.append(
            format_html(
                '<text class="chart-tick chart-s{}" x="{}" y="{}" text-anchor="start">{}</text>'
                '<text class="chart-tick" x="{}" y="{}" text-anchor="start">0</text>',
                len(series) - 1,
                WIDTH - pad_right + 6,
                PAD_TOP + 4,
                fmt(top_right),
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
        # A dot per value: a single snapshot is a point, not an invisible line, and each dot
        # names its value on hover.
        if n <= 60:
            parts.extend(
                format_html(
                    '<circle class="chart-dot chart-s{}" cx="{}" cy="{}" r="{}">'
                    "<title>{}: {} ({})</title></circle>",
                    index,
                    f"{x(i):.1f}",
                    f"{y(v, scale):.1f}",
                    4 if n == 1 else 3,
                    name,
                    fmt(v),
                    labels[i],
                )
                for i, v in enumerate(values)
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
    rows = [[label, *[fmt(values[i]) for _, values in series]] for i, label in enumerate(labels)]
    return Chart(
        svg=_svg(title, mark_safe("".join(parts))),  # each part is format_html output
        title=title,
        headers=["", *[name for name, _ in series]],
        rows=rows,
    )


def bar_chart(*, title: str, value_label: str, bars: list[tuple[str, float]]) -> Chart:
    fmt = _formatter()
    n = len(bars)
    top = max((v for _, v in bars), default=0) or 1
    plot_w = WIDTH - PAD_LEFT - PAD_RIGHT
    plot_h = HEIGHT - PAD_TOP - PAD_BOTTOM
    slot = plot_w / n if n else plot_w
    step = _label_every(n)
    parts = []
    for i, (label, v) in enumerate(bars):
        shown, value = escaped(label), fmt(v)
        x = PAD_LEFT + i * slot
        parts.append(
            f'<g><rect class="chart-bar" x="{x + slot * 0.15:.1f}" '
            f'y="{PAD_TOP + plot_h - plot_h * v / top:.1f}" width="{slot * 0.7:.1f}" '
            f'height="{plot_h * v / top:.1f}"><title>{shown}: {value}</title></rect>'
            f'<text class="chart-value" x="{x + slot / 2:.1f}" '
            f'y="{PAD_TOP + plot_h - plot_h * v / top - 4:.1f}" text-anchor="middle">'
            f"{value if v else ''}</text>"
            f'<text class="chart-tick" x="{x + slot / 2:.1f}" y="{HEIGHT - 8}" '
            f'text-anchor="middle">{shown if i % step == 0 else ""}</text></g>'
        )
    body = mark_safe("".join(parts))  # labels escaped, the rest figures
    axis = _gridlines(top, plot_w, plot_h, PAD_RIGHT) + format_html(
        '<line class="chart-axis" x1="{}" y1="{}" x2="{}" y2="{}"/>'
        '<text class="chart-tick" x="{}" y="{}" text-anchor="end">{}</text>',
        PAD_LEFT,
        PAD_TOP + plot_h,
        WIDTH - PAD_RIGHT,
        PAD_TOP + plot_h,
        PAD_LEFT - 6,
        PAD_TOP + 4,
        fmt(top),
    )
    return Chart(
        svg=_svg(title, axis + body),
        title=title,
        headers=["", value_label],
        rows=[[label, fmt(v)] for label, v in bars],
    )


def funnel_chart(*, title: str, headers: list[str], stages: list[tuple[str, float, str]]) -> Chart:
    """Horizontal bars, one per stage: (label, count, formatted value)."""
    fmt = _formatter()
    row_h = 36
    height = max(row_h * len(stages) + 8, 40)
    label_w = 104
    plot_w = WIDTH - label_w - 130
    top = max((count for _, count, _ in stages), default=0) or 1
    parts = []
    for i, (label, count, value) in enumerate(stages):
        shown, figure, width = escaped(label), fmt(count), max(plot_w * count / top, 2)
        parts.append(
            f'<g><text class="chart-label" x="0" y="{i * row_h + 21}">{shown}</text>'
            f'<rect class="chart-bar chart-s{i}" x="{label_w}" y="{i * row_h + 4}" '
            f'width="{width:.1f}" height="22" rx="3"><title>{shown}: {figure}</title></rect>'
            f'<text class="chart-value" x="{label_w + width + 6:.1f}" y="{i * row_h + 21}">'
            f"{figure} · {escaped(value)}</text></g>"
        )
    body = mark_safe("".join(parts))  # labels and values escaped, the rest figures
    return Chart(
        svg=_svg(title, body, height=height),
        title=title,
        headers=headers,
        rows=[[label, fmt(count), value] for label, count, value in stages],
    )


def post_bars(
    *,
    title: str,
    labels: list[str],
    bars: tuple[str, list[float]],
    dots: tuple[str, list[float]],
) -> Chart:
    """One bar per publication day (a post's impressions), and a dot on its own right-hand
    scale (its engagement). Days without a post are left out: drawn as a line, the gaps fell
    to zero between posts and read as spikes."""
    fmt = _formatter()
    n = len(labels)
    bar_name, bar_values = bars
    dot_name, dot_values = dots
    top = max(bar_values, default=0) or 1
    top_right = max(dot_values, default=0) or 1
    pad_right = PAD_LEFT
    plot_w = WIDTH - PAD_LEFT - pad_right
    plot_h = HEIGHT - PAD_TOP - PAD_BOTTOM
    slot = plot_w / n if n else plot_w
    step = _label_every(n)

    def y(v: float, scale: float) -> float:
        return PAD_TOP + plot_h - plot_h * v / scale

    parts = [
        _gridlines(top, plot_w, plot_h, pad_right),
        format_html(
            '<line class="chart-axis" x1="{}" y1="{}" x2="{}" y2="{}"/>'
            '<text class="chart-tick" x="{}" y="{}" text-anchor="end">{}</text>'
            '<text class="chart-tick chart-s1" x="{}" y="{}" text-anchor="start">{}</text>',
            PAD_LEFT,
            PAD_TOP + plot_h,
            WIDTH - pad_right,
            PAD_TOP + plot_h,
            PAD_LEFT - 6,
            PAD_TOP + 4,
            fmt(top),
            WIDTH - pad_right + 6,
            PAD_TOP + 4,
            fmt(top_right),
        ),
    ]
    bar_shown, dot_shown = escaped(bar_name), escaped(dot_name)
    bar_w = min(slot * 0.64, 36)
    for i, label in enumerate(labels):
        centre = PAD_LEFT + i * slot + slot / 2
        value, dot = bar_values[i], dot_values[i]
        shown = escaped(label)
        parts.append(
            f'<g><rect class="chart-bar" x="{centre - bar_w / 2:.1f}" y="{y(value, top):.1f}" '
            f'width="{bar_w:.1f}" height="{plot_h * value / top:.1f}" rx="2">'
            f"<title>{shown}: {fmt(value)} {bar_shown}</title></rect>"
            f'<circle class="chart-dot chart-s1" cx="{centre:.1f}" cy="{y(dot, top_right):.1f}" '
            f'r="4"><title>{shown}: {fmt(dot)} {dot_shown}</title></circle>'
            f'<text class="chart-tick" x="{centre:.1f}" y="{HEIGHT - 8}" text-anchor="middle">'
            f"{shown if i % step == 0 else ''}</text></g>"
        )
    return Chart(
        svg=_svg(title, mark_safe("".join(parts))),  # format_html output or escaped above
        title=title,
        headers=["", bar_name, dot_name],
        rows=[[label, fmt(bar_values[i]), fmt(dot_values[i])] for i, label in enumerate(labels)],
    )
