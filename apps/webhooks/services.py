"""Writes for outgoing webhooks: endpoints, emitting events, and delivering them.

Delivery is at least once. Each attempt is claimed with a conditional update (the delivery
must still be pending or failed, and due), so a task run twice, or run by both its own retry
and the `retry_due` dispatcher, sends once. Receivers drop repeats by `Webhook-Id`.

An endpoint counts deliveries given up in a row (after every retry), not single failed
attempts: a flaky receiver that answers on the third try is working. Any success resets the
count; at WEBHOOKS_DISABLE_AFTER (5) the endpoint is turned off and its owners and admins are
told, once.
"""

from __future__ import annotations

import json
import logging
import random
import uuid
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.accounts.models import Role
from apps.accounts.services import audit_record
from apps.accounts.tenancy import across_workspaces, owned, owned_for_task
from apps.notifications import events
from apps.webhooks import client
from apps.webhooks.models import PING, EventType, WebhookDelivery, WebhookEndpoint, new_secret

logger = logging.getLogger(__name__)

EVENT_ID_NAMESPACE = uuid.UUID("4f0c2a57-5f7e-4c0b-9d8e-2b1f3c6a9e10")
MAX_ENDPOINTS_PER_WORKSPACE = 10
# An attempt in flight holds its delivery this long; a worker that dies mid-attempt leaves
# it to `retry_due` after that.
CLAIM_LEASE = timedelta(minutes=5)
# A retry enqueued with a countdown may start a moment early; it still counts as due.
EARLY_START = timedelta(seconds=5)
# `retry_due` leaves rows this long to the task already enqueued for them.
DISPATCH_GRACE = timedelta(seconds=30)
Status = WebhookDelivery.Status
SUCCEEDED_OR_GIVEN_UP = (Status.SUCCEEDED, Status.GIVEN_UP)
OPEN = (Status.PENDING, Status.FAILED)


class WebhookError(Exception):
    """A webhook change that cannot be made; the message is for the user."""


def retry_delays() -> tuple[float, ...]:
    """Seconds to wait after the 1st, 2nd, ... failed attempt; one more attempt than delays."""
    return tuple(getattr(settings, "WEBHOOKS_RETRY_DELAYS", (60, 300, 1800, 7200, 21600)))


def max_attempts() -> int:
    return len(retry_delays()) + 1


def disable_after() -> int:
    return int(getattr(settings, "WEBHOOKS_DISABLE_AFTER", 5))


def backoff(attempts: int) -> float:
    """The wait after `attempts` failed attempts, ±10% so retries of many deliveries to one
    endpoint that failed together do not arrive together."""
    delays = retry_delays()
    base = delays[min(attempts, len(delays)) - 1]
    return base * random.uniform(0.9, 1.1)  # noqa: S311 - spreading load, not a secret


def _enqueue(delivery: WebhookDelivery, *, countdown: float | None = None) -> None:
    from apps.webhooks.tasks import deliver

    transaction.on_commit(
        lambda pk=delivery.pk, ws=delivery.workspace_id: deliver.apply_async(
            (pk, ws), countdown=countdown
        )
    )


# --- Endpoints -----------------------------------------------------------------------------


def _clean_events(events) -> list[str]:
    chosen = [event for event in EventType.values if event in set(events)]
    if not chosen:
        raise WebhookError(_("Choose at least one event."))
    return chosen


@transaction.atomic
def endpoint_create(*, workspace, actor, url: str, events) -> WebhookEndpoint:
    """A new endpoint with a fresh secret (the caller shows `endpoint.secret` once)."""
    if owned(WebhookEndpoint, workspace=workspace).count() >= MAX_ENDPOINTS_PER_WORKSPACE:
        raise WebhookError(
            _("A workspace can have at most %(count)s endpoints.")
            % {"count": MAX_ENDPOINTS_PER_WORKSPACE}
        )
    endpoint = WebhookEndpoint(workspace=workspace, url=url.strip(), events=_clean_events(events))
    try:
        endpoint.full_clean()
    except ValidationError as error:
        raise WebhookError(" ".join(error.messages)) from None
    endpoint.save()
    audit_record(action="webhook.created", actor=actor, workspace=workspace, target=endpoint.url)
    return endpoint


@transaction.atomic
def endpoint_rotate_secret(*, endpoint: WebhookEndpoint, actor) -> str:
    """A new secret, in force for the next attempt; the old one stops working at once."""
    endpoint.secret = new_secret()
    endpoint.save(update_fields=["secret"])
    audit_record(
        action="webhook.secret_rotated",
        actor=actor,
        workspace=endpoint.workspace,
        target=endpoint.url,
    )
    return endpoint.secret


