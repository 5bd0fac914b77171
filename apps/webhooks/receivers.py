"""Events other apps announce, turned into webhooks (connected in WebhooksConfig.ready)."""

from django.dispatch import receiver

from apps.linkedin.signals import token_expiring
from apps.webhooks.services import emit_token_expiring


@receiver(token_expiring, dispatch_uid="webhooks.token_expiring")
def linkedin_token_expiring(sender, connection, threshold: int, days_left: int, **kwargs) -> None:
    emit_token_expiring(connection=connection, threshold=threshold, days_left=days_left)
