"""The consultant's voice: their past LinkedIn posts, imported, and the style learned from them.

Three parts:

- **Reading the imports** (pure): `split_pasted_posts` for text pasted into a box, and
  `parse_shares_csv` for the `Shares.csv` file in LinkedIn's data export ("Get a copy of your
  data" → Posts). The API is not an option: an ordinary LinkedIn app may publish for a member
  but not read their posts back (reading them needs the partner-only `r_member_social` scope).
- **Learning the style** (pure): `style_from_texts` measures length, sentence rhythm, emoji and
  hashtag habits, how posts open and close, and the words the consultant keeps using;
  `describe_style` says it in words for the page.
- **The workspace's past posts**: `past_post_texts` and `style_for` (reads), and
  `past_posts_import` and `past_post_delete` (writes, atomic, keyword-only like services.py).

Past posts are the consultant's own words: the engine and the LLM prompt may take style and
facts from them, the linter checks new drafts against them for near-duplicates.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
import statistics
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from django.db import IntegrityError, transaction
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from apps.accounts.tenancy import owned
from apps.content.models import PastPost

# The longest post LinkedIn accepts is 3,000 characters; an export row far beyond that is
# not a post (a broken quote swallowed the rest of the file), so it is refused, not imported.
MAX_POST_CHARS = 3500
MAX_IMPORT_POSTS = 2000
MIN_POST_CHARS = 20  # shorter is a stray line or a reshare without commentary

# --- Reading the imports --------------------------------------------------------------------

SEPARATOR_LINE = re.compile(r"^[ \t]*-{3,}[ \t]*$", re.MULTILINE)
BLANK_LINES = re.compile(r"\n[ \t]*\n[ \t]*\n\s*")  # two or more empty lines


class PastPostImportError(ValueError):
    """The input cannot be read; the message says what is wrong and where, for the user."""


def _normalise(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n").strip()


def text_hash(text: str) -> str:
    """The dedupe key: the same words in the same order are the same post, whatever the
    white space (the export and a paste of one post differ in line endings and spacing)."""
    return hashlib.sha256(" ".join(text.split()).encode()).hexdigest()


def split_pasted_posts(text: str) -> list[str]:
    """Posts pasted into one box. Posts are separated by a line of three or more dashes
    (`---`); without such a line, by two or more empty lines (one empty line is a paragraph
    break inside a post). Too-short pieces are dropped."""
    text = _normalise(text)
    if not text:
        return []
    separator = SEPARATOR_LINE if SEPARATOR_LINE.search(text) else BLANK_LINES
    pieces = separator.split(text)
    return [piece.strip() for piece in pieces if len(piece.strip()) >= MIN_POST_CHARS]


@dataclass(frozen=True)
class ImportedPost:
    text: str
    published_at: datetime | None = None


# The export's column names have changed over the years and differ in case and spacing
# ("ShareCommentary", "Share Commentary"; "Date", "Created Date"), so they are matched after
# folding case and dropping everything but letters.
COMMENTARY_COLUMNS = ("sharecommentary", "commentary", "text", "content", "postcommentary")
DATE_COLUMNS = ("date", "createddate", "shareddate", "publisheddate")
DATE_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d", "%m/%d/%Y %H:%M", "%m/%d/%Y")


def _column_key(name: str) -> str:
    return re.sub(r"[^a-z]", "", name.lower())


def _parse_date(value: str) -> datetime | None:
    value = value.strip()
    for date_format in DATE_FORMATS:
        try:
            parsed = datetime.strptime(value, date_format)
        except ValueError:
            continue
        return parsed.replace(tzinfo=UTC)  # the export's times are in UTC
    return None


def _unwrap_commentary(value: str) -> str:
    """Undo the extra layer of quoting in LinkedIn's export: after CSV decoding, many cells
    still start and end with a quote and have the quotes inside doubled, with each line of a
    multi-line post wrapped in its own quotes. Cells without that layer are kept as they are."""
    value = _normalise(value)
    if len(value) < 2 or not (value.startswith('"') and value.endswith('"')):
        return value
    lines = []
    for line in value.split("\n"):
        line = line.strip()
        if len(line) >= 2 and line.startswith('"') and line.endswith('"'):
            line = line[1:-1]
        lines.append(line.replace('""', '"'))
    return "\n".join(lines).strip()


def looks_like_shares_csv(text: str) -> bool:
    """Whether the first line is a Shares.csv header (a commentary column among others)."""
    first = text.lstrip("\ufeff").lstrip().split("\n", 1)[0]
    keys = [_column_key(name) for name in first.split(",")]
    return len(keys) > 1 and "sharecommentary" in keys


def parse_shares_csv(text: str) -> list[ImportedPost]:
    """The posts in the text of LinkedIn's `Shares.csv` (header `Date, ShareLink,
    ShareCommentary, SharedUrl, MediaUrl, Visibility`, variants tolerated). Commentary may
    span lines and contain quotes (standard CSV quoting). Rows without commentary (reshares)
    are skipped. Raises `PastPostImportError` with the line number when the file cannot be
    read, so nothing is imported half-way."""
    text = text.lstrip("\ufeff")  # Excel and the export both like a byte order mark
    if not text.strip():
        raise PastPostImportError(_("The file is empty."))
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader)
    except csv.Error as error:
        raise PastPostImportError(
            _("The first line of the file cannot be read as CSV (%(error)s).") % {"error": error}
        ) from None
    keys = [_column_key(name) for name in header]
    commentary = next((keys.index(key) for key in COMMENTARY_COLUMNS if key in keys), None)
    if commentary is None:
        raise PastPostImportError(
            _(
                "This is not LinkedIn's Shares.csv: no ShareCommentary column in the first "
                "line (found: %(columns)s). Export your data from LinkedIn (Settings → Data "
                "privacy → Get a copy of your data → Posts) and paste Shares.csv as it is."
            )
            % {"columns": ", ".join(name.strip() for name in header if name.strip()) or "—"}
        )
    date = next((keys.index(key) for key in DATE_COLUMNS if key in keys), None)
    posts = []
    try:
        for row in reader:
            if commentary >= len(row):
                if any(cell.strip() for cell in row):
                    raise PastPostImportError(
                        _(
                            "Line %(line)d has %(found)d columns, but the commentary is column "
                            "%(column)d. Was the file cut or edited?"
                        )
                        % {"line": reader.line_num, "found": len(row), "column": commentary + 1}
                    )
                continue
            body = _unwrap_commentary(row[commentary])
            if len(body) > MAX_POST_CHARS:
                raise PastPostImportError(
                    _(
                        "The post ending on line %(line)d is %(length)d characters long; "
                        "LinkedIn allows 3,000. A quote is probably not closed before it."
                    )
                    % {"line": reader.line_num, "length": len(body)}
                )
            if len(body) < MIN_POST_CHARS:
                continue
            published = _parse_date(row[date]) if date is not None and date < len(row) else None
            posts.append(ImportedPost(text=body, published_at=published))
    except csv.Error as error:
        raise PastPostImportError(
            _("Line %(line)d cannot be read as CSV (%(error)s). Nothing was imported.")
            % {"line": reader.line_num, "error": error}
        ) from None
    return posts


# --- Learning the style -----------------------------------------------------------------------

# Emoji and pictographs (not letters, digits or ordinary punctuation such as "→").
EMOJI = re.compile(
    "[\U0001f000-\U0001faff\u2600-\u27bf\u2b00-\u2bff\u2300-\u23ff\ufe0f\U0001f1e6-\U0001f1ff]"
)
HASHTAG = re.compile(r"(?<![\w#&/])#\w*[^\W\d_]\w*")
URL = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
WORD = re.compile(r"[^\W\d_](?:[\w'-]*[^\W_])?")
SENTENCE = re.compile(r"[^.!?\n]+[.!?]*")
NUMBER = re.compile(r"\d")
STORY_START = re.compile(r"^(?:i|we|my|our|ich|wir|mein|meine|unser|unsere|last|letzte)\b", re.I)

_ENGLISH = "the and of to is in it that for you with was this are on not be have what but"
_GERMAN = "der die das und ist nicht ich wir mit für den sie ein eine auf zu es von dass wie"
ENGLISH = frozenset(_ENGLISH.split())
GERMAN = frozenset(_GERMAN.split())

CAMEL_CASE = re.compile(r"(?<=[a-z])(?=[A-Z])")
OPENING_KINDS = ("question", "number", "story", "short-line", "statement")
FAVOURITE_WORDS = 8
TYPICAL_HASHTAGS = 5
EXAMPLE_OPENERS = 3


@dataclass(frozen=True)
class Style:
    """How the consultant writes, measured on their past posts."""

    sample_size: int
    median_length: int  # characters
    mean_sentence_words: float
    emoji_per_post: float
    hashtags_per_post: float
    typical_hashtags: tuple[str, ...]  # most used first, as written ("#Kubernetes")
    # kinds of first line used in at least a third of the posts, most used first:
    # "question", "number", "story" (I/we…), "short-line" (under 60 characters), "statement"
    opening_patterns: tuple[str, ...]
    example_openers: tuple[str, ...]  # first lines of recent posts, as written
    closes_with_question: float  # share of posts whose last line (before hashtags) asks
    favourite_words: tuple[str, ...]  # content words used in many posts, most used first
    language: str  # "en" or "de"

    def topic_ideas(self, limit: int = 5) -> list[str]:
        """Topics the consultant keeps coming back to: their hashtags ("PlatformEngineering"
        read as "Platform Engineering"), then their favourite words. Only their own words."""
        ideas, seen = [], set()
        for tag in self.typical_hashtags:
            words = CAMEL_CASE.sub(" ", tag.lstrip("#"))
            if words.lower() not in seen:
                seen.add(words.lower())
                ideas.append(words)
        from apps.content.linter import GENERIC_WORDS

        for word in self.favourite_words:
            # "team" or "clients" is how they write, not what they write about.
            if word.lower() not in seen and word.lower() not in GENERIC_WORDS:
                seen.add(word.lower())
                ideas.append(word)
        return ideas[:limit]


def _first_line(text: str) -> str:
    return next((line.strip() for line in text.split("\n") if line.strip()), "")


def _last_line(text: str) -> str:
    """The last line that is not only hashtags."""
    for line in reversed(text.split("\n")):
        if HASHTAG.sub("", line).strip(" \t,.;·|"):
            return line.strip()
    return ""


def _opening_kind(line: str) -> str:
    if line.rstrip().endswith("?"):
        return "question"
    if NUMBER.search(line):
        return "number"
    if STORY_START.match(line):
        return "story"
    if len(line) < 60:
        return "short-line"
    return "statement"


def _language(words: Sequence[str]) -> str:
    english = sum(word in ENGLISH for word in words)
    german = sum(word in GERMAN for word in words)
    return "de" if german > english else "en"


def style_from_texts(texts: Sequence[str]) -> Style | None:
    """The style of these posts (the newest first for the example openers), or None when there
    are none."""
    from apps.content.linter import STOPWORDS

    texts = [_normalise(text) for text in texts if text and text.strip()]
    if not texts:
        return None
    lengths, sentence_words, emoji, hashtags = [], [], 0, Counter()
    hashtag_spelling: dict[str, str] = {}
    openings, closes_question = Counter(), 0
    word_posts, word_counts, all_words = Counter(), Counter(), []
    for text in texts:
        lengths.append(len(text))
        emoji += len(EMOJI.findall(text))
        tags = HASHTAG.findall(text)
        for tag in tags:
            hashtags[tag.lower()] += 1
            hashtag_spelling.setdefault(tag.lower(), tag)
        plain = HASHTAG.sub(" ", URL.sub(" ", text))
        for sentence in SENTENCE.findall(plain):
            count = len(WORD.findall(sentence))
            if count:
                sentence_words.append(count)
        openings[_opening_kind(_first_line(plain))] += 1
        if EMOJI.sub("", _last_line(text)).rstrip().endswith("?"):  # "…budget? 🚀" asks too
            closes_question += 1
        words = [word.lower() for word in WORD.findall(plain.replace("\u2019", "'"))]
        all_words += words
        content = [w for w in words if len(w) >= 4 and w not in STOPWORDS]
        word_counts.update(content)
        word_posts.update(set(content))
    size = len(texts)
    # A favourite word is one used in several posts: in one post it is that post's topic.
    min_posts = 2 if size >= 2 else 1
    favourites = sorted(
        (word for word, posts in word_posts.items() if posts >= min_posts),
        key=lambda word: (-word_posts[word], -word_counts[word], word),
    )
    patterns = tuple(
        kind for kind, count in openings.most_common() if count * 3 >= size and count >= 1
    )
    return Style(
        sample_size=size,
        median_length=round(statistics.median(lengths)),
        mean_sentence_words=round(statistics.fmean(sentence_words), 1) if sentence_words else 0.0,
        emoji_per_post=round(emoji / size, 2),
        hashtags_per_post=round(sum(hashtags.values()) / size, 2),
        typical_hashtags=tuple(
            hashtag_spelling[tag] for tag, _count in hashtags.most_common(TYPICAL_HASHTAGS)
        ),
        opening_patterns=patterns,
        example_openers=tuple(
            line for line in (_first_line(text) for text in texts[:EXAMPLE_OPENERS]) if line
        ),
        closes_with_question=round(closes_question / size, 2),
        favourite_words=tuple(favourites[:FAVOURITE_WORDS]),
        language=_language(all_words),
    )


def _rounded_length(length: int) -> int:
    return round(length, -2) if length >= 200 else round(length, -1)


def describe_style(style: Style) -> str:
    """The style in one or two plain sentences for the user, e.g. "Your posts: about 1,200
    characters, short sentences (11 words), rarely emoji, 3 hashtags, often open with a
    question."""
    parts = [
        _("about %(length)s characters")
        % {"length": number_format(_rounded_length(style.median_length), force_grouping=True)}
    ]
    words = style.mean_sentence_words
    if words:
        if words <= 12:
            rhythm = _("short sentences (%(words)s words)")
        elif words <= 20:
            rhythm = _("medium-length sentences (%(words)s words)")
        else:
            rhythm = _("long sentences (%(words)s words)")
        parts.append(rhythm % {"words": number_format(words)})
    if style.emoji_per_post < 0.2:
        parts.append(_("no emoji") if style.emoji_per_post == 0 else _("rarely emoji"))
    elif style.emoji_per_post < 1.5:
        parts.append(_("an emoji or so"))
    else:
        parts.append(_("%(count)s emoji") % {"count": round(style.emoji_per_post)})
    tags = round(style.hashtags_per_post)
    parts.append(
        ngettext("%(count)d hashtag", "%(count)d hashtags", tags) % {"count": tags}
        if tags
        else _("no hashtags")
    )
    openings = {
        "question": _("often open with a question"),
        "number": _("often open with a number"),
        "story": _("often open with a story (I, we)"),
        "short-line": _("often open with a short line"),
        "statement": _("often open with a statement"),
    }
    if style.opening_patterns:
        parts.append(openings[style.opening_patterns[0]])
    if style.closes_with_question >= 0.5:
        parts.append(_("usually end with a question"))
    text = _("Your posts: %(traits)s.") % {"traits": ", ".join(parts)}
    if style.favourite_words:
        text += " " + _("Words you use often: %(words)s.") % {
            "words": ", ".join(style.favourite_words[:5])
        }
    return text


# --- The workspace's past posts ---------------------------------------------------------------


def past_posts(*, workspace, user=None):
    """The workspace's past posts, newest first; with `user`, only the ones they wrote."""
    queryset = owned(PastPost, workspace=workspace)
    if user is not None:
        queryset = queryset.filter(author=user)
    return queryset.order_by("-published_at", "-created_at", "-pk")


def past_post_texts(*, workspace, user=None) -> list[str]:
    """The texts of the workspace's past posts, newest first. With `user`, the posts they
    imported; when they imported none, the workspace's (an assistant may have imported the
    consultant's posts for them)."""
    texts = list(past_posts(workspace=workspace, user=user).values_list("text", flat=True))
    if texts or user is None:
        return texts
    return list(past_posts(workspace=workspace).values_list("text", flat=True))


def style_for(*, workspace, user=None) -> Style | None:
    """The style learned from the workspace's past posts (the user's own, when given and they
    have any; see `past_post_texts`), or None when there are none."""
    return style_from_texts(past_post_texts(workspace=workspace, user=user))


def topic_ideas_from_past_posts(*, workspace, user=None, limit: int = 5) -> list[str]:
    """Topics the consultant keeps coming back to in their past posts (`Style.topic_ideas`);
    the engine's `suggest_topics` mixes the same in through the profile snapshot's style."""
    style = style_for(workspace=workspace, user=user)
    return style.topic_ideas(limit) if style else []


@dataclass(frozen=True)
class ImportResult:
    created: int
    duplicates: int


@transaction.atomic
def past_posts_import(
    *, workspace, author, posts: Sequence[ImportedPost | str], source: str
) -> ImportResult:
    """Store past posts; a post already in the workspace (same words) is skipped, not doubled.
    All or nothing: an error stores none of them."""
    if len(posts) > MAX_IMPORT_POSTS:
        raise PastPostImportError(
            _("%(count)d posts are more than %(limit)d at once; import them in parts.")
            % {"count": len(posts), "limit": MAX_IMPORT_POSTS}
        )
    if source not in PastPost.Source.values:
        raise ValueError(f"unknown past post source {source!r}")
    items = [post if isinstance(post, ImportedPost) else ImportedPost(text=post) for post in posts]
    existing = set(owned(PastPost, workspace=workspace).values_list("text_hash", flat=True))
    rows, duplicates = [], 0
    for item in items:
        text = _normalise(item.text)
        key = text_hash(text)
        if key in existing:
            duplicates += 1
            continue
        existing.add(key)
        rows.append(
            PastPost(
                workspace=workspace,
                author=author,
                text=text,
                text_hash=key,
                published_at=item.published_at,
                source=source,
            )
        )
    try:
        with transaction.atomic():  # a savepoint, so the request can still render the error
            PastPost.objects.bulk_create(rows)
    except IntegrityError:  # the same post imported at the same moment from another tab
        raise PastPostImportError(
            _("Another import of the same posts ran at the same time; please try again.")
        ) from None
    return ImportResult(created=len(rows), duplicates=duplicates)


@transaction.atomic
def past_post_delete(*, workspace, past_post: PastPost) -> None:
    """Delete one of this workspace's past posts (the view looks it up through tenancy)."""
    if past_post.workspace_id != workspace.pk:  # a caller's bug: views look it up by tenancy
        raise ValueError("the past post belongs to another workspace")
    past_post.delete()
