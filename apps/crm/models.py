"""A workspace's CRM: one connection (HubSpot or Pipedrive) with its token encrypted, the
remote ids of what was pushed for each lead, and the delivery log.

Remote ids are kept so a push is an update the second time, never a second contact or deal;
each delivery is keyed by its event, so the same event is pushed once however often it is
enqueued."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.accounts.tenancy import WorkspaceOwned
from apps.core.encryption import EncryptedTextField


class Provider(models.TextChoices):
    HUBSPOT = "hubspot", "HubSpot"
    PIPEDRIVE = "pipedrive", "Pipedrive"


class CrmConnection(WorkspaceOwned):
    class Status(models.TextChoices):
        ACTIVE = "active", _("Connected")
        REVOKED = "revoked", _("Token revoked or invalid")

    provider = models.CharField(_("CRM"), max_length=20, choices=Provider.choices)
    token = EncryptedTextField(_("API token"))
    # Lead status ("new", "qualified", ...) -> the CRM's deal stage id, as the owner set it.
    stage_map = models.JSONField(_("stage mapping"), default=dict, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    status_reason = models.CharField(max_length=300, blank=True)
    connected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("CRM connection")
        verbose_name_plural = _("CRM connections")
        constraints = [
            models.UniqueConstraint(fields=["workspace"], name="crm_one_connection_per_workspace")
        ]

    def __str__(self):
        return f"{self.get_provider_display()} ({self.workspace_id})"

    @property
    def is_active(self) -> bool:
        return self.status == self.Status.ACTIVE


class CrmRecord(WorkspaceOwned):
    """What one lead is in one CRM. Each id is saved the moment the CRM returns it."""

    lead = models.ForeignKey("leads.Lead", on_delete=models.CASCADE, related_name="crm_records")
    provider = models.CharField(max_length=20, choices=Provider.choices)
    contact_id = models.CharField(max_length=64, blank=True)
    deal_id = models.CharField(max_length=64, blank=True)
    note_id = models.CharField(max_length=64, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["lead", "provider"], name="crm_record_per_lead")
        ]


class CrmDelivery(WorkspaceOwned):
    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed, will retry")
        GIVEN_UP = "given_up", _("Given up")

    connection = models.ForeignKey(
        CrmConnection, on_delete=models.CASCADE, related_name="deliveries"
    )
    lead = models.ForeignKey("leads.Lead", on_delete=models.CASCADE, related_name="+")
    event = models.CharField(max_length=40)
    # "lead.detected:42", "lead.stage_changed:42:qualified:<time>": one delivery per event.
    event_key = models.CharField(max_length=160)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("CRM delivery")
        verbose_name_plural = _("CRM deliveries")
        constraints = [
            models.UniqueConstraint(
                fields=["connection", "event_key"], name="crm_delivery_once_per_event"
            )
        ]
        indexes = [models.Index(fields=["status", "next_attempt_at"])]
