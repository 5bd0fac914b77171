from celery import shared_task

from apps.accounts import services


@shared_task(name="accounts.prune_expired_invitations")
def prune_expired_invitations() -> int:
    return services.invitations_prune_expired()


@shared_task(name="accounts.prune_audit_log")
def prune_audit_log() -> int:
    return services.audit_log_prune()
