"""Comments that arrive by e-mail: LinkedIn's notification mails, forwarded by the member to
their workspace's private address, received through django-anymail's inbound webhooks (or
`manage.py ingest_mail`), kept as received, then read and fed to the same ingestion as
comments read through the API."""

from __future__ import annotations

import hashlib
import logging
import re
import secrets
from datetime import timedelta
from email.utils import getaddresses

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.accounts.tenancy import (
    across_workspaces,
    database_workspace_set,
    owned,
    owned_for_task,
)
from apps.content.models import Post
from apps.leads import services
from apps.leads.mail_parser import (
    Notification,
    NotificationUnreadable,
    parse_notification,
    read_message,
)
from apps.leads.models import Comment, InboundAddress, InboundMessage

logger = logging.getLogger(__name__)

TEST_HEADER = "X-TechLead-Inbound-Test"
# A LinkedIn notification is tens of kilobytes; anything far larger is kept cut short, unread.
MAX_RAW_BYTES = 2 * 1024 * 1024
# How far back a notification may point when only its date ties it to a post.
DATE_MATCH_DAYS = 30


def _new_token() -> str:
    return secrets.token_urlsafe(15).replace("-", "x").replace("_", "y").lower()


def inbound_address(*, workspace) -> InboundAddress:
    row = owned(InboundAddress, workspace=workspace).first()
    if row is None:
        row, _created = InboundAddress.objects.get_or_create(
            workspace=workspace, defaults={"token": _new_token()}
        )
    return row


def address_text(row: InboundAddress) -> str:
    return f"{settings.INBOUND_MAIL_LOCALPART}+{row.token}@{settings.INBOUND_MAIL_DOMAIN}"


@transaction.atomic
def inbound_address_regenerate(*, workspace) -> InboundAddress:
    """A new private address; mail to the old one is no longer accepted."""
    row = inbound_address(workspace=workspace)
    row.token = _new_token()
    row.test_token, row.test_sent_at, row.test_received_at = "", None, None
    row.save(update_fields=["token", "test_token", "test_sent_at", "test_received_at"])
    return row


def _address_for(recipients: list[str]) -> InboundAddress | None:
    with across_workspaces(reason="a forwarded mail's private address names the workspace"):
        pattern = re.compile(
            rf"{re.escape(settings.INBOUND_MAIL_LOCALPART)}\+([a-z0-9]+)@"
            rf"{re.escape(settings.INBOUND_MAIL_DOMAIN)}",
            re.IGNORECASE,
        )
        for recipient in recipients:
            if found := pattern.search(recipient or ""):
                row = (
                    InboundAddress.objects.select_related("workspace")
                    .filter(token=found.group(1).lower())
                    .first()
                )
                if row is not None:
                    # The private address names its workspace: the rest of the delivery
                    # (the message, the lead it becomes) works in it (row-level security).
                    database_workspace_set(row.workspace_id)
                    return row
        return None


def recipients_of(message) -> list[str]:
    """Where a message was addressed: the envelope first, then the headers a forward keeps."""
    found = []
    for header in ("Delivered-To", "X-Original-To", "X-Forwarded-To", "To", "Cc"):
        for value in message.get_all(header, []) or []:
            found += [address for _name, address in getaddresses([str(value)])]
    return found


def inbound_receive(
    *, raw: bytes, recipients: list[str], provider: str = ""
) -> InboundMessage | None:
    """Keep a received message for the workspace its private address names and read it
    right after commit. Returns None (and keeps nothing) for an address nobody owns."""
    if isinstance(raw, str):
        raw = raw.encode("utf-8", errors="replace")
    too_large = len(raw) > MAX_RAW_BYTES
    if too_large:
        raw = raw[:MAX_RAW_BYTES]
    message = read_message(raw)
    address = _address_for([*recipients, *recipients_of(message)])
    if address is None:
        logger.info("inbound mail for no known address dropped", extra={"provider": provider})
        return None
    test = bool(address.test_token) and message.get(TEST_HEADER, "") == address.test_token
    status = InboundMessage.Status.RECEIVED
    if test:
        status = InboundMessage.Status.TEST
    elif too_large:
        status = InboundMessage.Status.UNREADABLE
    with transaction.atomic():
        row = InboundMessage.objects.create(
            workspace=address.workspace,
            provider=provider[:40],
            sender=str(message.get("From", ""))[:320],
            subject=str(message.get("Subject", ""))[:500],
            message_id=str(message.get("Message-ID", ""))[:500],
            raw=raw.decode("utf-8", errors="replace"),
            status=status,
            error=_("Larger than 2 MB: kept cut short, not read.") if too_large else "",
            processed_at=None if status == InboundMessage.Status.RECEIVED else timezone.now(),
        )
        if test:
            InboundAddress.objects.filter(pk=address.pk).update(test_received_at=timezone.now())
        elif status == InboundMessage.Status.RECEIVED:
            from apps.leads.tasks import process_inbound_message

            transaction.on_commit(
                lambda pk=row.pk, ws=row.workspace_id: process_inbound_message.delay(pk, ws)
            )
    return row


