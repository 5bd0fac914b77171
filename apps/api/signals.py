"""A new password ends every app sign-in. Database writes only: no network in signals."""

from allauth.account.signals import password_changed, password_reset, password_set
from django.dispatch import receiver

from apps.api.services import jwt_revoke_all
from apps.core.http import client_ip


@receiver(password_changed)
@receiver(password_set)
@receiver(password_reset)
def revoke_app_sign_ins(sender, request, user, **kwargs):
    jwt_revoke_all(
        user=user,
        reason="password changed",
        ip_address=client_ip(request) if request else None,
    )
