"""Reads for accounts and workspaces. Every tenant read takes `workspace=`."""

from django.db.models import QuerySet

from apps.accounts.models import (
    AuditEvent,
    ExpertiseProfile,
    Invitation,
    Membership,
    invitation_token_hash,
)
from apps.accounts.tenancy import across_workspaces, owned


def memberships_of_user(*, user) -> list[Membership]:
    """The workspaces a user can switch between, for the switcher and the home redirect.
    A list, read at once: the user's own memberships span workspaces."""
    with across_workspaces(reason="the signed-in user's own memberships, in every workspace"):
        return list(
            Membership.objects.filter(user=user)
            .select_related("workspace")
            .order_by("workspace__name")
        )


def workspace_members(*, workspace) -> QuerySet[Membership]:
    return owned(Membership, workspace=workspace).select_related("user").order_by("user__email")


def pending_invitations(*, workspace) -> QuerySet[Invitation]:
    return (
        owned(Invitation, workspace=workspace)
        .filter(accepted_at__isnull=True)
        .select_related("invited_by")
        .order_by("-created_at")
    )


def profile_of_member(*, workspace, user) -> ExpertiseProfile:
    profile, _ = owned(ExpertiseProfile, workspace=workspace).get_or_create(
        workspace=workspace, user=user
    )
    return profile


def audit_events(*, workspace, limit: int = 200) -> QuerySet[AuditEvent]:
    return AuditEvent.objects.filter(workspace=workspace).select_related("actor")[:limit]


def invitation_by_token(*, token: str) -> Invitation | None:
    """The invitation an email link points at. The token is the secret and carries no
    workspace; it is looked up across workspaces on purpose."""
    with across_workspaces(reason="an invitation is found by its secret token before membership"):
        return (
            Invitation.objects.select_related("workspace", "invited_by")
            .filter(token_hash=invitation_token_hash(token))
            .first()
        )
