from celery import shared_task

from apps.leads import ingestion


@shared_task(name="leads.dispatch_comment_scans")
def dispatch_comment_scans() -> int:
    return ingestion.dispatch_scans()


@shared_task(name="leads.scan_post_comments")
def scan_post_comments(post_id: int, workspace_id: int) -> int:
    return ingestion.scan_post(post_id=post_id, workspace_id=workspace_id)


@shared_task(name="leads.send_due_digests")
def send_due_digests() -> int:
    from apps.leads.digests import send_due_digests as send

    return send()


@shared_task(name="leads.escalate_waiting_leads")
def escalate_waiting_leads() -> int:
    from apps.leads.digests import escalate_waiting_leads as escalate

    return escalate()


@shared_task(name="leads.purge_expired_commenters")
def purge_expired_commenters() -> int:
    from apps.leads.services import purge_expired_commenters as purge

    return purge()


@shared_task(name="leads.process_inbound_message")
def process_inbound_message(message_id: int, workspace_id: int) -> str:
    from apps.leads.mail_inbound import inbound_process

    return inbound_process(message_id=message_id, workspace_id=workspace_id)


@shared_task(name="leads.refit_lead_calibration")
def refit_lead_calibration(workspace_id: int) -> int:
    """Refit a workspace's lead calibration from its answers; idempotent. Returns the number
    of answers it was fitted on (0 when the workspace is gone)."""
    from apps.accounts.tenancy import workspace_for_task
    from apps.leads.services import calibration_refit

    workspace = workspace_for_task(workspace_id)
    if workspace is None:
        return 0
    return calibration_refit(workspace=workspace).answers
