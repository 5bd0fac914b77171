"""Reading LinkedIn's comment notification e-mails ("Jane Doe commented on your post").

What this rests on (no verbatim public sample of the mail was found, so the fixtures under
apps/leads/tests/mail/ are reconstructions and the parser is deliberately tolerant):

- the subject names the commenter and the event, in English or German
  ("… commented on your post", "… replied to your comment", "… hat Ihren Beitrag
  kommentiert", "… hat auf Ihren Kommentar geantwortet"); forwarding prefixes (Fwd:, WG:)
  are ignored, and the same sentence is also looked for in the body;
- the body repeats the name, usually with the headline on the next line, then the comment
  text (sometimes cut short), then links back to LinkedIn;
- the links carry the post (`urn:li:activity:…`, `urn:li:share:…`, `urn:li:ugcPost:…`)
  and often the comment (`commentUrn=urn:li:comment:(activity:…,…)`, percent-encoded).

- the plain-text part follows LinkedIn's other notification mails (a real one, a 2015
  "activity you missed" mail, is quoted in a public issue, gloomyson/StarCraft#37): sections
  between rules of "=" or "-", links on their own lines (sometimes tracking redirects with
  no URN, and "&amp;" left escaped), then "You are receiving … emails. Unsubscribe …" and a
  "&copy; LinkedIn" line.

Anything it cannot read raises `NotificationUnreadable`; the caller keeps the message.
"""

from __future__ import annotations

import email
import email.policy
import hashlib
import html
import re
from dataclasses import dataclass, field
from datetime import datetime
from email.message import EmailMessage
from email.utils import parsedate_to_datetime
from html.parser import HTMLParser
from urllib.parse import unquote

from django.utils import timezone


class NotificationUnreadable(Exception):
    """The message is not a LinkedIn comment notification this parser can read."""


@dataclass
class Notification:
    kind: str  # "comment" or "reply"
    language: str  # "en" or "de"
    name: str
    text: str
    headline: str = ""
    comment_urn: str = ""  # in the API's form: urn:li:comment:(urn:li:activity:1,2)
    parent_urn: str = ""
    post_urns: list[str] = field(default_factory=list)
    post_snippet: str = ""
    profile: str = ""  # linkedin.com/in/<vanity> when the mail links the profile
    sent_at: datetime | None = None

    def dedupe_key(self, *, workspace_id: int, post_key: str) -> str:
        """The comment's URN when the mail links it; else a hash of post, name and text,
        so the same notification forwarded twice is stored once."""
        if self.comment_urn:
            return self.comment_urn
        basis = f"{workspace_id}\n{post_key}\n{self.name}\n{_squash(self.text)}"
        return "email:" + hashlib.sha256(basis.encode()).hexdigest()[:40]


