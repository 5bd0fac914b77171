from celery import shared_task

from apps.notifications import services


@shared_task(name="notifications.deliver")
def deliver(delivery_id: int, workspace_id: int) -> str:
    """One push or SMS delivery; claims its row, so a repeat does nothing."""
    return services.deliver(delivery_id=delivery_id, workspace_id=workspace_id)
