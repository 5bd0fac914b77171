"""Who an MCP call acts for: a personal API token, the way the REST API reads one.

The token is checked by the API's own service (hashed, not revoked, not expired, its user
active), its workspace is the only workspace the session sees, and the member's role there is
lowered to the token's role by apps/api/access.py, exactly as for a REST call. There is no
other way in: stdio reads the token from the environment, HTTP from the bearer header."""

from __future__ import annotations

import contextvars
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _

from apps.accounts.models import Membership, Role
from apps.accounts.tenancy import across_workspaces, membership_for
from apps.api import services as api_services
from apps.api.access import limited_by_token
from apps.api.authentication import TOKEN_PREFIX
from apps.api.models import ApiToken

TOKEN_ENV = "TECHLEAD_API_TOKEN"  # noqa: S105 - the variable's name, not a secret


class McpAuthError(Exception):
    """No usable token; the message is for the person configuring the assistant."""


@dataclass(frozen=True)
class Principal:
    token: ApiToken
    membership: Membership  # already limited to the token's role
    transport: str  # "stdio" or "http"

    @property
    def user(self):
        return self.membership.user

    @property
    def workspace(self):
        return self.membership.workspace

    def require_role(self, role: str, message: str | None = None) -> None:
        if not self.membership.has_role(role):
            raise PermissionDenied(
                message
                or _("This needs the %(role)s role or higher in this workspace.")
                % {"role": Role(role).label}
            )


# Who is calling (apps/mcp/server.py's Caller): set once per stdio process, per HTTP request.
current_caller: contextvars.ContextVar = contextvars.ContextVar("mcp_caller")


def principal_for_secret(secret: str, *, transport: str) -> Principal:
    secret = (secret or "").strip()
    if not secret.startswith(TOKEN_PREFIX):
        raise McpAuthError(_("Give a personal API token (it starts with tl_)."))
    # The token is found by its hash before any workspace is known.
    with across_workspaces(reason="an API token is found by its secret's hash"):
        token = api_services.api_token_for_secret(secret)
    if token is None or not token.user.is_active:
        raise McpAuthError(_("This API token is not valid, has expired or was revoked."))
    try:
        membership = membership_for(token.user, token.workspace.slug)
    except Http404:
        raise McpAuthError(_("This token's member has left its workspace.")) from None
    api_services.api_token_record_use(token)
    return Principal(
        token=token, membership=limited_by_token(membership, token), transport=transport
    )
