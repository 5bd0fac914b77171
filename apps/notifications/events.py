"""The one entry point for domain events: `record()` and one function per event.

A caller makes one call per event, inside the transaction of the change that caused it. The
event is an OutboxEvent row committed with that change; apps/notifications/outbox.py delivers
it to every channel after commit, and a beat sweep delivers what a dead worker left. So a
post marked published always gets its notification and webhook, and a rolled-back change
tells nobody.

This module knows no channel: webhooks and the CRM import it, not the other way round."""

from __future__ import annotations

import hashlib
import json
import logging

from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, router, transaction
from django.utils import timezone

from apps.accounts.tenancy import owned
from apps.core.bulk import execute_all, insert_returning
from apps.notifications.models import Event, OutboxEvent

logger = logging.getLogger(__name__)

# Event.values builds its list anew on every use (a class property over the members); the
# check below runs for every event recorded, a publish step's among them.
EVENTS = frozenset(Event.values)


def _jsonable(value: dict) -> dict:
    # Through the encoder once, so datetimes and decimals are stored as they are sent.
    return json.loads(json.dumps(value or {}, cls=DjangoJSONEncoder))


def record(
    *,
    workspace,
    event: str,
    key: str,
    notice: dict | None = None,
    data: dict | None = None,
    channel_key: str = "",
    handler: str = "",
    first: bool = False,
) -> OutboxEvent | None:
    """Record one event for delivery after commit. `key` names this occurrence (the same
    key again is the same event and adds nothing). `notice`: notify()'s arguments for
    members (title, body, url, user_ids, roles, dedupe_key, email_text, sms_text, score);
    `data`: the webhook/CRM payload. Returns the row, or None if the key was recorded.

    `first=True`: the caller's own conditional update has just made this occurrence (a
    post moved to published, which happens once), so the key is all but certainly new:
    one INSERT ... ON CONFLICT instead of a look, a savepoint and an insert. Should the key
    exist after all, that row is returned and dispatched again, which delivers nothing
    twice (dispatching claims the row)."""
    row = outbox_row(
        workspace=workspace,
        event=event,
        key=key,
        notice=notice,
        data=data,
        channel_key=channel_key,
        handler=handler,
    )
    if first:
        OutboxEvent.objects.bulk_create(
            [row], update_conflicts=True, unique_fields=["workspace", "key"], update_fields=["key"]
        )
    if row.pk is None:  # not `first`, or a database that returns no ids from bulk inserts
        if owned(OutboxEvent, workspace=workspace).filter(key=key).exists():
            return None
        try:
            with transaction.atomic():
                row.save(force_insert=True)
        except IntegrityError:
            return None  # recorded a moment ago by another worker
    dispatch_after_commit(row)
    return row


def outbox_row(
    *,
    workspace,
    event: str,
    key: str,
    notice: dict | None = None,
    data: dict | None = None,
    channel_key: str = "",
    handler: str = "",
) -> OutboxEvent:
    """The unsaved OutboxEvent that record() writes: for a caller that writes it in a
    statement of its own (publishing's "published", on PostgreSQL) with the same values."""
    if event not in EVENTS:
        raise ValueError(f"Unknown event {event!r}")
    if len(key) > 160:
        key = key[:120] + ":" + hashlib.sha256(key.encode()).hexdigest()[:32]
    return OutboxEvent(
        workspace=workspace,
        event=event,
        key=key,
        notice=_jsonable(notice),
        data=_jsonable(data),
        channel_key=(channel_key or key)[:160],
        handler=handler,
    )


def dispatch_after_commit(row: OutboxEvent) -> None:
    """Deliver a recorded event once the transaction that recorded it commits."""
    from apps.notifications.tasks import dispatch_event

    # robust: a broker that is down must not fail the change; the sweep delivers it later.
    transaction.on_commit(
        lambda pk=row.pk, ws=row.workspace_id: dispatch_event.delay(pk, ws), robust=True
    )


