from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.accounts.tenancy import WorkspaceOwned
from apps.core.encryption import EncryptedTextField

# Scopes and the features that need them (contract §2, §3, §5). Only w_member_social is
# indispensable: without it nothing can be published.
SCOPE_PUBLISH = "w_member_social"
SCOPE_READ_COMMENTS = "r_member_social"
SCOPE_ANALYTICS = "r_member_postAnalytics"


class LinkedInConnection(WorkspaceOwned):
    """The workspace's LinkedIn member account and its tokens (encrypted at rest).

    One per workspace. Disconnecting wipes the tokens but keeps the row, so the member's
    name and URN stay attached to posts published before; reconnecting fills it again."""

    class Status(models.TextChoices):
        CONNECTED = "connected", _("Connected")
        NEEDS_RECONNECT = "needs_reconnect", _("Needs reconnect")
        DISCONNECTED = "disconnected", _("Disconnected")

    connected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    member_sub = models.CharField(max_length=64)
    member_urn = models.CharField(max_length=100)
    name = models.CharField(max_length=200, blank=True)
    email = models.EmailField(blank=True)
    picture_url = models.URLField(max_length=1000, blank=True)
    scopes = models.JSONField(default=list, blank=True)

    access_token = EncryptedTextField(blank=True, default="")
    access_token_expires_at = models.DateTimeField(null=True, blank=True)
    refresh_token = EncryptedTextField(blank=True, default="")
    refresh_token_expires_at = models.DateTimeField(null=True, blank=True)

    status = models.CharField(
        max_length=20, choices=Status.choices, default=Status.CONNECTED, db_index=True
    )
    status_reason = models.CharField(max_length=300, blank=True)
    connected_at = models.DateTimeField(default=timezone.now)
    last_refreshed_at = models.DateTimeField(null=True, blank=True)
    last_refresh_error = models.CharField(max_length=300, blank=True)
    # Days-before-expiry reminders already emailed for the current token (14, 7, 1).
    expiry_reminders_sent = models.JSONField(default=list, blank=True)

    class Meta:
        verbose_name = _("LinkedIn connection")
        verbose_name_plural = _("LinkedIn connections")
        constraints = [
            models.UniqueConstraint(fields=["workspace"], name="one_linkedin_per_workspace"),
        ]
        indexes = [models.Index(fields=["status", "access_token_expires_at"])]

    def __str__(self):
        return f"{self.name or self.member_urn} ({self.get_status_display()})"

    def has_scope(self, scope: str) -> bool:
        return scope in (self.scopes or [])

    @property
    def is_usable(self) -> bool:
        return (
            self.status == self.Status.CONNECTED
            and bool(self.access_token)
            and (
                self.access_token_expires_at is None
                or self.access_token_expires_at > timezone.now()
            )
        )
