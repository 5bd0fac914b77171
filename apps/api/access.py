"""What every workspace endpoint of the API adds to apps/accounts/tenancy.py.

- The workspace comes from the URL (`/api/v1/w/<workspace_slug>/...`) and the user must be a
  member: otherwise 404, as everywhere.
- A personal token works only in its own workspace: elsewhere it gets the same 404 as any
  outsider, even where its user happens to be a member too.
- A token never has more than its role, nor more than its user's role there today.
- A role too low is a 403 that says which role it takes.
"""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import permissions
from rest_framework.exceptions import PermissionDenied

from apps.accounts.models import ROLE_RANK, Membership, Role
from apps.accounts.tenancy import WORKSPACE_URL_KWARG, WorkspaceTransaction, membership_for
from apps.api.models import ApiToken


class TokenWorkspaceMatches(permissions.BasePermission):
    """Runs before anything looks at the workspace, so a token used on another workspace's
    URL learns nothing, not even whether its user could see it."""

    def has_permission(self, request, view):
        token = request.auth
        if isinstance(token, ApiToken) and token.workspace.slug != view.kwargs.get(
            WORKSPACE_URL_KWARG
        ):
            raise Http404
        return True


def role_denied(role: str) -> PermissionDenied:
    return PermissionDenied(
        _("This needs the %(role)s role or higher in this workspace.") % {"role": Role(role).label}
    )


def limited_by_token(membership: Membership, auth) -> Membership:
    """The membership as a token may use it: the lower of the token's and the member's role.
    An unsaved copy, so nothing can write the lowered role back."""
    if not isinstance(auth, ApiToken) or ROLE_RANK[auth.role] >= ROLE_RANK[membership.role]:
        return membership
    return Membership(
        pk=membership.pk,
        workspace=membership.workspace,
        user=membership.user,
        role=auth.role,
        created_at=membership.created_at,
    )


class WorkspaceApiAccess(WorkspaceTransaction):
    """Mix into a viewset before WorkspaceScopedViewSet (rows a workspace owns) or before a
    plain GenericViewSet (reads that are not rows of one model). Sets `self.workspace` and
    `self.membership`; unsafe methods need `write_role`."""

    permission_classes = [permissions.IsAuthenticated, TokenWorkspaceMatches]
    write_role = Role.EDITOR

    def initial(self, request, *args, **kwargs):
        try:
            super().initial(request, *args, **kwargs)
        except DjangoPermissionDenied:
            raise role_denied(self.write_role) from None
        if not hasattr(self, "membership"):  # not a WorkspaceScopedViewSet
            self.membership = membership_for(request.user, kwargs[WORKSPACE_URL_KWARG])
            self.workspace = self.membership.workspace
        self.membership = limited_by_token(self.membership, request.auth)
        if request.method not in permissions.SAFE_METHODS:
            self.require_role(self.write_role)

    def require_role(self, role: str, message: str | None = None) -> None:
        if not self.membership.has_role(role):
            if message:
                raise PermissionDenied(message)
            raise role_denied(role)
