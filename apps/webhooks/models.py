"""Outgoing webhooks: a workspace's endpoints, and the delivery log.

An event (a lead detected, a post published or failed) becomes one WebhookDelivery per active
endpoint subscribed to it. A delivery is retried with backoff until it succeeds or is given
up; an endpoint whose deliveries keep being given up is turned off and its owners are told.
"""

import json
import secrets
import uuid

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.accounts.tenancy import WorkspaceOwned
from apps.core.encryption import EncryptedTextField
from apps.notifications.models import WEBHOOK_EVENTS
from apps.webhooks.destinations import MAX_URL_LENGTH, validate_destination

# The webhook events are a part of the one event list (apps/notifications/models.py).
EventType = models.TextChoices(
    "EventType", [(event.name, (event.value, event.label)) for event in WEBHOOK_EVENTS]
)


# Sent on request from the settings page; not something an endpoint subscribes to.
PING = "ping"


def new_secret() -> str:
    return "whsec_" + secrets.token_urlsafe(32)


class WebhookEndpoint(WorkspaceOwned):
    url = models.URLField(_("URL"), max_length=MAX_URL_LENGTH, validators=[validate_destination])
    events = models.JSONField(_("events"), default=list)
    # The HMAC key. Shown once, when created or rotated; encrypted at rest.
    secret = EncryptedTextField(default=new_secret, editable=False)
    is_active = models.BooleanField(_("active"), default=True)
    # Given-up deliveries in a row (not single failed attempts: a retry that then succeeds
    # is an endpoint working as intended). Reset by any success.
    consecutive_failures = models.PositiveIntegerField(default=0)
    disabled_at = models.DateTimeField(null=True, blank=True)
    disabled_reason = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("webhook endpoint")
        verbose_name_plural = _("webhook endpoints")
        ordering = ["created_at", "id"]

    def __str__(self):
        return self.url

    def subscribes_to(self, event: str) -> bool:
        return event in self.events

    @property
    def event_labels(self) -> list[str]:
        labels = dict(EventType.choices)
        return [str(labels.get(event, event)) for event in self.events]


class WebhookDelivery(WorkspaceOwned):
    """One event for one endpoint, and how sending it went. `event_id` is the same for every
    endpoint and every attempt (the receiver's key for ignoring repeats)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SUCCEEDED = "succeeded", _("Delivered")
        FAILED = "failed", _("Failed, will retry")
        GIVEN_UP = "given_up", _("Given up")

    endpoint = models.ForeignKey(
        WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries"
    )
    event = models.CharField(max_length=40)
    event_id = models.UUIDField(default=uuid.uuid4)
    payload = models.JSONField()
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True, default=timezone.now)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["endpoint", "event_id"], name="one_delivery_per_endpoint_and_event"
            ),
        ]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"]),
            models.Index(fields=["workspace", "-created_at"]),
        ]

    def __str__(self):
        return f"{self.event} {self.event_id} → {self.endpoint_id} ({self.status})"

    @property
    def payload_json(self) -> str:
        return json.dumps(self.payload, indent=2, ensure_ascii=False)

    @property
    def can_redeliver(self) -> bool:
        return self.status in (self.Status.FAILED, self.Status.GIVEN_UP)
