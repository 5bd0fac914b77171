"""Events other apps announce by signal, recorded as domain events (connected in
WebhooksConfig.ready); apps/notifications/outbox.py sends them to the webhooks."""

from django.dispatch import receiver

from apps.linkedin.signals import needs_reconnect, token_expiring
from apps.notifications import events


@receiver(token_expiring, dispatch_uid="webhooks.token_expiring")
def linkedin_token_expiring(
    sender, connection, threshold: int, days_left: int, notice: dict | None = None, **kwargs
) -> None:
    events.token_expiring(
        connection=connection, threshold=threshold, days_left=days_left, notice=notice
    )


@receiver(needs_reconnect, dispatch_uid="webhooks.linkedin_needs_reconnect")
def linkedin_needs_reconnect(sender, connection, flagged_at, notice: dict, **kwargs) -> None:
    events.linkedin_needs_reconnect(connection=connection, at=flagged_at, notice=notice)
