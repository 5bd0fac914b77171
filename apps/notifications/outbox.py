"""Delivering recorded events (apps/notifications/events.py) to every channel.

A dispatch claims its row with a conditional update that leases it for a while, so a task
run twice, or run by both its own message and the beat sweep, delivers once at a time; and
every channel is idempotent on its own key, so a dispatch that died halfway and runs again
adds only what is missing:

- members (the app, email, push, SMS): notify()'s dedupe key, one notification per member
  and key (the event's own key, or the notice's);
- lead alerts: the lead pipeline's `_alert_members`, once per lead and member;
- webhooks: one delivery per endpoint and event id (the channel key, as a UUID);
- the CRM: one push per connection and event key.

Runs outside any transaction: each channel commits its own rows, and sending (email, push,
the webhook request) happens after those commits, never inside one."""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from apps.accounts.models import Role
from apps.accounts.tenancy import across_workspaces, owned, owned_for_task
from apps.notifications.models import Channel, Delivery, OutboxEvent
from apps.notifications.services import notify
from apps.webhooks import services as webhooks
from apps.webhooks.models import EventType

logger = logging.getLogger(__name__)


def lease() -> timedelta:
    """A dispatch in flight holds its event this long; a worker that dies leaves it to the
    sweep after that (SIDE_EFFECT_LEASE_SECONDS)."""
    return timedelta(seconds=settings.SIDE_EFFECT_LEASE_SECONDS)


# The sweep leaves fresh rows this long to the task enqueued on commit.
SWEEP_GRACE = timedelta(seconds=30)
# After this many failed dispatches the event stays undelivered, shown on health and admin.
MAX_ATTEMPTS = 8
RETRY_DELAYS = (30, 60, 300, 900, 1800, 3600, 3600)
Status = OutboxEvent.Status


def _digest(row: OutboxEvent, notice: dict) -> None:
    from apps.leads.digests import send_digest

    send_digest(
        workspace=row.workspace,
        alert_settings_id=notice["alert_settings_id"],
        lead_ids=notice["lead_ids"],
    )


def _invitation(row: OutboxEvent, notice: dict) -> None:
    from apps.accounts.services import invitation_send_pending
    from apps.core.encryption import decrypt_text

    invitation_send_pending(
        workspace=row.workspace,
        invitation_id=notice["invitation_id"],
        token=decrypt_text(notice["token"]),
    )


# Events whose members' channel is one mail of their own, not notify().
HANDLERS = {"digest": _digest, "invitation": _invitation}


def _members(row: OutboxEvent) -> None:
    notice = dict(row.notice)
    if row.handler == "lead_alert":
        # The lead pipeline decides who hears of a lead (each member's threshold, quiet
        # hours, daily cap) and keeps it once per lead and member.
        from apps.leads.services import _alert_members

        _alert_members(notice["lead_id"], workspace_id=row.workspace_id)
        return
    if row.handler in HANDLERS:
        if notice.get("mailed"):
            return  # a dispatch that died after mailing it: its mail is not sent twice
        HANDLERS[row.handler](row, notice)
        # Marked at once, so only a crash between the send and this update sends it again;
        # and a secret it carried (an invitation's token) is not kept past its one use.
        owned(OutboxEvent, workspace=row.workspace).filter(pk=row.pk).update(
            notice={**{k: v for k, v in notice.items() if k != "token"}, "mailed": True}
        )
        return
    if not notice:
        return
    users = None
    roles = tuple(notice.pop("roles", (Role.OWNER, Role.ADMIN)))
    if "user_ids" in notice:
        from django.contrib.auth import get_user_model

        user_ids = notice.pop("user_ids")
        users = list(get_user_model().objects.filter(pk__in=user_ids, is_active=True))
    elif "also_user_ids" in notice:
        # The members in `roles` and these members besides (a post's author), as they are
        # now: the event's producer spent no query on finding them.
        from django.contrib.auth import get_user_model
        from django.db.models import Q

        from apps.accounts.models import Membership

        members = owned(Membership, workspace=row.workspace).filter(
            Q(role__in=roles) | Q(user_id__in=notice.pop("also_user_ids"))
        )
        users = list(
            get_user_model().objects.filter(pk__in=members.values("user_id"), is_active=True)
        )
    notify(
        workspace=row.workspace,
        event=row.event,
        users=users,
        roles=roles,
        title=notice.get("title", ""),
        body=notice.get("body", ""),
        url=notice.get("url", ""),
        dedupe_key=(notice.get("dedupe_key") or row.key)[:120],
        email_text=notice.get("email_text", ""),
        sms_text=notice.get("sms_text", ""),
        score=notice.get("score"),
    )


