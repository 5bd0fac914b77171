from celery import shared_task

from apps.notifications import outbox, services


@shared_task(name="notifications.deliver")
def deliver(delivery_id: int, workspace_id: int) -> str:
    """One push or SMS delivery; claims its row, so a repeat does nothing."""
    return services.deliver(delivery_id=delivery_id, workspace_id=workspace_id)


@shared_task(name="notifications.dispatch_event")
def dispatch_event(event_id: int, workspace_id: int) -> str:
    """One recorded event to every channel; claims its row, so a repeat does nothing."""
    return outbox.dispatch(event_id=event_id, workspace_id=workspace_id)


@shared_task(name="notifications.sweep_outbox")
def sweep_outbox() -> int:
    """Events not yet delivered, and emails, pushes and texts not yet sent."""
    return outbox.sweep() + services.sweep_deliveries()
