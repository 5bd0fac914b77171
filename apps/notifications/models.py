"""In-app notifications, members' channel preferences, and the delivery log.

One pipeline: an event becomes one Notification per recipient; each channel the recipient
wants (in the app always, email by preference) is a Delivery row. Later channels (webhook,
push, SMS) are more Delivery rows, not another mechanism."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.accounts.tenancy import WorkspaceOwned


class Event(models.TextChoices):
    POST_PUBLISHED = "post.published", _("A post was published")
    POST_FAILED = "post.failed", _("A post failed to publish")
    POST_NEEDS_CHECK = "post.needs_check", _("A post needs a check")
    POST_WAITING = "post.waiting", _("A scheduled post is waiting")
    WEBHOOK_DISABLED = "webhook.disabled", _("A webhook endpoint was turned off")
    # Lead alerts have their own email rules (threshold, quiet hours, daily cap); the
    # notification pipeline carries their in-app copy.
    LEAD_DETECTED = "lead.detected", _("A new lead was detected")


# Email by default for what needs a person; a success is in-app only unless asked for.
EMAIL_BY_DEFAULT = {
    Event.POST_FAILED,
    Event.POST_NEEDS_CHECK,
    Event.POST_WAITING,
    Event.WEBHOOK_DISABLED,
}


class Notification(WorkspaceOwned):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    event = models.CharField(max_length=40, choices=Event.choices)
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    url = models.CharField(max_length=300, blank=True)
    # Same event about the same thing is not repeated to the same person (e.g. "waiting").
    dedupe_key = models.CharField(max_length=120, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["workspace", "user", "read_at"])]

    def __str__(self):
        return self.title


class Preference(WorkspaceOwned):
    """A member's choice for one event: email or not (the app always shows it)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    event = models.CharField(max_length=40, choices=Event.choices)
    email = models.BooleanField(default=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "user", "event"], name="one_preference_per_event"
            ),
        ]

    def __str__(self):
        return f"{self.user} {self.event} email={self.email}"


class Delivery(WorkspaceOwned):
    """The delivery log: one row per notification and channel."""

    class Channel(models.TextChoices):
        IN_APP = "in_app", _("In the app")
        EMAIL = "email", _("Email")

    class Status(models.TextChoices):
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    notification = models.ForeignKey(
        Notification, on_delete=models.CASCADE, related_name="deliveries"
    )
    channel = models.CharField(max_length=20, choices=Channel.choices)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.SENT)
    error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self):
        return f"{self.notification_id} {self.channel} {self.status}"
