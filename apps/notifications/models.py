"""In-app notifications, members' channel preferences, push devices and phones, and the one
delivery log.

One pipeline (services.notify): an event becomes one Notification per recipient, and each
channel that carries it to that recipient (in the app always; email, push and SMS by
preference; the workspace's webhooks) is a Delivery row with its own status and error."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.accounts.tenancy import WorkspaceOwned


class Event(models.TextChoices):
    """The one list of domain events. Members choose channels for MEMBER_EVENTS; a
    workspace's webhooks subscribe to WEBHOOK_EVENTS (apps/webhooks/models.py's EventType)."""

    LEAD_DETECTED = "lead.detected", _("A new lead was detected")
    LEAD_STAGE_CHANGED = "lead.stage_changed", _("A lead moved to another stage")
    LEAD_WAITING = "lead.waiting", _("A lead is still waiting for an answer")
    LINKEDIN_NEEDS_RECONNECT = "linkedin.needs_reconnect", _("LinkedIn needs reconnecting")
    POST_APPROVAL_REQUESTED = "post.approval_requested", _("A post waits for your approval")
    POST_FAILED = "post.failed", _("A post failed to publish")
    POST_NEEDS_CHECK = "post.needs_check", _("A post needs a check")
    POST_WAITING = "post.waiting", _("A scheduled post is waiting")
    POST_PUBLISHED = "post.published", _("A post was published")
    TOKEN_EXPIRING = "token.expiring", _("The LinkedIn connection expires soon")
    WEBHOOK_DISABLED = "webhook.disabled", _("A webhook endpoint was turned off")
    # Mail to one person, sent by the outbox's own handler (no preferences, no webhooks):
    # recorded with the change that makes it due, so a crash after commit loses none.
    DIGEST_DUE = "digest.due", _("The morning lead digest is due")
    INVITATION_SENT = "invitation.sent", _("An invitation was sent")


# Told to members (the preferences grid), and sent to webhooks and the CRM.
MEMBER_EVENTS = (
    Event.LEAD_DETECTED,
    Event.LEAD_WAITING,
    Event.POST_APPROVAL_REQUESTED,
    Event.POST_FAILED,
    Event.POST_NEEDS_CHECK,
    Event.POST_WAITING,
    Event.POST_PUBLISHED,
    Event.TOKEN_EXPIRING,
    Event.LINKEDIN_NEEDS_RECONNECT,
    Event.WEBHOOK_DISABLED,
)
WEBHOOK_EVENTS = (
    Event.LEAD_DETECTED,
    Event.LEAD_STAGE_CHANGED,
    Event.POST_PUBLISHED,
    Event.POST_FAILED,
    Event.TOKEN_EXPIRING,
)


class Channel(models.TextChoices):
    IN_APP = "in_app", _("In the app")
    EMAIL = "email", _("Email")
    PUSH = "push", _("Push")
    SMS = "sms", _("SMS")
    WEBHOOK = "webhook", _("Webhook")


# The channels a member chooses per event. In the app is always on; webhooks belong to the
# workspace (each endpoint picks its events), not to a member.
MEMBER_CHANNELS = (Channel.EMAIL, Channel.PUSH, Channel.SMS)

# What a member gets before choosing: email for what needs a person, push where acting fast
# matters, SMS for leads (only the hottest, and only with a verified phone).
DEFAULT_CHANNELS = {
    Event.LEAD_DETECTED: {Channel.EMAIL, Channel.PUSH, Channel.SMS},
    Event.LEAD_WAITING: {Channel.EMAIL, Channel.PUSH},
    Event.POST_APPROVAL_REQUESTED: {Channel.EMAIL, Channel.PUSH},
    Event.POST_FAILED: {Channel.EMAIL, Channel.PUSH},
    Event.POST_NEEDS_CHECK: {Channel.EMAIL},
    Event.POST_WAITING: {Channel.EMAIL},
    Event.POST_PUBLISHED: set(),
    Event.TOKEN_EXPIRING: {Channel.EMAIL},
    Event.LINKEDIN_NEEDS_RECONNECT: {Channel.EMAIL},
    Event.WEBHOOK_DISABLED: {Channel.EMAIL},
}

# Alerts rationed by the member's quiet hours and daily cap (set with their lead alerts):
# they are the ones that come often. The rest are rare and ask for action, so they go at once.
RATIONED_EVENTS = {Event.LEAD_DETECTED}

# A text message costs money and wakes people: only for leads (and only above the member's
# SMS score, higher than their alert threshold).
SMS_EVENTS = {Event.LEAD_DETECTED}

# Why an alert was held back from every channel but the app.
HELD_QUIET_HOURS = "quiet hours"
HELD_DAILY_CAP = "daily cap"


class Notification(WorkspaceOwned):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    event = models.CharField(max_length=40, choices=Event.choices)
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    url = models.CharField(max_length=300, blank=True)
    # The same event about the same thing (a lead, a post) reaches a person once, whatever
    # the channels: the constraint below settles races between workers.
    dedupe_key = models.CharField(max_length=120, blank=True)
    # Set when quiet hours or the daily cap kept it to the app (and the morning digest).
    held_reason = models.CharField(max_length=40, blank=True)
    # The email's text where the event has its own (a lead's comment, an approval link);
    # empty: a generic email from title, body and link.
    email_text = models.TextField(blank=True)
    sms_text = models.CharField(max_length=320, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["workspace", "user", "read_at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "user", "event", "dedupe_key"],
                condition=~Q(dedupe_key=""),
                name="one_notification_per_dedupe_key",
            ),
        ]

    def __str__(self):
        return self.title


class Preference(WorkspaceOwned):
    """A member's choice for one event and one channel. No row: DEFAULT_CHANNELS."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    event = models.CharField(max_length=40, choices=Event.choices)
    channel = models.CharField(max_length=20, choices=Channel.choices, default=Channel.EMAIL)
    enabled = models.BooleanField(default=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "user", "event", "channel"],
                name="one_preference_per_event_and_channel",
            ),
        ]

    def __str__(self):
        return f"{self.user} {self.event} {self.channel}={self.enabled}"


