"""Post figures without API approval: the XLSX a member downloads from LinkedIn's own
analytics page (Analytics → Content → Export).

What this rests on: the export's "TOP POSTS" sheet has a note, a blank row, then a header
row with two tables side by side — "Post URL", "Post publish date", "Engagements" and, after
a blank column, "Post URL", "Post publish date", "Impressions" — one row per post (as
documented by public parsers of the file; other sheets: DISCOVERY, ENGAGEMENT, FOLLOWERS,
DEMOGRAPHICS). The reader looks for that header row on any sheet, so a reordered or renamed
sheet still reads. Rows are matched to published posts by the URN in the URL, else by the
publication day when exactly one post went out that day (the export has no post text).
Imported figures become snapshots marked `import`; nothing is stored for a row that does not
match, and the result says why."""

from __future__ import annotations

import io
import re
import zipfile
import zoneinfo
from dataclasses import dataclass
from datetime import date, datetime
from urllib.parse import unquote

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.accounts.tenancy import owned
from apps.analytics.models import MetricSnapshot
from apps.content.models import Post

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 2000

_URL_HEADERS = {"post url", "beitrags-url", "url des beitrags", "post-url"}
_DATE_HEADERS = {
    "post publish date",
    "publish date",
    "veröffentlichungsdatum des beitrags",
    "veröffentlichungsdatum",
}
_METRICS = {
    "impressions": "impressions",
    "impressionen": "impressions",
    "engagements": "engagements",
    "interaktionen": "engagements",
}
_URN = re.compile(r"urn:li:(activity|share|ugcPost):(\d+)")


class AnalyticsImportError(Exception):
    """The file as a whole cannot be read; the message is for the user."""


@dataclass
class ImportedRow:
    line: int
    url: str
    published_on: date | None = None
    impressions: int | None = None
    engagements: int | None = None
    post: Post | None = None
    problem: str = ""


def read_export(data: bytes) -> list[ImportedRow]:
    """The per-post rows of a LinkedIn analytics export, merged by post URL."""
    if len(data) > MAX_BYTES:
        raise AnalyticsImportError(_("The file is larger than 5 MB."))
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError):
        raise AnalyticsImportError(
            _(
                "This is not an Excel workbook (.xlsx). Download the export from your "
                "LinkedIn analytics page and upload it as it is."
            )
        ) from None
    try:
        rows: dict[str, ImportedRow] = {}
        found_table = False
        for sheet in book.worksheets:
            found_table |= _read_sheet(sheet, rows)
    finally:
        book.close()
    if not found_table:
        raise AnalyticsImportError(
            _(
                "No table of posts in this workbook: LinkedIn's export has a “TOP POSTS” "
                "sheet with “Post URL”, “Post publish date” and “Impressions” columns."
            )
        )
    if not rows:
        raise AnalyticsImportError(_("The table of posts is empty."))
    return list(rows.values())


def _read_sheet(sheet, rows: dict[str, ImportedRow]) -> bool:
    tables = None
    for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
        if number > MAX_ROWS:
            raise AnalyticsImportError(
                _("More than %(n)d rows: is this LinkedIn's analytics export?") % {"n": MAX_ROWS}
            )
        cells = [("" if v is None else v) for v in values]
        if tables is None:
            tables = _tables_in_header(cells)
            continue
        for url_at, date_at, metric_at, metric in tables:
            url = str(cells[url_at]).strip() if url_at < len(cells) else ""
            if not url:
                continue
            row = rows.setdefault(url, ImportedRow(line=number, url=url))
            if date_at is not None and date_at < len(cells) and row.published_on is None:
                row.published_on = _date(cells[date_at])
            if metric_at < len(cells):
                setattr(row, metric, _count(cells[metric_at]))
    return tables is not None


def _tables_in_header(cells: list) -> list[tuple[int, int | None, int, str]] | None:
    """(url column, date column, metric column, metric) for each table in a header row."""
    names = [str(c).strip().casefold() for c in cells]
    tables = []
    for i, name in enumerate(names):
        if name not in _URL_HEADERS:
            continue
        date_at, metric_at, metric = None, None, None
        for j in range(i + 1, min(i + 5, len(names))):
            if names[j] in _URL_HEADERS:
                break
            if names[j] in _DATE_HEADERS and date_at is None:
                date_at = j
            elif names[j] in _METRICS and metric_at is None:
                metric_at, metric = j, _METRICS[names[j]]
        if metric_at is not None:
            tables.append((i, date_at, metric_at, metric))
    return tables or None


def _count(value) -> int | None:
    if isinstance(value, int | float):
        return max(int(value), 0)
    text = re.sub(r"[\s,.'\u202f]", "", str(value))
    return int(text) if text.isdigit() else None


def _date(value) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value).strip()
    for pattern in ("%m/%d/%Y", "%Y-%m-%d", "%d.%m.%Y", "%m/%d/%y"):
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    return None


def match_rows(*, workspace, rows: list[ImportedRow]) -> list[ImportedRow]:
    """Tie each row to a published post, or say why not."""
    published = list(
        owned(Post, workspace=workspace)
        .filter(status=Post.Status.PUBLISHED, published_at__isnull=False)
        .only(
            "id", "linkedin_urn", "published_at", "hook", "reactions", "comment_count", "reshares"
        )
    )
    by_id = {}
    for post in published:
        if found := _URN.search(post.linkedin_urn or ""):
            by_id[found.group(2)] = post
    tz = zoneinfo.ZoneInfo(workspace.timezone)
    by_day: dict[date, list[Post]] = {}
    for post in published:
        by_day.setdefault(post.published_at.astimezone(tz).date(), []).append(post)
    for row in rows:
        found = _URN.search(unquote(row.url))
        if found and found.group(2) in by_id:
            row.post = by_id[found.group(2)]
        elif row.published_on is None:
            row.problem = _("No post with this URL, and no publication date to match by.")
        else:
            same_day = by_day.get(row.published_on, [])
            if len(same_day) == 1:
                row.post = same_day[0]
            elif not same_day:
                row.problem = _("No post published here on that day.")
            else:
                row.problem = _("Several posts went out that day; the file cannot tell which.")
        if row.post is not None and row.impressions is None:
            row.problem = _("The file has no impressions for this post.")
            row.post = None
    return rows


def import_figures(*, workspace, rows: list[ImportedRow]) -> list[MetricSnapshot]:
    """Store matched rows' impressions as snapshots marked imported, and as the posts'
    latest figures. Reactions, comments and reshares stay what the app knew: the export
    counts only engagements, which it does not split."""
    now = timezone.now()
    snapshots = []
    seen = set()
    for row in rows:
        if row.post is None or row.post.pk in seen:
            continue
        seen.add(row.post.pk)
        post = row.post
        snapshots.append(
            MetricSnapshot(
                workspace=workspace,
                post=post,
                captured_at=now,
                impressions=row.impressions,
                members_reached=None,
                reactions=post.reactions,
                comments=post.comment_count,
                reshares=post.reshares,
                source=MetricSnapshot.Source.IMPORT,
            )
        )
    with transaction.atomic():
        MetricSnapshot.objects.bulk_create(snapshots)
        for snapshot in snapshots:
            owned(Post, workspace=workspace).filter(pk=snapshot.post_id).update(
                impressions=snapshot.impressions, metrics_at=now, figures_imported=True
            )
    return snapshots
