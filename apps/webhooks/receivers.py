"""Events other apps announce by signal, recorded as domain events (connected in
WebhooksConfig.ready); apps/notifications/outbox.py sends them to the webhooks."""

from django.dispatch import receiver

from apps.linkedin.signals import token_expiring
from apps.notifications import events


@receiver(token_expiring, dispatch_uid="webhooks.token_expiring")
def linkedin_token_expiring(sender, connection, threshold: int, days_left: int, **kwargs) -> None:
    events.token_expiring(connection=connection, threshold=threshold, days_left=days_left)