def record_many(*, workspace, events: list[dict], alongside=()) -> list[OutboxEvent]:
    """record() for many events of one workspace (each a dict of record's keyword arguments
    but the workspace) in one query: an INSERT that skips keys already recorded (the
    unique constraint decides, so a race with another worker adds nothing twice) and answers
    with the rows it made. Returns those rows; each is dispatched after commit, as record()
    does. `alongside`: the caller's statements to run with the insert (see
    apps.core.bulk.insert_returning), so the change and its events take one round trip."""
    from apps.notifications.tasks import dispatch_event

    if not events:
        execute_all(alongside, using=router.db_for_write(OutboxEvent))
        return []
    now = timezone.now()
    rows = []
    for spec in events:
        if spec["event"] not in EVENTS:
            raise ValueError(f"Unknown event {spec['event']!r}")
        key = spec["key"]
        if len(key) > 160:
            key = key[:120] + ":" + hashlib.sha256(key.encode()).hexdigest()[:32]
        rows.append(
            OutboxEvent(
                workspace=workspace,
                event=spec["event"],
                key=key,
                notice=_jsonable(spec.get("notice")),
                data=_jsonable(spec.get("data")),
                channel_key=(spec.get("channel_key") or key)[:160],
                handler=spec.get("handler", ""),
                created_at=now,
                next_attempt_at=now,
            )
        )
    made = dict(
        insert_returning(
            OutboxEvent,
            rows,
            unique_fields=["workspace", "key"],
            returning=["key", "id"],
            alongside=alongside,
        )
    )
    recorded = []
    for row in rows:
        if row.key in made:
            row.pk = made.pop(row.key)
            row._state.adding = False
            recorded.append(row)
            transaction.on_commit(
                lambda pk=row.pk, ws=workspace.pk: dispatch_event.delay(pk, ws), robust=True
            )
    return recorded


# --- The events ----------------------------------------------------------------------------
# One function per event: what members read and what webhooks receive, built in one place.


def _post_data(post) -> dict:
    return {
        "post": {
            "id": post.pk,
            "status": post.status,
            "hook": post.hook,
            "scheduled_at": post.scheduled_at,
            "published_at": post.published_at,
            "linkedin_urn": post.linkedin_urn,
            "linkedin_url": post.linkedin_url,
        }
    }


def post_published(*, post, notice: dict, first: bool = False) -> OutboxEvent | None:
    return record(**_post_published(post, notice), first=first)


def post_published_row(*, post, notice: dict) -> OutboxEvent:
    """post_published's row, unsaved (see outbox_row)."""
    return outbox_row(**_post_published(post, notice))


def _post_published(post, notice: dict) -> dict:
    return {
        "workspace": post.workspace,
        "event": Event.POST_PUBLISHED,
        "key": f"post.published:{post.pk}",
        "notice": notice,
        "data": _post_data(post),
    }


def post_failed(*, post, reason: str, notice: dict) -> OutboxEvent | None:
    # A post can fail, be rescheduled and fail again: each failure is its own event.
    return record(
        workspace=post.workspace,
        event=Event.POST_FAILED,
        key=f"post.failed:{post.pk}:{post.publish_attempts}:{post.updated_at.isoformat()}",
        notice=notice,
        data={**_post_data(post), "reason": reason[:500]},
    )


def post_notice(*, post, event: str, key: str, notice: dict) -> OutboxEvent | None:
    """A post event only members hear of (waiting, needs a check)."""
    return record(workspace=post.workspace, event=event, key=key, notice=notice)


def lead_detected(*, lead, comment) -> OutboxEvent | None:
    """A comment at or above the workspace's alert threshold, stored for `lead`. Members are
    alerted by the lead pipeline's own rules (each member's threshold, quiet hours, cap:
    apps/leads/services.py `_alert_members`); webhooks and the CRM get one event per lead."""
    return record(workspace=lead.workspace, **_lead_detected(lead, comment))


def leads_detected(*, workspace, pairs: list[tuple], alongside=()) -> list[OutboxEvent]:
    """lead_detected for each (lead, comment) of a stored batch of comments, in one insert
    whatever the batch's size (a scan stores a post's comments at once), with the batch's
    own `alongside` statements (see record_many)."""
    return record_many(
        workspace=workspace,
        events=[_lead_detected(lead, comment) for lead, comment in pairs],
        alongside=alongside,
    )


def _lead_detected(lead, comment) -> dict:
    commenter = lead.commenter
    return {
        "event": Event.LEAD_DETECTED,
        "key": f"lead.detected:{lead.pk}:{comment.pk}",
        "channel_key": f"lead.detected:{lead.pk}",
        "handler": "lead_alert",
        "notice": {"lead_id": lead.pk},
        "data": {
            "lead": {
                "id": lead.pk,
                "status": lead.status,
                "score": comment.score,
                "intent": comment.intent,
                "created_at": lead.created_at,
            },
            "commenter": {
                "name": commenter.name,
                "headline": commenter.headline,
                "linkedin_urn": commenter.actor_urn,
            },
            "comment": {
                "text": comment.text,
                "linkedin_urn": comment.urn,
                "commented_at": comment.commented_at,
                "post_id": comment.post_id,
            },
        },
    }