class PushSubscription(WorkspaceOwned):
    """One device (browser or installed app) of one member that accepts Web Push."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="push_subscriptions"
    )
    endpoint = models.URLField(max_length=1000)
    # The browser's keys for encrypting the payload to it (RFC 8291), base64url.
    p256dh = models.CharField(max_length=200)
    auth = models.CharField(max_length=100)
    user_agent = models.CharField(max_length=300, blank=True)
    label = models.CharField(_("device name"), max_length=100, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_success_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "endpoint"], name="one_push_subscription_per_endpoint"
            ),
        ]

    def __str__(self):
        return self.label or self.user_agent[:60] or self.endpoint[:60]


class PhoneNumber(WorkspaceOwned):
    """A member's mobile number for SMS alerts, in E.164, usable once a code proved it."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    number = models.CharField(_("mobile number"), max_length=16)
    verified_at = models.DateTimeField(null=True, blank=True)
    # The last code sent, hashed; it expires and allows a few tries.
    code_hash = models.CharField(max_length=128, blank=True)
    code_sent_at = models.DateTimeField(null=True, blank=True)
    code_expires_at = models.DateTimeField(null=True, blank=True)
    code_attempts = models.PositiveSmallIntegerField(default=0)
    sms_enabled = models.BooleanField(_("send me SMS alerts"), default=True)
    sms_threshold = models.PositiveSmallIntegerField(
        _("only for leads scoring at least"),
        default=90,
        help_text=_("Keep this above your alert threshold: SMS is for the hottest leads."),
    )
    # The provider said the number opted out (the person replied STOP).
    opted_out_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["workspace", "user"], name="one_phone_per_member"),
        ]

    def __str__(self):
        return self.masked

    @property
    def masked(self) -> str:
        return self.number[:3] + "•" * max(0, len(self.number) - 6) + self.number[-3:]

    @property
    def can_receive_sms(self) -> bool:
        return bool(self.verified_at and self.sms_enabled and not self.opted_out_at)


class Delivery(WorkspaceOwned):
    """The delivery log: one row per notification, channel and target (a device, a phone,
    a webhook endpoint), with how it went."""

    Channel = Channel

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting to be sent")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        HELD = "held", _("Held back")

    notification = models.ForeignKey(
        Notification, on_delete=models.CASCADE, related_name="deliveries", null=True, blank=True
    )
    # The member it was for; empty for a webhook (it goes to the workspace's endpoint).
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    event = models.CharField(max_length=40, blank=True)
    channel = models.CharField(max_length=20, choices=Channel.choices)
    target = models.CharField(max_length=300, blank=True)  # shown in the log, never secret
    push_subscription = models.ForeignKey(
        PushSubscription, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # A webhook's attempts, retries and giving up live in the webhooks app; this row points
    # at it so the one log shows its current state.
    webhook_delivery = models.ForeignKey(
        "webhooks.WebhookDelivery",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.SENT)
    error = models.CharField(max_length=300, blank=True)
    # Email, push and SMS are retried with backoff (services.deliver): the sends tried so
    # far, and when the next may start (while "sending": when the sender's lease runs out).
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["workspace", "user", "-created_at"]),
            # The sweep's query: deliveries waiting or whose sender's lease ran out.
            models.Index(fields=["status", "next_attempt_at"], name="delivery_due_idx"),
        ]

    def __str__(self):
        return f"{self.notification_id} {self.channel} {self.status}"

    @property
    def status_label(self) -> str:
        if self.webhook_delivery_id and self.webhook_delivery:
            return str(self.webhook_delivery.get_status_display())
        return str(self.get_status_display())

    @property
    def failed(self) -> bool:
        if self.webhook_delivery_id and self.webhook_delivery:
            return self.webhook_delivery.status in ("failed", "given_up")
        return self.status == self.Status.FAILED

    @property
    def shown_error(self) -> str:
        if self.webhook_delivery_id and self.webhook_delivery:
            return self.webhook_delivery.last_error
        return self.error


class OutboxEvent(WorkspaceOwned):
    """A domain event, written in the same transaction as the change that caused it and
    delivered afterwards by apps/notifications/outbox.py to every channel (the app, email,
    push, SMS, webhooks, the CRM). A worker that dies after the change committed leaves the
    row pending; the beat sweep delivers it then. `key` names the event instance: recording
    the same key twice is one event."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting to be delivered")
        DELIVERED = "delivered", _("Delivered")
        FAILED = "failed", _("Not delivered after every retry")

    event = models.CharField(max_length=40)
    key = models.CharField(max_length=160)
    # For members (notify()'s arguments: title, body, url, user ids, ...); empty: none.
    notice = models.JSONField(default=dict, blank=True)
    # For the workspace's webhooks and CRM; empty: the event is not sent there.
    data = models.JSONField(default=dict, blank=True)
    # The idempotency key of the webhook and CRM channels, where several events of one kind
    # are one delivery there (every comment of a lead is one lead.detected webhook).
    channel_key = models.CharField(max_length=160, blank=True)
    # A member channel with rules of its own (lead alerts: each member's threshold).
    handler = models.CharField(max_length=40, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    last_error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "key"], name="one_outbox_event_per_key"),
        ]
        indexes = [models.Index(fields=["status", "next_attempt_at"])]

    def __str__(self):
        return f"{self.event} {self.key} ({self.status})"
