"""The morning digest and the escalation of leads left waiting.

Both are found by beat every 15 minutes and claimed with a conditional update, so each
member gets at most one digest per local day and each lead escalates once, however often
the task runs or however many workers run it."""

from __future__ import annotations

import zoneinfo
from datetime import time, timedelta

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from apps.accounts.models import Role
from apps.accounts.tenancy import across_workspaces, owned
from apps.core.branded_mail import send_branded
from apps.leads.models import AlertSettings, Lead, LeadSettings
from apps.leads.services import lead_path
from apps.notifications import events

DIGEST_AT = time(8, 0)
STATUS_LINK_SALT = "leads.status-link"
STATUS_LINK_MAX_AGE = timedelta(days=7)


def status_link(*, lead: Lead, user, status: str) -> str:
    token = signing.dumps({"l": lead.pk, "u": user.pk, "s": status}, salt=STATUS_LINK_SALT)
    return settings.SITE_URL.rstrip("/") + reverse("lead_status_link", args=[token])


def read_status_link(token: str) -> dict | None:
    try:
        return signing.loads(token, salt=STATUS_LINK_SALT, max_age=STATUS_LINK_MAX_AGE)
    except signing.BadSignature:  # includes expired
        return None


def send_due_digests(*, now=None) -> int:
    with across_workspaces(reason="beat dispatcher: digests due in every workspace"):
        now = now or timezone.now()
        sent = 0
        rows = AlertSettings.objects.filter(digest=True, user__is_active=True).select_related(
            "user", "workspace"
        )
        for row in rows:
            local = now.astimezone(zoneinfo.ZoneInfo(row.user.timezone))
            if local.time() < DIGEST_AT or row.last_digest_on == local.date():
                continue
            with transaction.atomic():
                claimed = (
                    AlertSettings.objects.filter(pk=row.pk)
                    .exclude(last_digest_on=local.date())
                    .update(last_digest_on=local.date())
                )
                if not claimed:
                    continue
                leads = list(
                    owned(Lead, workspace=row.workspace)
                    .filter(created_at__gte=now - timedelta(hours=24), score__gte=row.threshold)
                    .exclude(status=Lead.Status.NOT_A_LEAD)
                    .select_related("commenter")
                    .order_by("-score")[:20]
                )
                if not leads:
                    continue
                # Recorded with the claim and mailed by the outbox after commit: a worker
                # killed right after the commit leaves the digest to the sweep, not lost.
                events.digest_due(
                    alert_settings=row, day=local.date(), lead_ids=[lead.pk for lead in leads]
                )
                sent += 1
        return sent


def send_digest(*, workspace, alert_settings_id: int, lead_ids: list[int]) -> bool:
    """The outbox's delivery of a digest that fell due: the leads chosen then, as they are
    now (one deleted since is left out). Returns whether a mail went out."""
    row = (
        owned(AlertSettings, workspace=workspace)
        .filter(pk=alert_settings_id, user__is_active=True)
        .select_related("user", "workspace")
        .first()
    )
    if row is None:
        return False
    leads = list(
        owned(Lead, workspace=workspace)
        .filter(pk__in=lead_ids)
        .select_related("commenter")
        .order_by("-score", "pk")
    )
    if not leads:
        return False
    _send_digest(row, leads)
    return True


def _send_digest(row: AlertSettings, leads: list[Lead]) -> None:
    user = row.user
    items = [
        {
            "lead": lead,
            "url": settings.SITE_URL.rstrip("/") + lead_path(lead),
            "contacted_url": status_link(lead=lead, user=user, status=Lead.Status.CONTACTED),
            "not_a_lead_url": status_link(lead=lead, user=user, status=Lead.Status.NOT_A_LEAD),
        }
        for lead in leads
    ]
    context = {"user": user, "workspace": row.workspace, "items": items}
    language = row.workspace and _language_of(row)
    with translation.override(language):
        subject = _("%(n)d new lead(s) for %(workspace)s") % {
            "n": len(items),
            "workspace": row.workspace.name,
        }
        send_branded(
            subject=subject,
            text=render_to_string("leads/email/digest.txt", context),
            to=[user.email],
            workspace_name=row.workspace.name,
            content_html=render_to_string("leads/email/digest.html", context),
        )


def _language_of(row: AlertSettings) -> str:
    from apps.accounts.models import ExpertiseProfile

    profile = owned(ExpertiseProfile, workspace=row.workspace).filter(user=row.user).first()
    return profile.language if profile else settings.LANGUAGE_CODE


def escalate_waiting_leads(*, now=None) -> int:
    with across_workspaces(reason="beat dispatcher: waiting leads of every workspace"):
        now = now or timezone.now()
        escalated = 0
        for rules in LeadSettings.objects.select_related("workspace"):
            cutoff = now - timedelta(hours=rules.escalate_after_hours)
            for lead in (
                owned(Lead, workspace=rules.workspace)
                .filter(
                    status=Lead.Status.NEW,
                    escalated_at__isnull=True,
                    created_at__lte=cutoff,
                    score__gte=rules.alert_threshold,
                )
                .select_related("commenter")
            ):
                with transaction.atomic():
                    if not Lead.objects.filter(pk=lead.pk, escalated_at__isnull=True).update(
                        escalated_at=now
                    ):
                        continue
                    url = settings.SITE_URL.rstrip("/") + lead_path(lead)
                    body = _(
                        "%(who)s (score %(score)d) has been waiting for an answer for more "
                        "than %(hours)d hours.\n\n%(url)s"
                    ) % {
                        "who": lead.commenter.name or _("A LinkedIn member"),
                        "score": lead.score,
                        "hours": rules.escalate_after_hours,
                        "url": url,
                    }
                    # Owners and admins, on the channels each chose (email and push by
                    # default), delivered after commit by the outbox.
                    events.lead_waiting(
                        lead=lead,
                        notice={
                            "title": _("A lead is still waiting for you"),
                            "body": body.split("\n\n")[0],
                            "url": lead_path(lead),
                            "roles": [Role.OWNER, Role.ADMIN],
                            "dedupe_key": f"lead-waiting:{lead.pk}",
                            "email_text": body,
                        },
                    )
                    escalated += 1
        return escalated