_FORWARD_PREFIX = re.compile(r"^\s*((fwd?|wg|aw|re|tr)\s*:\s*)+", re.IGNORECASE)
_EVENTS = (
    # (kind, language, pattern with the name in front)
    ("comment", "en", r"(?P<name>.+?) (?:also )?commented on your (?:post|update|article)"),
    ("reply", "en", r"(?P<name>.+?) replied to your comment"),
    ("comment", "en", r"(?P<name>.+?) mentioned you in a comment"),
    ("comment", "de", r"(?P<name>.+?) hat (?:Ihren|deinen|Ihre|deine) Beitrag kommentiert"),
    ("comment", "de", r"(?P<name>.+?) hat (?:Ihr|dein) Update kommentiert"),
    ("reply", "de", r"(?P<name>.+?) hat auf (?:Ihren|deinen) Kommentar geantwortet"),
    ("reply", "de", r"(?P<name>.+?) hat (?:Ihren|deinen) Kommentar beantwortet"),
    ("comment", "de", r"(?P<name>.+?) hat Sie in einem Kommentar erwähnt"),
)
# What may follow the event: nothing, a quote of the post ("…: Most Kubernetes …") or where
# it happened ("… replied to your comment on Jana's post").
_EVENT_END = r"(?:\s*[:.!]?\s*$|\s*:\s.*$|\s+(?:on|in|about|zu|auf|unter|im)\s.*$)"
# Lines where the comment ends: calls to action, the post reference, the footer.
_STOP = re.compile(
    r"^(view|see|reply|like|antworten|ansehen|kommentar ansehen|alle kommentare|"
    r"your post|ihr beitrag|dein beitrag|on your post|zu ihrem beitrag|"
    r"this email was intended|diese e-mail|you are receiving|sie erhalten|"
    r"unsubscribe|abmelden|learn why|help:|hilfe:|©|&copy;|-{3,}|_{3,}|={3,}|https?://)",
    re.IGNORECASE,
)
_SNIPPET = re.compile(
    r"^(?:your post|ihr beitrag|dein beitrag|on your post|zu ihrem beitrag)\s*:?\s*(?P<s>.*)$",
    re.IGNORECASE,
)
_POST_URN = re.compile(r"urn:li:(activity|share|ugcPost):(\d+)")
_COMMENT_URN = re.compile(
    r"(comment|reply)Urn=urn:li:comment:\((?:urn:li:)?(activity|share|ugcPost):(\d+),(\d+)\)"
)
_PROFILE = re.compile(r"linkedin\.com/(?:comm/)?in/([A-Za-z0-9\-_%]+)")
# Straight, curly, German and French quotation marks around a quoted comment.
_QUOTES = "\"'\u201c\u201d\u201e\u00ab\u00bb\u201a\u2018\u2019"


def read_message(raw: bytes | str) -> EmailMessage:
    if isinstance(raw, str):
        raw = raw.encode("utf-8", errors="surrogateescape")
    return email.message_from_bytes(raw, policy=email.policy.default)


def parse_notification(message: EmailMessage) -> Notification:
    subject = _FORWARD_PREFIX.sub("", str(message.get("Subject", "") or "")).strip()
    text, links = _body_text_and_links(message)
    lines = [line.strip() for line in text.splitlines()]
    kind, language, name = _event(subject, lines)
    headline, comment = _headline_and_comment(lines, name)
    if not comment:
        raise NotificationUnreadable("no comment text found after the commenter's name")
    decoded = unquote(unquote(" ".join(links) + " " + text))
    comment_urn, parent_urn = _comment_urns(decoded, kind)
    post_urns = []
    for match in _POST_URN.finditer(decoded):
        urn = match.group(0)
        if urn not in post_urns:
            post_urns.append(urn)
    profile = ""
    if found := _PROFILE.search(decoded):
        profile = found.group(1).strip("/").lower()
    snippet = ""
    for line in lines:
        if found := _SNIPPET.match(line):
            snippet = found.group("s").strip().strip(_QUOTES).rstrip("…. ").strip()
            break
    sent_at = None
    if message.get("Date"):
        try:
            sent_at = parsedate_to_datetime(str(message["Date"]))
            if timezone.is_naive(sent_at):
                sent_at = timezone.make_aware(sent_at, timezone.utc)
        except (TypeError, ValueError):
            sent_at = None
    return Notification(
        kind=kind,
        language=language,
        name=name,
        headline=headline,
        text=comment,
        comment_urn=comment_urn,
        parent_urn=parent_urn,
        post_urns=post_urns,
        post_snippet=snippet,
        profile=profile,
        sent_at=sent_at,
    )


def _event(subject: str, lines: list[str]) -> tuple[str, str, str]:
    for candidate in [subject, *lines[:40]]:
        for kind, language, pattern in _EVENTS:
            if found := re.match(pattern + _EVENT_END, candidate, re.IGNORECASE):
                name = found.group("name").strip().strip(_QUOTES).strip()
                if 0 < len(name) <= 120:
                    return kind, language, name
    raise NotificationUnreadable("not a LinkedIn comment or reply notification")


