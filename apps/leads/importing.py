"""Comments brought in by hand where LinkedIn does not let the app read them: pasted text or
a CSV. Everything is parsed and checked first; nothing is saved until the preview is clean."""

from __future__ import annotations

import csv
import hashlib
import io
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext as _

from apps.leads import services
from apps.leads.models import Comment

MAX_ROWS = 500
MAX_COMMENT_CHARS = 1250  # LinkedIn's own limit for a comment


class CommentImportError(Exception):
    """The input as a whole cannot be read; the message is for the user."""


@dataclass
class ImportedComment:
    line: int
    text: str
    name: str = ""
    headline: str = ""
    errors: list[str] = field(default_factory=list)


def _check(row: ImportedComment) -> ImportedComment:
    if not row.text.strip():
        row.errors.append(_("The comment is empty."))
    elif len(row.text) > MAX_COMMENT_CHARS:
        row.errors.append(
            _("Longer than LinkedIn allows for a comment (%(n)d characters).")
            % {"n": MAX_COMMENT_CHARS}
        )
    return row


def parse_pasted(text: str) -> list[ImportedComment]:
    """One comment per block, blocks separated by a blank line. A block may start with
    "Name: …" and "Headline: …" lines."""
    rows, line_number = [], 1
    for block in text.replace("\r\n", "\n").split("\n\n"):
        lines = block.strip().split("\n")
        start = line_number
        line_number += block.count("\n") + 2
        if not block.strip():
            continue
        row = ImportedComment(line=start, text="")
        body = []
        for line in lines:
            key, _sep, value = line.partition(":")
            if not body and key.strip().lower() in ("name", "headline") and value.strip():
                setattr(row, key.strip().lower(), value.strip())
            else:
                body.append(line)
        row.text = "\n".join(body).strip()
        rows.append(_check(row))
    return _limit(rows)


def parse_csv(text: str) -> list[ImportedComment]:
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    columns = {(name or "").strip().lower() for name in (reader.fieldnames or [])}
    if "text" not in columns:
        raise CommentImportError(
            _(
                "The first row must name the columns, and one must be “text” "
                "(optional: name, headline)."
            )
        )
    rows = []
    for number, raw in enumerate(reader, start=2):
        values = {
            (k or "").strip().lower(): (v or "").strip()
            for k, v in raw.items()
            if isinstance(v, str)
        }
        rows.append(
            _check(
                ImportedComment(
                    line=number,
                    text=values.get("text", ""),
                    name=values.get("name", "")[:200],
                    headline=values.get("headline", "")[:300],
                )
            )
        )
    return _limit(rows)


def _limit(rows: list[ImportedComment]) -> list[ImportedComment]:
    if not rows:
        raise CommentImportError(_("There are no comments to import."))
    if len(rows) > MAX_ROWS:
        raise CommentImportError(_("Import at most %(n)d comments at a time.") % {"n": MAX_ROWS})
    return rows


def import_comments(*, workspace, rows: list[ImportedComment]) -> list[Comment]:
    """Store checked rows as comments (classified and scored like LinkedIn's). A comment
    imported twice is stored once: its key is a hash of who wrote it and what."""
    if any(row.errors for row in rows):
        raise CommentImportError(_("Fix the rows with problems first; nothing was imported."))
    incoming = []
    for row in rows:
        who = row.name or _("Imported commenter")
        digest = hashlib.sha256(f"{workspace.pk}\n{who}\n{row.text}".encode()).hexdigest()
        actor = "import:" + hashlib.sha256(f"{workspace.pk}\n{who}".encode()).hexdigest()[:24]
        incoming.append(
            services.IncomingComment(
                urn=f"import:{digest[:40]}",
                actor_urn=actor,
                text=row.text,
                commented_at=timezone.now(),
                name=row.name,
                headline=row.headline,
            )
        )
    return services.store_comments(
        workspace=workspace, post=None, incoming=incoming, source=Comment.Source.IMPORT
    )
