from django.db import models
from django.utils.translation import gettext_lazy as _


class Heartbeat(models.Model):
    """Last time a periodic process proved it is alive (beat writes "beat" every minute)."""

    name = models.CharField(max_length=40, unique=True)
    last_seen_at = models.DateTimeField()

    class Meta:
        verbose_name = _("heartbeat")
        verbose_name_plural = _("heartbeats")

    def __str__(self):
        return f"{self.name} @ {self.last_seen_at:%Y-%m-%d %H:%M:%S}"


class OutboundEmail(models.Model):
    """An email kept instead of sent, when no EMAIL_URL is configured (development, demo).

    Staff read them at /dev/mail/ so verification and invitation links can be clicked."""

    subject = models.CharField(max_length=255)
    from_email = models.CharField(max_length=255)
    to = models.TextField(help_text="Comma-separated recipients")
    body_text = models.TextField(blank=True)
    body_html = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("kept email")
        verbose_name_plural = _("kept emails")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.subject} → {self.to}"
