"""JWT for app clients (djangorestframework-simplejwt): a user's sign-in, not a workspace's.

- Obtain with email and password, plus the code from the authenticator app when the account
  has two-factor authentication on: an app sign-in must not be a way around it.
- Access tokens live 5 minutes, refresh tokens 7 days; each refresh rotates the refresh token
  and blacklists the old one.
- Every token carries a hash of the password hash (SIMPLE_JWT["CHECK_REVOKE_TOKEN"]): after a
  password change neither access nor refresh tokens issued before it work, and signals.py
  also blacklists the outstanding refresh tokens.
"""

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib.auth import authenticate, get_user_model
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, serializers
from rest_framework_simplejwt import serializers as jwt_serializers
from rest_framework_simplejwt.settings import api_settings
from rest_framework_simplejwt.tokens import RefreshToken
from rest_framework_simplejwt.utils import get_md5_hash_password


def _valid_second_factor(user, code: str) -> bool:
    for authenticator in Authenticator.objects.filter(
        user=user, type__in=(Authenticator.Type.TOTP, Authenticator.Type.RECOVERY_CODES)
    ):
        if authenticator.wrap().validate_code(code):
            authenticator.record_usage()
            return True
    return False


class TokenObtainPairSerializer(serializers.Serializer):
    # Not an EmailField: an address that could not be anyone's simply does not sign in.
    email = serializers.CharField(write_only=True, max_length=254)
    password = serializers.CharField(write_only=True, style={"input_type": "password"})
    otp = serializers.CharField(
        write_only=True,
        required=False,
        allow_blank=True,
        max_length=64,
        help_text=_("The authenticator app's code (or a recovery code), when two-factor is on."),
    )
    access = serializers.CharField(read_only=True)
    refresh = serializers.CharField(read_only=True)

    failed = _("No active account found with the given credentials.")

    def validate(self, attrs):
        request = self.context.get("request")
        user = authenticate(
            getattr(request, "_request", request),
            email=attrs["email"],
            password=attrs["password"],
        )
        if user is None or not user.is_active:
            raise exceptions.AuthenticationFailed(self.failed, "no_active_account")
        if (
            settings.ACCOUNT_EMAIL_VERIFICATION == "mandatory"
            and not EmailAddress.objects.filter(user=user, verified=True).exists()
        ):
            raise exceptions.AuthenticationFailed(
                _("Confirm your email address first."), "email_not_verified"
            )
        if Authenticator.objects.filter(user=user).exists():
            code = attrs.get("otp", "").strip()
            if not code:
                raise serializers.ValidationError(
                    {"otp": [_("Two-factor authentication is on: send the code as “otp”.")]}
                )
            if not _valid_second_factor(user, code):
                raise exceptions.AuthenticationFailed(
                    _("That two-factor code is not valid."), "invalid_otp"
                )
        refresh = RefreshToken.for_user(user)
        return {"refresh": str(refresh), "access": str(refresh.access_token)}


class TokenRefreshSerializer(jwt_serializers.TokenRefreshSerializer):
    """simplejwt's refresh, which also refuses a refresh token issued before the user's last
    password change, and a deleted user's (simplejwt itself answers that with a 500)."""

    def validate(self, attrs):
        refresh = RefreshToken(attrs["refresh"])
        user_id = refresh.payload.get(api_settings.USER_ID_CLAIM)
        user = get_user_model().objects.filter(**{api_settings.USER_ID_FIELD: user_id}).first()
        if user is None or not user.is_active:
            raise exceptions.AuthenticationFailed(
                _("No active account found for the given token."), "no_active_account"
            )
        if refresh.payload.get(api_settings.REVOKE_TOKEN_CLAIM) != get_md5_hash_password(
            user.password
        ):
            raise exceptions.AuthenticationFailed(
                _("The password has changed since this token was issued."), "password_changed"
            )
        return super().validate(attrs)


class TokenRevokeSerializer(serializers.Serializer):
    refresh = serializers.CharField(write_only=True)

    def validate(self, attrs):
        RefreshToken(attrs["refresh"]).blacklist()
        return {}
