from celery import shared_task

from apps.webhooks import services


@shared_task(name="webhooks.deliver")
def deliver(delivery_id: int, workspace_id: int) -> str:
    return services.deliver(delivery_id=delivery_id, workspace_id=workspace_id)


@shared_task(name="webhooks.retry_due")
def retry_due() -> int:
    return services.retry_due()


@shared_task(name="webhooks.purge_deliveries")
def purge_deliveries() -> int:
    return services.purge_deliveries()
