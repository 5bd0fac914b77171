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
