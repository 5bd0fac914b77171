"""Writes for the CRM push: connecting and disconnecting, the stage mapping, queueing a push
when a lead event happens, and the push itself.

A push never holds a database transaction while it talks to the CRM: the delivery is
claimed with a conditional update, the CRM is called, and each remote id is saved the moment
it is known. Retried, a push finds the stored ids and updates; after a crash between the
CRM's answer and our save, it searches the CRM before creating. A 401 marks the connection
revoked and stops; 429, 5xx and no answer are retried with backoff."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

from django.db import DatabaseError, IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.accounts.services import audit_record
from apps.accounts.tenancy import owned, owned_for_task
from apps.crm.client import (
    CrmAuthError,
    CrmClient,
    CrmError,
    CrmTransientError,
    Deal,
    Person,
    company_from_headline,
)
from apps.crm.hubspot import HubSpotClient
from apps.crm.models import CrmConnection, CrmDelivery, CrmRecord, Provider
from apps.crm.pipedrive import PipedriveClient
from apps.leads.models import Lead

logger = logging.getLogger(__name__)

LEAD_EVENTS = ("lead.detected", "lead.stage_changed")
MAPPED_STATUSES = ("new", "contacted", "qualified", "converted", "lost")
MAX_ATTEMPTS = 6
BASE_DELAY = timedelta(seconds=30)  # 30 s, 1, 2, 4, 8 minutes


class CrmSetupError(Exception):
    """A connection request that cannot be done; the message is for the user."""


def client_for(connection: CrmConnection) -> CrmClient:
    if connection.provider == Provider.HUBSPOT:
        return HubSpotClient(connection.token)
    return PipedriveClient(connection.token)


def _clean_stage_map(stage_map: dict) -> dict:
    return {
        status: str(stage).strip()[:64]
        for status, stage in (stage_map or {}).items()
        if status in MAPPED_STATUSES and str(stage).strip()
    }


# --- Connecting ----------------------------------------------------------------------------


def crm_connect(*, workspace, actor, provider: str, token: str, stage_map: dict) -> CrmConnection:
    """Check the token against the CRM (outside any transaction), then store it encrypted,
    replacing the workspace's previous connection."""
    token = (token or "").strip()
    if provider not in Provider.values:
        raise CrmSetupError(_("Choose HubSpot or Pipedrive."))
    if not token:
        raise CrmSetupError(_("Paste the API token."))
    probe = CrmConnection(workspace=workspace, provider=provider, token=token)
    try:
        client_for(probe).check()
    except CrmAuthError:
        raise CrmSetupError(
            _("The CRM refused this token. Check that you copied all of it.")
        ) from None
    except CrmError as error:
        raise CrmSetupError(
            _("Could not reach the CRM to check the token: %(error)s") % {"error": error}
        ) from None
    with transaction.atomic():
        connection, _created = CrmConnection.objects.update_or_create(
            workspace=workspace,
            defaults={
                "provider": provider,
                "token": token,
                "stage_map": _clean_stage_map(stage_map),
                "status": CrmConnection.Status.ACTIVE,
                "status_reason": "",
                "connected_by": actor,
                "created_at": timezone.now(),
                "revoked_at": None,
            },
        )
        audit_record(action="crm.connected", actor=actor, workspace=workspace, target=provider)
    return connection


@transaction.atomic
def crm_stage_map_save(*, connection: CrmConnection, actor, stage_map: dict) -> CrmConnection:
    connection.stage_map = _clean_stage_map(stage_map)
    connection.save(update_fields=["stage_map"])
    audit_record(
        action="crm.stages_mapped",
        actor=actor,
        workspace=connection.workspace,
        target=connection.provider,
        **connection.stage_map,
    )
    return connection


@transaction.atomic
def crm_disconnect(*, connection: CrmConnection, actor) -> None:
    audit_record(
        action="crm.disconnected",
        actor=actor,
        workspace=connection.workspace,
        target=connection.provider,
    )
    connection.delete()


# --- Queueing ------------------------------------------------------------------------------


