"""Personal API tokens in the Authorization header: `Bearer tl_…` (or `Token tl_…`).

A bearer value without the tl_ prefix is left to the JWT class that follows in
REST_FRAMEWORK["DEFAULT_AUTHENTICATION_CLASSES"]."""

from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions

# DRF imports this module while Django loads models (settings name it), so models and
# services are imported inside the methods.

TOKEN_PREFIX = "tl_"  # noqa: S105 - a marker, not a secret
KEYWORDS = (b"bearer", b"token")


class ApiTokenAuthentication(authentication.BaseAuthentication):
    def authenticate(self, request):
        parts = authentication.get_authorization_header(request).split()
        if len(parts) != 2 or parts[0].lower() not in KEYWORDS:
            return None
        try:
            secret = parts[1].decode("ascii")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed(_("This API token is not valid.")) from None
        if not secret.startswith(TOKEN_PREFIX):
            if parts[0].lower() == b"token":
                raise exceptions.AuthenticationFailed(_("This API token is not valid."))
            return None  # a JWT
        from apps.accounts.tenancy import across_workspaces
        from apps.api import services

        # The token is found by its hash before any workspace is known (row-level security:
        # the one lookup of the API that spans workspaces).
        with across_workspaces(reason="an API token is found by its secret's hash"):
            token = services.api_token_for_secret(secret)
            if token is not None and token.user.is_active:
                services.api_token_record_use(token)
        if token is None or not token.user.is_active:
            raise exceptions.AuthenticationFailed(
                _("This API token is not valid, has expired or was revoked.")
            )
        return token.user, token

    def authenticate_header(self, request):
        # Makes DRF answer 401 (not 403) to a request without valid credentials.
        return 'Bearer realm="api"'
