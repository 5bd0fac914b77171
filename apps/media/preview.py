"""A post as LinkedIn will show it in the feed.

The text is first escaped exactly as `apps/linkedin/client.py` sends it, then read back the way
LinkedIn reads little text (linkedin-api.md §3.3): an escaped character is shown as itself,
`@[Name](urn:li:…)` is a mention (the name, linked), and an unescaped `#tag` a hashtag. So the
preview shows what will really appear: the client escapes `#`, so hashtags appear as plain
text, exactly as LinkedIn will show them.

The "…see more" fold: LinkedIn's feed shows the first three lines of a post, and at most
about 210 characters on a desktop (the figure the checker uses) and about 140 on a phone's
narrower column; the rest is behind "…see more".
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from apps.linkedin.client import escape_little_text

FOLD_LINES = 3
FOLD_CHARS = {"phone": 140, "desktop": 210}
MENTION = re.compile(r"@\[(?P<name>[^\]\n]+)\]\((?P<urn>urn:li:(?:person|organization):[\w-]+)\)")
HASHTAG = re.compile(r"#(?P<tag>\w+)")


@dataclass(frozen=True)
class Segment:
    kind: str  # "text", "mention", "hashtag" or "break"
    text: str


def rendered_segments(text: str) -> list[Segment]:
    """The post's text as LinkedIn renders what the client sends."""
    sent = escape_little_text(text.replace("\r\n", "\n"))
    segments: list[Segment] = []
    plain: list[str] = []

    def flush():
        if plain:
            segments.append(Segment("text", "".join(plain)))
            plain.clear()

    position = 0
    while position < len(sent):
        character = sent[position]
        if character == "\\" and position + 1 < len(sent):
            plain.append(sent[position + 1])
            position += 2
            continue
        if character == "@" and (mention := MENTION.match(sent, position)):
            flush()
            segments.append(Segment("mention", mention["name"]))
            position = mention.end()
            continue
        if character == "#" and (hashtag := HASHTAG.match(sent, position)):
            flush()
            segments.append(Segment("hashtag", "#" + hashtag["tag"]))
            position = hashtag.end()
            continue
        if character == "\n":
            flush()
            segments.append(Segment("break", "\n"))
            position += 1
            continue
        plain.append(character)
        position += 1
    flush()
    return segments


def fold(segments: list[Segment], *, width: str) -> tuple[list[Segment], list[Segment]]:
    """The segments shown before "…see more" and those behind it (empty when all fit)."""
    limit = FOLD_CHARS[width]
    shown: list[Segment] = []
    chars = lines = 0
    for index, segment in enumerate(segments):
        if segment.kind == "break":
            lines += 1
            if lines >= FOLD_LINES and index + 1 < len(segments):
                return shown, segments[index:]
            shown.append(segment)
            chars += 1
            continue
        room = limit - chars
        if len(segment.text) <= room:
            shown.append(segment)
            chars += len(segment.text)
            continue
        if segment.kind != "text":
            return shown, segments[index:]
        cut = segment.text.rfind(" ", 0, room + 1)
        cut = cut if cut > 0 else room
        shown.append(Segment("text", segment.text[:cut].rstrip()))
        rest = segment.text[cut:].lstrip()
        return shown, [Segment("text", rest), *segments[index + 1 :]]
    return shown, []


@dataclass(frozen=True)
class FeedPreview:
    width: str
    shown: list[Segment]
    hidden: list[Segment]


def feed_previews(text: str) -> list[FeedPreview]:
    segments = rendered_segments(text)
    return [FeedPreview(width, *fold(segments, width=width)) for width in ("phone", "desktop")]