def crm_enqueue_for_event(*, workspace, event: str, data: dict, event_id) -> CrmDelivery | None:
    """A lead event joins the CRM channel: one delivery per event key, pushed after commit.
    Called from the notification pipeline next to the webhooks; adds nothing without an
    active connection, and never undoes what happened (a database error is logged)."""
    if event not in LEAD_EVENTS or not event_id:
        return None
    lead_id = (data.get("lead") or {}).get("id")
    try:
        with transaction.atomic():
            connection = (
                owned(CrmConnection, workspace=workspace)
                .filter(status=CrmConnection.Status.ACTIVE)
                .first()
            )
            if connection is None or lead_id is None:
                return None
            delivery, created = owned(CrmDelivery, workspace=workspace).get_or_create(
                connection=connection,
                event_key=str(event_id)[:160],
                defaults={"workspace": workspace, "lead_id": lead_id, "event": event},
            )
    except (DatabaseError, IntegrityError):
        logger.exception("Could not queue the CRM push for %s", event_id)
        return None
    if created:
        from apps.crm.tasks import push

        transaction.on_commit(lambda: push.delay(delivery.pk, workspace.pk))
    return delivery


# --- Pushing -------------------------------------------------------------------------------


def person_for(lead: Lead) -> Person:
    commenter = lead.commenter
    # E-mail and profile URL only where the lead pipeline knows them; nothing is guessed.
    return Person(
        name=commenter.name,
        headline=commenter.headline,
        company=company_from_headline(commenter.headline),
        email=getattr(commenter, "email", "") or "",
        linkedin_url=getattr(commenter, "profile_url", "") or "",
    )


def deal_for(lead: Lead, connection: CrmConnection) -> Deal:
    name = lead.commenter.name or _("LinkedIn member")
    return Deal(
        # The lead's id makes the title unique, so a search by title finds our own deal.
        title=f"{name} (LinkedIn lead {lead.pk})",
        value=lead.value_eur,
        stage=connection.stage_map.get(lead.status, ""),
        status=lead.status,
    )


def note_for(lead: Lead) -> str:
    from apps.leads.selectors import lead_comments

    lines = [
        _("Lead from LinkedIn, found by TechLead AutoPilot (score %(score)s).")
        % {"score": lead.score}
    ]
    for comment in lead_comments(lead=lead):
        lines.append(f"\n“{comment.text}”")
        if comment.post_id and comment.post.linkedin_url:
            lines.append(_("On the post: %(url)s") % {"url": comment.post.linkedin_url})
    if lead.notes:
        lines.append("\n" + lead.notes)
    return "\n".join(lines)


def _save_id(record: CrmRecord, field: str, value: str) -> None:
    CrmRecord.objects.filter(pk=record.pk).update(**{field: value})
    setattr(record, field, value)


def _push_lead(
    client: CrmClient, connection: CrmConnection, lead: Lead, *, with_note: bool
) -> None:
    record, _created = CrmRecord.objects.get_or_create(
        workspace=lead.workspace, lead=lead, provider=connection.provider
    )
    person = person_for(lead)
    if record.contact_id:
        client.update_contact(record.contact_id, person)
    else:
        _save_id(record, "contact_id", client.find_contact(person) or client.create_contact(person))
    deal = deal_for(lead, connection)
    if record.deal_id:
        client.update_deal(record.deal_id, deal)
    else:
        deal_id = client.find_deal(deal.title)
        if deal_id:
            client.update_deal(deal_id, deal)
        else:
            deal_id = client.create_deal(deal, contact_id=record.contact_id)
        _save_id(record, "deal_id", deal_id)
    if with_note and not record.note_id:
        _save_id(
            record,
            "note_id",
            client.add_note(note_for(lead), contact_id=record.contact_id, deal_id=record.deal_id),
        )


@dataclass(frozen=True)
class PushOutcome:
    result: str  # "sent", "retry", "given up", "not due"
    retry_in: int | None = None  # seconds