def inbound_send_test(*, workspace) -> InboundAddress:
    """Send a test message to the workspace's address through the outgoing mail sender; the
    route works when it comes back through the inbound webhook (the same receiver as
    LinkedIn's mails). Without a mail provider (development) it is handed to the receiver
    directly, as the provider would."""
    address = inbound_address(workspace=workspace)
    address.test_token = secrets.token_hex(8)
    address.test_sent_at = timezone.now()
    address.test_received_at = None
    address.save(update_fields=["test_token", "test_sent_at", "test_received_at"])
    mail = EmailMessage(
        subject=_("Test message for your LinkedIn comment forwarding"),
        body=_("If this message shows up on the forwarding page, the route works."),
        to=[address_text(address)],
        headers={TEST_HEADER: address.test_token},
    )
    if settings.INBOUND_MAIL_LOOPBACK:
        inbound_receive(raw=mail.message().as_bytes(), recipients=mail.to, provider="loopback")
    else:
        mail.send()
    address.refresh_from_db()
    return address


def inbound_process(*, message_id: int, workspace_id: int) -> str:
    """Read one kept message and store its comment. Safe to run twice: only the run that
    moves it from "received" to "processing" goes on."""
    claimed = InboundMessage.objects.filter(
        pk=message_id, workspace_id=workspace_id, status=InboundMessage.Status.RECEIVED
    ).update(status=InboundMessage.Status.PROCESSING)
    if claimed != 1:
        return "skipped"
    row = owned_for_task(InboundMessage, workspace_id=workspace_id, pk=message_id)
    workspace = row.workspace
    try:
        note = parse_notification(read_message(row.raw))
    except NotificationUnreadable as unreadable:
        return _finish(row, InboundMessage.Status.UNREADABLE, error=str(unreadable))
    except Exception as broken:  # a malformed message must not stay "processing" forever
        logger.exception("inbound mail could not be parsed")
        return _finish(row, InboundMessage.Status.UNREADABLE, error=repr(broken)[:500])
    post = match_post(workspace=workspace, note=note)
    post_key = note.post_urns[0] if note.post_urns else note.post_snippet
    urn = note.dedupe_key(workspace_id=workspace.pk, post_key=post_key)
    existing = owned(Comment, workspace=workspace).select_related("lead").filter(urn=urn).first()
    if existing is not None and existing.pk == row.comment_id:
        # Read again (inbound_retry): the comment is this message's own; its post may be
        # known now.
        if existing.post_id is None and post is not None:
            owned(Comment, workspace=workspace).filter(pk=existing.pk).update(post=post)
            existing.post = post
            if existing.lead is not None:
                services.attribute_comment(lead=existing.lead, comment=existing)
        status = (
            InboundMessage.Status.PARSED if existing.post_id else InboundMessage.Status.UNMATCHED
        )
        return _finish(row, status, comment=existing)
    if existing is not None:
        return _finish(row, InboundMessage.Status.DUPLICATE, comment=existing)
    stored = services.store_comments(
        workspace=workspace,
        post=post,
        incoming=[
            services.IncomingComment(
                urn=urn,
                actor_urn=_actor_urn(workspace.pk, note),
                text=note.text[:5000],
                commented_at=note.sent_at or row.received_at,
                parent_urn=note.parent_urn,
                name=note.name,
                headline=note.headline,
            )
        ],
        source=Comment.Source.EMAIL,
    )
    if not stored:  # another delivery of the same notification won the race
        existing = owned(Comment, workspace=workspace).filter(urn=urn).first()
        return _finish(row, InboundMessage.Status.DUPLICATE, comment=existing)
    status = InboundMessage.Status.PARSED if post else InboundMessage.Status.UNMATCHED
    return _finish(row, status, comment=stored[0])


