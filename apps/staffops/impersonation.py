"""Every start and end of an impersonation goes into the audit log, with the superuser as
the actor and the impersonated user as the target."""

from django.dispatch import receiver
from hijack.signals import hijack_ended, hijack_started

from apps.accounts.services import audit_record
from apps.core.http import client_ip


@receiver(hijack_started, dispatch_uid="staffops_audit_hijack_started")
def audit_impersonation_started(sender, hijacker, hijacked, request, **kwargs):
    audit_record(
        action="staff.impersonation_started",
        actor=hijacker,
        target=hijacked.email,
        ip_address=client_ip(request),
        impersonated_user_id=hijacked.pk,
    )


@receiver(hijack_ended, dispatch_uid="staffops_audit_hijack_ended")
def audit_impersonation_ended(sender, hijacker, hijacked, request, **kwargs):
    audit_record(
        action="staff.impersonation_ended",
        actor=hijacker,
        target=hijacked.email,
        ip_address=client_ip(request),
        impersonated_user_id=hijacked.pk,
    )
