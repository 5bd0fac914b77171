from celery import shared_task

from apps.core.services import heartbeat_record


@shared_task(name="core.record_heartbeat")
def record_heartbeat(name: str = "beat") -> None:
    heartbeat_record(name=name)
