from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.accounts.tenancy import WorkspaceOwned


class MetricSnapshot(WorkspaceOwned):
    """A published post's figures at one moment. Impressions and reach are None where
    LinkedIn does not let the app read post analytics (social metadata has no such figures)."""

    class Source(models.TextChoices):
        ANALYTICS = "analytics", _("LinkedIn post analytics")
        SOCIAL_METADATA = "social_metadata", _("LinkedIn social metadata")
        # Figures from the member's own analytics export, not read through the API.
        IMPORT = "import", _("Imported from LinkedIn's analytics export")

    post = models.ForeignKey("content.Post", on_delete=models.CASCADE, related_name="snapshots")
    captured_at = models.DateTimeField(default=timezone.now)
    impressions = models.PositiveIntegerField(null=True, blank=True)
    members_reached = models.PositiveIntegerField(null=True, blank=True)
    reactions = models.PositiveIntegerField(default=0)
    comments = models.PositiveIntegerField(default=0)
    reshares = models.PositiveIntegerField(null=True, blank=True)
    source = models.CharField(max_length=20, choices=Source.choices, default=Source.ANALYTICS)

    class Meta:
        ordering = ["captured_at"]
        indexes = [
            models.Index(fields=["workspace", "post", "-captured_at"]),
            models.Index(fields=["workspace", "captured_at"]),
            # The dashboard asks, for each post of two periods, whether its latest figures
            # were imported: imported snapshots are few, so this index is small and the
            # question no longer reads every snapshot of the workspace.
            models.Index(
                fields=["workspace", "post", "captured_at"],
                name="snapshot_imported_idx",
                condition=models.Q(source="import"),
            ),
        ]

    def __str__(self):
        return f"{self.post_id} @ {self.captured_at:%Y-%m-%d %H:%M}"

    @property
    def engagement(self) -> int:
        return self.reactions + self.comments + (self.reshares or 0)
