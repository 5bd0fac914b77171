"""A new password ends every app sign-in and every personal API token (unless the member,
changing their own password, chose to keep the tokens). Database writes only: no network in
signals."""

from allauth.account.signals import password_changed, password_reset, password_set
from django.dispatch import receiver

from apps.api.services import api_tokens_revoke_for_user, jwt_revoke_all
from apps.core.http import client_ip

# Set on the user by PasswordChangeForm when the member ticks "keep my API tokens".
KEEP_API_TOKENS_ATTRIBUTE = "_keep_api_tokens_on_password_change"


@receiver(password_changed)
@receiver(password_set)
@receiver(password_reset)
def revoke_app_sign_ins(sender, request, user, signal, **kwargs):
    ip_address = client_ip(request) if request else None
    jwt_revoke_all(user=user, reason="password changed", ip_address=ip_address)
    # A reset comes from a forgotten (or stolen) password: the tokens always go then.
    keep = signal is password_changed and getattr(user, KEEP_API_TOKENS_ATTRIBUTE, False)
    if not keep:
        api_tokens_revoke_for_user(user=user, reason="password changed", ip_address=ip_address)
