from celery import shared_task

from apps.leads import ingestion


@shared_task(name="leads.dispatch_comment_scans")
def dispatch_comment_scans() -> int:
    return ingestion.dispatch_scans()


@shared_task(name="leads.scan_post_comments")
def scan_post_comments(post_id: int, workspace_id: int) -> int:
    return ingestion.scan_post(post_id=post_id, workspace_id=workspace_id)