def lead_waiting(*, lead, notice: dict) -> OutboxEvent | None:
    """A hot lead nobody answered within the workspace's escalation window; once per lead."""
    return record(
        workspace=lead.workspace,
        event=Event.LEAD_WAITING,
        key=f"lead.waiting:{lead.pk}",
        notice=notice,
    )


def post_approval_requested(*, post, approver, notice: dict) -> OutboxEvent | None:
    """A post sent for review, told to one approver (their email carries their own one-click
    link). A post sent back and submitted again is a new request."""
    submitted = f"{post.submitted_at.timestamp():.0f}"
    return record(
        workspace=post.workspace,
        event=Event.POST_APPROVAL_REQUESTED,
        key=f"post.approval_requested:{post.pk}:{submitted}:{approver.pk}",
        notice={**notice, "user_ids": [approver.pk]},
    )


def lead_stage_changed(*, lead, previous: str) -> OutboxEvent | None:
    # Keyed by the change itself (to the microsecond): a lead can go back and forth, and
    # each move is its own event, while the same move recorded twice is one.
    changed_at = lead.status_changed_at.isoformat()
    return record(
        workspace=lead.workspace,
        event=Event.LEAD_STAGE_CHANGED,
        key=f"lead.stage_changed:{lead.pk}:{lead.status}:{changed_at}",
        data={
            "lead": {
                "id": lead.pk,
                "status": lead.status,
                "previous_status": previous,
                "value_eur": lead.value_eur,
                "status_changed_at": lead.status_changed_at,
            },
            "commenter": {"name": lead.commenter.name, "headline": lead.commenter.headline},
        },
    )


def token_expiring(
    *, connection, threshold: int, days_left: int, notice: dict | None = None
) -> OutboxEvent | None:
    """Owners and admins reminded (`notice`), and webhooks told, once per threshold."""
    expires_at = connection.access_token_expires_at
    return record(
        workspace=connection.workspace,
        event=Event.TOKEN_EXPIRING,
        key=f"token.expiring:{connection.pk}:{expires_at.isoformat()}:{threshold}",
        notice=notice,
        data={
            "token": {
                "kind": "linkedin",
                "expires_at": expires_at,
                "threshold_days": threshold,
                "days_left": days_left,
            },
        },
    )


def linkedin_needs_reconnect(*, connection, at, notice: dict) -> OutboxEvent | None:
    """The LinkedIn grant died (each time it is flagged, once): owners and admins are told."""
    return record(
        workspace=connection.workspace,
        event=Event.LINKEDIN_NEEDS_RECONNECT,
        key=f"linkedin.needs_reconnect:{connection.pk}:{at.isoformat()}",
        notice=notice,
    )


def webhook_disabled(*, endpoint, at, notice: dict) -> OutboxEvent | None:
    return record(
        workspace=endpoint.workspace,
        event=Event.WEBHOOK_DISABLED,
        key=f"webhook.disabled:{endpoint.pk}:{at.isoformat()}",
        notice=notice,
    )


def digest_due(*, alert_settings, day, lead_ids: list[int]) -> OutboxEvent | None:
    """A member's morning digest for their local `day`, with the leads it lists (chosen when
    it fell due, so a late delivery mails what was due then); once per member and day."""
    return record(
        workspace=alert_settings.workspace,
        event=Event.DIGEST_DUE,
        key=f"digest.due:{alert_settings.user_id}:{day.isoformat()}",
        handler="digest",
        notice={"alert_settings_id": alert_settings.pk, "lead_ids": list(lead_ids)},
    )


def invitation_sent(*, invitation) -> OutboxEvent | None:
    """The invitation email, once per invitation. Only the token's hash is on the invitation,
    so the token the link carries travels here encrypted (FIELD_ENCRYPTION_KEYS)."""
    from apps.core.encryption import encrypt_text

    return record(
        workspace=invitation.workspace,
        event=Event.INVITATION_SENT,
        key=f"invitation.sent:{invitation.pk}",
        handler="invitation",
        notice={"invitation_id": invitation.pk, "token": encrypt_text(invitation.token)},
    )