RETRYABLE = (
    InboundMessage.Status.UNREADABLE,
    InboundMessage.Status.UNMATCHED,
    InboundMessage.Status.RECEIVED,
    InboundMessage.Status.PROCESSING,
)
# A message still "received" or "processing" after this long lost its task (a worker died).
STUCK_AFTER = timedelta(minutes=5)


def inbound_retry(*, workspace, message: InboundMessage) -> bool:
    """Read a kept message again: after a parser fix, once the post it names is published,
    or when its task was lost. An unmatched comment already stored is not stored twice (its
    key is the same); the message may then find its post."""
    waiting = (InboundMessage.Status.RECEIVED, InboundMessage.Status.PROCESSING)
    if message.status not in RETRYABLE or message.workspace_id != workspace.pk:
        return False
    if message.status in waiting and timezone.now() - message.received_at < STUCK_AFTER:
        return False
    from apps.leads.tasks import process_inbound_message

    with transaction.atomic():
        changed = (
            owned(InboundMessage, workspace=workspace)
            .filter(pk=message.pk, status=message.status)
            .update(status=InboundMessage.Status.RECEIVED, error="", processed_at=None)
        )
        if changed:
            transaction.on_commit(
                lambda pk=message.pk, ws=workspace.pk: process_inbound_message.delay(pk, ws)
            )
    return bool(changed)


def _finish(row: InboundMessage, status: str, *, error: str = "", comment=None) -> str:
    InboundMessage.objects.filter(pk=row.pk).update(
        status=status, error=error, comment=comment, processed_at=timezone.now()
    )
    return status


def _actor_urn(workspace_id: int, note: Notification) -> str:
    # The mail carries no member id; the profile link (when present) or the name stands in.
    who = f"in/{note.profile}" if note.profile else note.name.casefold()
    return "email:" + hashlib.sha256(f"{workspace_id}\n{who}".encode()).hexdigest()[:32]


def match_post(*, workspace, note: Notification) -> Post | None:
    """The published post a notification is about: by the URN in its links, else by the
    post's opening words quoted in the mail, else the latest post published before it."""
    published = owned(Post, workspace=workspace).filter(status=Post.Status.PUBLISHED)
    ids = {urn.rsplit(":", 1)[1] for urn in note.post_urns}
    if ids:
        candidates = [
            f"urn:li:{kind}:{number}" for number in ids for kind in ("share", "ugcPost", "activity")
        ]
        if post := published.filter(linkedin_urn__in=candidates).first():
            return post
    snippet = re.sub(r"\s+", " ", note.post_snippet).strip()
    if len(snippet) >= 12:
        for post in published.order_by("-published_at")[:200]:
            if snippet[:80].casefold() in re.sub(r"\s+", " ", post.text).casefold():
                return post
    # LinkedIn's links name the post's activity, which need not be the URN publishing
    # stored; the date is the last resort.
    when = note.sent_at or timezone.now()
    return (
        published.filter(
            published_at__lte=when,
            published_at__gte=when - timedelta(days=DATE_MATCH_DAYS),
        )
        .order_by("-published_at")
        .first()
    )


def forwarding_in_use(*, workspace, days: int = 30) -> bool:
    """Whether LinkedIn's notification e-mails reach this workspace: a comment arrived by
    e-mail (or the route was tested) within `days`. For the capability states."""
    since = timezone.now() - timedelta(days=days)
    return (
        owned(InboundMessage, workspace=workspace)
        .filter(
            received_at__gte=since,
            status__in=[
                InboundMessage.Status.PARSED,
                InboundMessage.Status.UNMATCHED,
                InboundMessage.Status.DUPLICATE,
                InboundMessage.Status.TEST,
            ],
        )
        .exists()
    )


def recent_messages(*, workspace, limit: int = 30):
    return owned(InboundMessage, workspace=workspace).select_related("comment")[:limit]


def readable_text(row: InboundMessage) -> str:
    """The message's text as a person would read it (a forwarding confirmation code, say)."""
    try:
        message = read_message(row.raw)
        part = message.get_body(preferencelist=("plain", "html"))
        return part.get_content() if part is not None else row.raw
    except Exception:  # shown as it came rather than not at all
        return row.raw