@transaction.atomic
def endpoint_set_active(*, endpoint: WebhookEndpoint, actor, active: bool) -> WebhookEndpoint:
    """Turn an endpoint on (forgetting its failures) or off (by hand: no reason recorded)."""
    now = timezone.now()
    if active:
        changes = {"is_active": True, "consecutive_failures": 0, "disabled_at": None}
        changes["disabled_reason"] = ""
    else:
        changes = {"is_active": False, "disabled_at": now, "disabled_reason": ""}
    owned(WebhookEndpoint, workspace=endpoint.workspace).filter(pk=endpoint.pk).update(**changes)
    for field, value in changes.items():
        setattr(endpoint, field, value)
    audit_record(
        action="webhook.enabled" if active else "webhook.disabled",
        actor=actor,
        workspace=endpoint.workspace,
        target=endpoint.url,
    )
    return endpoint


@transaction.atomic
def endpoint_delete(*, endpoint: WebhookEndpoint, actor) -> None:
    audit_record(
        action="webhook.deleted", actor=actor, workspace=endpoint.workspace, target=endpoint.url
    )
    endpoint.delete()


# --- Events --------------------------------------------------------------------------------


def _event_uuid(event_id: str | uuid.UUID | None) -> uuid.UUID:
    if event_id is None:
        return uuid.uuid4()
    if isinstance(event_id, uuid.UUID):
        return event_id
    try:
        return uuid.UUID(event_id)
    except ValueError:
        return uuid.uuid5(EVENT_ID_NAMESPACE, event_id)


def _envelope(*, workspace, event: str, event_id: uuid.UUID, data: dict) -> dict:
    return {
        "id": str(event_id),
        "type": event,
        "created_at": timezone.now().isoformat().replace("+00:00", "Z"),
        "workspace": workspace.slug,
        # Through the encoder once, so datetimes and decimals are stored as they are sent.
        "data": json.loads(json.dumps(data, cls=DjangoJSONEncoder)),
    }


@transaction.atomic
def emit(
    *, workspace, event: str, data: dict, event_id: str | uuid.UUID | None = None
) -> list[WebhookDelivery]:
    """Queue `event` for every active endpoint of the workspace subscribed to it, sent after
    commit. `event_id` is a UUID or any stable text ("lead.detected:42", turned into a UUID):
    emitting the same id again adds nothing. Returns the deliveries created now."""
    if event not in EventType.values:
        raise ValueError(f"Unknown webhook event {event!r}")
    endpoints = [
        endpoint
        for endpoint in owned(WebhookEndpoint, workspace=workspace).filter(is_active=True)
        if endpoint.subscribes_to(event)
    ]
    if not endpoints:
        return []
    uid = _event_uuid(event_id)
    payload = _envelope(workspace=workspace, event=event, event_id=uid, data=data)
    created = []
    for endpoint in endpoints:
        delivery, is_new = WebhookDelivery.objects.get_or_create(
            workspace=workspace,
            endpoint=endpoint,
            event_id=uid,
            defaults={"event": event, "payload": payload},
        )
        if is_new:
            _enqueue(delivery)
            created.append(delivery)
    return created


@transaction.atomic
def ping(*, endpoint: WebhookEndpoint, actor) -> WebhookDelivery:
    """A test event to one endpoint, whatever it subscribes to."""
    if not endpoint.is_active:
        raise WebhookError(_("Turn the endpoint on first."))
    uid = uuid.uuid4()
    delivery = WebhookDelivery.objects.create(
        workspace=endpoint.workspace,
        endpoint=endpoint,
        event=PING,
        event_id=uid,
        payload=_envelope(
            workspace=endpoint.workspace,
            event=PING,
            event_id=uid,
            data={"message": "A test event from TechLead AutoPilot.", "sent_by": actor.email},
        ),
    )
    _enqueue(delivery)
    return delivery


@transaction.atomic
def redeliver(*, delivery: WebhookDelivery, actor) -> WebhookDelivery:
    """Send a failed or given-up delivery again, now, with a fresh set of attempts (same
    event id: a receiver that did get it can tell)."""
    if not delivery.endpoint.is_active:
        raise WebhookError(_("Turn the endpoint on first."))
    reset = (
        owned(WebhookDelivery, workspace=delivery.workspace)
        .filter(pk=delivery.pk, status__in=[Status.FAILED, Status.GIVEN_UP])
        .update(status=Status.PENDING, attempts=0, next_attempt_at=timezone.now())
    )
    if not reset:
        raise WebhookError(_("Only failed deliveries can be sent again."))
    delivery.refresh_from_db()
    audit_record(
        action="webhook.redelivered",
        actor=actor,
        workspace=delivery.workspace,
        target=delivery.endpoint.url,
        event_id=str(delivery.event_id),
    )
    _enqueue(delivery)
    return delivery


# --- Delivering ----------------------------------------------------------------------------


def _body(payload: dict) -> bytes:
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()


