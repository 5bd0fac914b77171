"""The dashboard's repeated markup, written in Python one format per row.

A fresh dashboard writes five results tables, the top posts and six deltas. Written by
template loops (a lookup, an `if` and a filter per cell) they cost more than all the
dashboard's own Python on a small workspace; here each row is one format_html, which escapes
what the member typed (topics, hooks, template names), and the language's number formats are
looked up once per table. The figures are written as the template filters write them
(`intcomma`, `floatformat`), so the page reads the same."""

from __future__ import annotations

from django.template.defaultfilters import floatformat
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator
from django.utils.timezone import template_localtime
from django.utils.translation import gettext as _

from apps.core.numbers import number_formatter

DASH = "—"  # a figure that is not known, as the templates write it


def result_rows(groups) -> SafeString:
    """The <tr> rows of a results table (templates/analytics/_groups.html): label, posts,
    impressions, leads and leads per 1,000 impressions of each group."""
    plain = number_formatter()  # what {{ value }} writes
    grouped = number_formatter(force_grouping=True)  # what |intcomma writes
    return mark_safe(  # each row is format_html output
        "".join(
            format_html(
                '<tr><th scope="row">{}</th><td class="num">{}</td><td class="num">{}</td>'
                '<td class="num">{}</td><td class="num"><strong>{}</strong></td></tr>',
                g.label,
                plain(g.posts),
                DASH if g.impressions is None else grouped(g.impressions),
                plain(g.leads),
                DASH if g.leads_per_1000 is None else floatformat(g.leads_per_1000, 2),
            )
            for g in groups
        )
    )


def top_post_rows(posts, *, workspace_slug: str) -> SafeString:
    """The <tr> rows of the top posts table: the post (its hook, else its topic) linked to
    its editor with its day, its leads, impressions and leads per 1,000 impressions."""
    plain = number_formatter()
    grouped = number_formatter(force_grouping=True)
    untitled = _("Untitled post")
    imported = format_html(' <span class="badge" data-imported>{}</span>', _("imported"))
    rows = []
    for p in posts:
        if p["impressions"] is None:
            impressions = DASH
        else:
            impressions = format_html(
                "{}{}", grouped(p["impressions"]), imported if p["imported"] else ""
            )
        rows.append(
            format_html(
                '<tr><th scope="row"><a href="{}">{}</a><br><small class="muted">{}</small>'
                '</th><td class="num" data-top-leads>{}</td><td class="num">{}</td>'
                '<td class="num">{}</td></tr>',
                reverse("post_edit", args=[workspace_slug, p["id"]]),
                Truncator(p["hook"] or p["topic"] or untitled).chars(80),
                date_format(template_localtime(p["published_at"]), "SHORT_DATE_FORMAT"),
                plain(p["leads"]),
                impressions,
                DASH if p["leads_per_1000"] is None else floatformat(p["leads_per_1000"], 2),
            )
        )
    return mark_safe("".join(rows))  # each row is format_html output


def deltas(values: dict) -> dict[str, SafeString]:
    """Each stat card's change against the previous period, as a span: "+12.5% vs. previous
    period" (class up or down), or "no comparison" when the previous period had nothing."""
    none = format_html('<span class="dash-delta muted">{}</span>', _("no comparison"))
    versus = _("vs. previous period")
    spans = {}
    for key, delta in values.items():
        if delta is None:
            spans[key] = none
            continue
        spans[key] = format_html(
            '<span class="dash-delta {}">{}{}% <span class="muted">{}</span></span>',
            "up" if delta > 0 else "down" if delta < 0 else "",
            "+" if delta > 0 else "",
            floatformat(delta, 1),
            versus,
        )
    return spans