@transaction.atomic
def _webhooks(row: OutboxEvent) -> None:
    if not row.data or row.event not in EventType.values:
        return
    created = webhooks.emit(
        workspace=row.workspace, event=row.event, data=row.data, event_id=row.channel_key
    )
    for webhook_delivery in created:  # the one delivery log
        Delivery.objects.create(
            workspace=row.workspace,
            event=row.event,
            channel=Channel.WEBHOOK,
            target=webhook_delivery.endpoint.url[:300],
            webhook_delivery=webhook_delivery,
            status=Delivery.Status.PENDING,
        )


def _crm(row: OutboxEvent) -> None:
    if not row.data:
        return
    from apps.crm.services import crm_enqueue_for_event

    with transaction.atomic():
        crm_enqueue_for_event(
            workspace=row.workspace, event=row.event, data=row.data, event_id=row.channel_key
        )


CHANNELS = (_members, _webhooks, _crm)


def dispatch(*, event_id: int, workspace_id: int) -> str:
    """Deliver one recorded event to every channel. Returns what happened."""
    row = owned_for_task(OutboxEvent, workspace_id=workspace_id, pk=event_id)
    if row is None:
        return "gone"
    now = timezone.now()
    claimed = OutboxEvent.objects.filter(
        pk=row.pk,
        workspace_id=workspace_id,
        status=Status.PENDING,
        next_attempt_at__lte=now + timedelta(seconds=5),
    ).update(attempts=F("attempts") + 1, next_attempt_at=now + lease())
    if not claimed:
        return "not due"
    row.refresh_from_db()
    try:
        for channel in CHANNELS:
            channel(row)
    except Exception as error:  # any failure is retried, and shown on health and admin
        logger.exception("Event %s (%s) not delivered", row.pk, row.event)
        failed = row.attempts >= MAX_ATTEMPTS
        delay = RETRY_DELAYS[min(row.attempts, len(RETRY_DELAYS)) - 1]
        OutboxEvent.objects.filter(pk=row.pk, workspace_id=workspace_id).update(
            status=Status.FAILED if failed else Status.PENDING,
            next_attempt_at=timezone.now() + timedelta(seconds=delay),
            last_error=f"{type(error).__name__}: {error}"[:300],
        )
        return "failed" if failed else "retry"
    OutboxEvent.objects.filter(pk=row.pk, workspace_id=workspace_id).update(
        status=Status.DELIVERED, delivered_at=timezone.now(), last_error=""
    )
    return "delivered"


def sweep(*, limit: int = 500) -> int:
    """Beat's sweep: enqueue a dispatch for each event still pending after its own task had
    time to run (a worker killed after the change committed, a broker that was down)."""
    from apps.notifications.tasks import dispatch_event

    with across_workspaces(reason="beat sweep: undelivered events in every workspace"):
        due = list(
            OutboxEvent.objects.filter(
                status=Status.PENDING,
                next_attempt_at__lte=timezone.now(),
                created_at__lte=timezone.now() - SWEEP_GRACE,
            )
            .order_by("next_attempt_at", "pk")
            .values_list("pk", "workspace_id")[:limit]
        )
    for pk, workspace_id in due:
        dispatch_event.delay(pk, workspace_id)
    return len(due)


def redeliver(*, row: OutboxEvent) -> bool:
    """An operator sends an event that gave up again (admin action); channels that already
    have it add nothing."""
    return bool(
        owned(OutboxEvent, workspace=row.workspace)
        .filter(pk=row.pk, status=Status.FAILED)
        .update(status=Status.PENDING, attempts=0, next_attempt_at=timezone.now())
    )
