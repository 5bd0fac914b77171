"""The dashboard's repeated markup, written in Python one format per row.

A fresh dashboard writes five results tables, the top posts and six deltas. Written by
template loops (a lookup, an `if` and a filter per cell) they cost more than all the
dashboard's own Python on a small workspace; here each row is one f-string, the language's
number formats are looked up once per table, and only what may hold markup is escaped (with
`escaped`): what the member typed (topics, hooks, template names) and translated words.
Figures are digits and the language's separators, written as the template filters write them
(`intcomma`, `floatformat`), so the page reads the same."""

from __future__ import annotations

from django.template.defaultfilters import floatformat
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator
from django.utils.timezone import template_localtime
from django.utils.translation import gettext as _

from apps.core.markup import escaped
from apps.core.numbers import number_formatter

DASH = "—"  # a figure that is not known, as the templates write it


def result_rows(groups) -> SafeString:
    """The <tr> rows of a results table (templates/analytics/_groups.html): label, posts,
    impressions, leads and leads per 1,000 impressions of each group."""
    plain = number_formatter()  # what {{ value }} writes
    grouped = number_formatter(force_grouping=True)  # what |intcomma writes
    return mark_safe(  # the labels escaped, the rest figures
        "".join(
            f'<tr><th scope="row">{escaped(g.label)}</th><td class="num">{plain(g.posts)}</td>'
            f'<td class="num">{DASH if g.impressions is None else grouped(g.impressions)}</td>'
            f'<td class="num">{plain(g.leads)}</td><td class="num"><strong>'
            f"{DASH if g.leads_per_1000 is None else floatformat(g.leads_per_1000, 2)}"
            "</strong></td></tr>"
            for g in groups
        )
    )


def top_post_rows(posts, *, workspace_slug: str) -> SafeString:
    """The <tr> rows of the top posts table: the post (its hook, else its topic) linked to
    its editor with its day, its leads, impressions and leads per 1,000 impressions."""
    plain = number_formatter()
    grouped = number_formatter(force_grouping=True)
    untitled = _("Untitled post")
    # Translated outside the f-string: makemessages does not read into f-strings.
    imported_word = escaped(_("imported"))
    imported = f' <span class="badge" data-imported>{imported_word}</span>'
    rows = []
    for p in posts:
        impressions = DASH
        if p["impressions"] is not None:
            impressions = grouped(p["impressions"]) + (imported if p.get("imported") else "")
        link = reverse("post_edit", args=[workspace_slug, p["id"]])
        title = Truncator(p.get("hook") or p.get("topic") or untitled).chars(80)
        day = date_format(template_localtime(p["published_at"]), "SHORT_DATE_FORMAT")
        per_1000 = DASH if p["leads_per_1000"] is None else floatformat(p["leads_per_1000"], 2)
        rows.append(
            f'<tr><th scope="row"><a href="{escaped(link)}">{escaped(title)}</a><br>'
            f'<small class="muted">{escaped(day)}</small></th>'
            f'<td class="num" data-top-leads>{plain(p["leads"])}</td>'
            f'<td class="num">{impressions}</td><td class="num">{per_1000}</td></tr>'
        )
    return mark_safe("".join(rows))  # what may hold markup is escaped


def deltas(values: dict) -> dict[str, SafeString]:
    """Each stat card's change against the previous period, as a span: "+12.5% vs. previous
    period" (class up or down), or "no comparison" when the previous period had nothing."""
    # Translated outside the f-string: makemessages does not read into f-strings.
    no_comparison = escaped(_("no comparison"))
    none = f'<span class="dash-delta muted">{no_comparison}</span>'
    versus = escaped(_("vs. previous period"))
    spans = {}
    for key, delta in values.items():
        if delta is None:
            spans[key] = mark_safe(none)
            continue
        direction = "up" if delta > 0 else "down" if delta < 0 else ""
        sign = "+" if delta > 0 else ""
        spans[key] = mark_safe(  # a figure and translated words, escaped
            f'<span class="dash-delta {direction}">{sign}{floatformat(delta, 1)}% '
            f'<span class="muted">{versus}</span></span>'
        )
    return spans
