"""Thin tasks over apps/content/publishing.py and drafting.py; each re-scopes by workspace
and is idempotent."""

from celery import shared_task

from apps.content import drafting, publishing


@shared_task(name="content.dispatch_due_posts")
def dispatch_due_posts() -> int:
    return publishing.dispatch_due_posts()


@shared_task(name="content.publish_post", acks_late=True)
def publish_post(post_id: int, workspace_id: int, claim: str | None = None) -> str:
    return publishing.publish(post_id=post_id, workspace_id=workspace_id, claim=claim)


@shared_task(name="content.reconcile_post")
def reconcile_post(post_id: int, workspace_id: int) -> str:
    return publishing.reconcile(post_id=post_id, workspace_id=workspace_id)


@shared_task(name="content.reap_stuck_posts")
def reap_stuck_posts() -> int:
    return publishing.reap_stuck_posts()


@shared_task(name="content.post_first_comment")
def post_first_comment(step_id: int, workspace_id: int) -> str:
    return publishing.post_first_comment(step_id=step_id, workspace_id=workspace_id)


@shared_task(name="content.sweep_first_comments")
def sweep_first_comments() -> int:
    return publishing.sweep_first_comments()


# A week of drafts is up to 14 model calls of up to LLM_TIMEOUT_SECONDS each: far more than
# the default limits. The job stores each draft as it is written, so a stop keeps them.
@shared_task(name="content.write_drafts", acks_late=True, soft_time_limit=540, time_limit=600)
def write_drafts(job_id: int, workspace_id: int) -> str:
    return drafting.drafting_job_run(job_id=job_id, workspace_id=workspace_id)
