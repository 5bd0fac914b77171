from celery import shared_task

from apps.analytics import collector


@shared_task(name="analytics.dispatch_snapshots")
def dispatch_snapshots() -> int:
    return collector.dispatch_snapshots()


@shared_task(name="analytics.collect_workspace_metrics")
def collect_workspace_metrics(workspace_id: int, post_ids: list[int]) -> int:
    return collector.collect(workspace_id=workspace_id, post_ids=post_ids)
