"""Sign-in auditing. Only database writes here: no network in signals."""

from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.dispatch import receiver

from apps.accounts.services import audit_record
from apps.core.http import client_ip


@receiver(user_logged_in)
def audit_sign_in(sender, request, user, **kwargs):
    audit_record(
        action="user.signed_in", actor=user, ip_address=client_ip(request) if request else None
    )


@receiver(user_login_failed)
def audit_failed_sign_in(sender, credentials, request=None, **kwargs):
    email = (credentials or {}).get("email") or (credentials or {}).get("username") or ""
    audit_record(
        action="user.sign_in_failed",
        actor=None,
        target=str(email)[:200],
        ip_address=client_ip(request) if request else None,
    )