def deliver(*, delivery_id: int, workspace_id: int) -> str:
    """One attempt at one delivery, if it is still open and due. Returns what happened.

    Runs outside a transaction on purpose: the claim commits before the request goes out,
    and the request never holds a database transaction open."""
    now = timezone.now()
    claimed = WebhookDelivery.objects.filter(
        pk=delivery_id,
        workspace_id=workspace_id,
        status__in=OPEN,
        next_attempt_at__lte=now + EARLY_START,
    ).update(attempts=F("attempts") + 1, next_attempt_at=now + CLAIM_LEASE)
    if not claimed:
        return "not due"
    delivery = owned_for_task(WebhookDelivery, workspace_id=workspace_id, pk=delivery_id)
    endpoint = delivery.endpoint
    if not endpoint.is_active:
        _settle(
            delivery,
            status=Status.GIVEN_UP,
            attempts=delivery.attempts - 1,  # nothing was sent
            last_error="The endpoint is turned off.",
        )
        return "endpoint off"
    result = client.send(
        url=endpoint.url,
        secret=endpoint.secret,
        event_id=str(delivery.event_id),
        body=_body(delivery.payload),
    )
    if result.ok:
        _succeeded(delivery, result)
        return "succeeded"
    if delivery.attempts >= max_attempts():
        _given_up(delivery, result)
        return "given up"
    delay = backoff(delivery.attempts)
    with transaction.atomic():
        if _settle(
            delivery,
            status=Status.FAILED,
            next_attempt_at=timezone.now() + timedelta(seconds=delay),
            last_status_code=result.status_code,
            last_error=result.error[:300],
        ):
            _enqueue(delivery, countdown=delay)
    return "failed"


def _settle(delivery: WebhookDelivery, **changes) -> bool:
    """Record an attempt's outcome, unless the delivery changed hands meanwhile (sent again
    by hand, which resets its attempts)."""
    changes.setdefault("next_attempt_at", None)
    return bool(
        WebhookDelivery.objects.filter(
            pk=delivery.pk, attempts=delivery.attempts, status__in=OPEN
        ).update(**changes)
    )


def _succeeded(delivery: WebhookDelivery, result: client.DeliveryResult) -> None:
    with transaction.atomic():
        _settle(
            delivery,
            status=Status.SUCCEEDED,
            delivered_at=timezone.now(),
            last_status_code=result.status_code,
            last_error="",
        )
        WebhookEndpoint.objects.filter(pk=delivery.endpoint_id, consecutive_failures__gt=0).update(
            consecutive_failures=0
        )


def _given_up(delivery: WebhookDelivery, result: client.DeliveryResult) -> None:
    with transaction.atomic():
        if not _settle(
            delivery,
            status=Status.GIVEN_UP,
            last_status_code=result.status_code,
            last_error=result.error[:300],
        ):
            return
        endpoints = WebhookEndpoint.objects.filter(pk=delivery.endpoint_id)
        endpoints.update(consecutive_failures=F("consecutive_failures") + 1)
        failures = endpoints.values_list("consecutive_failures", flat=True).first() or 0
        if failures < disable_after():
            return
        turned_off = endpoints.filter(is_active=True).update(
            is_active=False, disabled_at=timezone.now(), disabled_reason=result.error[:300]
        )
        if turned_off:  # only the attempt that turned it off tells anyone
            _tell_endpoint_disabled(delivery.endpoint, failures=failures)


def _tell_endpoint_disabled(endpoint: WebhookEndpoint, *, failures: int) -> None:
    workspace = endpoint.workspace
    audit_record(
        action="webhook.disabled",
        actor=None,
        workspace=workspace,
        target=endpoint.url,
        reason="failures",
        failures=failures,
    )
    events.webhook_disabled(
        endpoint=endpoint,
        at=timezone.now(),
        notice={
            "title": _("A webhook endpoint was turned off"),
            "body": _(
                "%(url)s failed %(count)s deliveries in a row, each after every retry, so we "
                "stopped sending to it. Fix the receiver, then turn it back on and send the "
                "failed deliveries again."
            )
            % {"url": endpoint.url, "count": failures},
            "url": reverse("webhooks", kwargs={"workspace_slug": workspace.slug}),
            "roles": [Role.OWNER, Role.ADMIN],
        },
    )


def retry_due(*, limit: int = 500) -> int:
    """Beat's dispatcher: enqueue an attempt for each open delivery whose time has come and
    whose own task has not run (a lost message, a dead worker). Safe to run twice: the
    attempt claims the delivery, so a second message for it does nothing."""
    from apps.webhooks.tasks import deliver as deliver_task

    with across_workspaces(reason="beat dispatcher: due deliveries of every workspace"):
        due = (
            WebhookDelivery.objects.filter(
                status__in=OPEN, next_attempt_at__lte=timezone.now() - DISPATCH_GRACE
            )
            .order_by("next_attempt_at")
            .values_list("pk", "workspace_id")[:limit]
        )
        count = 0
        for pk, workspace_id in due:
            deliver_task.delay(pk, workspace_id)
            count += 1
        return count


def purge_deliveries(*, older_than_days: int | None = None) -> int:
    """Drop finished deliveries from the log after WEBHOOKS_LOG_DAYS (30)."""
    with across_workspaces(reason="daily retention over every workspace"):
        days = older_than_days or int(getattr(settings, "WEBHOOKS_LOG_DAYS", 30))
        deleted, _per_model = WebhookDelivery.objects.filter(
            status__in=SUCCEEDED_OR_GIVEN_UP, created_at__lt=timezone.now() - timedelta(days=days)
        ).delete()
        return deleted