def _headline_and_comment(lines: list[str], name: str) -> tuple[str, str]:
    """After the line that is just the commenter's name: an optional headline, then the
    comment, up to a call to action, the post reference or the footer."""
    try:
        start = next(i for i, line in enumerate(lines) if _is_name_line(line, name))
    except StopIteration as missing:
        raise NotificationUnreadable("the commenter's name is not in the body") from missing
    block = []
    for line in lines[start + 1 :]:
        if _STOP.match(line):
            break
        block.append(line)
    while block and not block[0]:
        block.pop(0)
    while block and not block[-1]:
        block.pop()
    if not block:
        return "", ""
    headline = ""
    quoted_from = next((i for i, line in enumerate(block) if line[:1] in _QUOTES), None)
    if quoted_from is not None:
        headline = " ".join(line for line in block[:quoted_from] if line)
        body = block[quoted_from:]
    elif len(block) > 1 and block[1] == "":
        # A headline line, a blank line, then the comment.
        headline, body = block[0], block[2:]
    elif len(block) > 1 and len(block[0]) <= 200 and "?" not in block[0]:
        headline, body = block[0], block[1:]
    else:
        body = block
    comment = "\n".join(body).strip()
    if comment[:1] in _QUOTES and comment[-1:] in _QUOTES + "…":
        comment = comment[1:].rstrip(_QUOTES).strip()
    return headline[:300], comment


def _is_name_line(line: str, name: str) -> bool:
    """The line that is the commenter's name, perhaps with a short marker after it
    ("• 2nd", "· 3.+", "(She/Her)") but not the event sentence itself."""
    folded, wanted = line.casefold(), name.casefold()
    if folded == wanted:
        return True
    if not folded.startswith(wanted + " "):
        return False
    rest = folded[len(wanted) :].strip()
    return len(rest) <= 20 and rest[:1] in ("•", "·", "(", "-", "|", "\u2013")


def _comment_urns(decoded: str, kind: str) -> tuple[str, str]:
    found = {m.group(1): m for m in _COMMENT_URN.finditer(decoded)}

    def api_form(match) -> str:
        return f"urn:li:comment:(urn:li:{match.group(2)}:{match.group(3)},{match.group(4)})"

    if kind == "reply" and "reply" in found:
        parent = api_form(found["comment"]) if "comment" in found else ""
        return api_form(found["reply"]), parent
    if kind == "reply":
        # Without a replyUrn the link's commentUrn is the thread, not this reply.
        return "", api_form(found["comment"]) if "comment" in found else ""
    return (api_form(found["comment"]) if "comment" in found else ""), ""


def _body_text_and_links(message: EmailMessage) -> tuple[str, list[str]]:
    plain = message.get_body(preferencelist=("plain",))
    rich = message.get_body(preferencelist=("html",))
    links: list[str] = []
    text = ""
    if rich is not None:
        converter = _HtmlText()
        converter.feed(_content(rich))
        links = converter.links
        text = converter.text()
    if plain is not None:
        text = _content(plain)
    if not text.strip():
        raise NotificationUnreadable("the message has no readable text")
    return text, links


def _content(part) -> str:
    try:
        return part.get_content()
    except (LookupError, UnicodeDecodeError):
        payload = part.get_payload(decode=True) or b""
        return payload.decode("utf-8", errors="replace")


class _HtmlText(HTMLParser):
    """HTML to lines of text (block elements end a line) and the link targets."""

    BLOCKS = {"p", "div", "br", "tr", "td", "li", "h1", "h2", "h3", "table", "blockquote"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.links: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("style", "script", "head"):
            self._skip += 1
        if tag in self.BLOCKS:
            self.parts.append("\n")
        if tag == "a":
            href = dict(attrs).get("href")
            if href:
                self.links.append(html.unescape(href))

    def handle_endtag(self, tag):
        if tag in ("style", "script", "head") and self._skip:
            self._skip -= 1
        if tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)

    def text(self) -> str:
        joined = "".join(self.parts)
        lines = [re.sub(r"[ \t\xa0]+", " ", line).strip() for line in joined.splitlines()]
        out: list[str] = []
        for line in lines:
            if line or (out and out[-1]):
                out.append(line)
        return "\n".join(out)


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().casefold()
