from celery import shared_task

from apps.crm import services


@shared_task(name="crm.push", bind=True)
def push(self, delivery_id: int, workspace_id: int) -> str:
    outcome = services.crm_push(delivery_id=delivery_id, workspace_id=workspace_id)
    if outcome.result == "retry":
        # The delivery row holds the state; this only wakes it up again when it is due.
        push.apply_async((delivery_id, workspace_id), countdown=outcome.retry_in)
    return outcome.result