def _finish(delivery: CrmDelivery, **fields) -> None:
    CrmDelivery.objects.filter(pk=delivery.pk).update(**fields)


def crm_push(*, delivery_id: int, workspace_id: int, now=None) -> PushOutcome:
    """Push one delivery. Claimed first (pending or due for retry -> sending), so running the
    task twice pushes once."""
    now = now or timezone.now()
    claimed = (
        CrmDelivery.objects.filter(pk=delivery_id, workspace_id=workspace_id)
        .filter(status__in=[CrmDelivery.Status.PENDING, CrmDelivery.Status.FAILED])
        .exclude(next_attempt_at__gt=now)
        .update(status=CrmDelivery.Status.SENDING)
    )
    if not claimed:
        return PushOutcome("not due")
    delivery = CrmDelivery.objects.select_related("connection", "workspace").get(
        pk=delivery_id, workspace_id=workspace_id
    )
    attempts = delivery.attempts + 1
    connection = delivery.connection
    lead = owned_for_task(Lead, workspace_id=workspace_id, pk=delivery.lead_id)
    if lead is not None:
        lead = Lead.objects.select_related("commenter", "workspace").get(pk=lead.pk)
    if lead is None or not connection.is_active:
        reason = _("The lead was deleted.") if lead is None else connection.status_reason
        _finish(delivery, status=CrmDelivery.Status.GIVEN_UP, attempts=attempts, error=reason[:300])
        return PushOutcome("given up")
    try:
        _push_lead(
            client_for(connection), connection, lead, with_note=delivery.event == "lead.detected"
        )
    except CrmAuthError as error:
        reason = _("%(crm)s refused the token: it was revoked or is wrong. Connect again.") % {
            "crm": connection.get_provider_display()
        }
        CrmConnection.objects.filter(pk=connection.pk, status=CrmConnection.Status.ACTIVE).update(
            status=CrmConnection.Status.REVOKED, status_reason=reason[:300], revoked_at=now
        )
        _finish(
            delivery, status=CrmDelivery.Status.GIVEN_UP, attempts=attempts, error=str(error)[:300]
        )
        return PushOutcome("given up")
    except CrmTransientError as error:
        if attempts >= MAX_ATTEMPTS:
            _finish(
                delivery,
                status=CrmDelivery.Status.GIVEN_UP,
                attempts=attempts,
                error=str(error)[:300],
            )
            return PushOutcome("given up")
        delay = max(int((BASE_DELAY * 2 ** (attempts - 1)).total_seconds()), error.retry_after or 0)
        _finish(
            delivery,
            status=CrmDelivery.Status.FAILED,
            attempts=attempts,
            error=str(error)[:300],
            next_attempt_at=now + timedelta(seconds=delay),
        )
        return PushOutcome("retry", retry_in=delay)
    except CrmError as error:
        _finish(
            delivery, status=CrmDelivery.Status.GIVEN_UP, attempts=attempts, error=str(error)[:300]
        )
        return PushOutcome("given up")
    _finish(
        delivery,
        status=CrmDelivery.Status.SENT,
        attempts=attempts,
        error="",
        sent_at=timezone.now(),
    )
    return PushOutcome("sent")


@transaction.atomic
def crm_redeliver(*, delivery: CrmDelivery, actor) -> CrmDelivery:
    """Push a given-up delivery again (after reconnecting, say)."""
    reset = (
        owned(CrmDelivery, workspace=delivery.workspace)
        .filter(pk=delivery.pk, status=CrmDelivery.Status.GIVEN_UP)
        .update(status=CrmDelivery.Status.PENDING, attempts=0, next_attempt_at=None, error="")
    )
    if not reset:
        raise CrmSetupError(_("Only deliveries that were given up can be sent again."))
    audit_record(
        action="crm.redelivered",
        actor=actor,
        workspace=delivery.workspace,
        target=delivery.event_key,
    )
    from apps.crm.tasks import push

    transaction.on_commit(lambda: push.delay(delivery.pk, delivery.workspace_id))
    delivery.refresh_from_db()
    return delivery
