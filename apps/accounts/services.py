"""Writes for accounts and workspaces. Each function owns its transaction and its audit."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import get_random_string
from django.utils.text import slugify
from django.utils.translation import gettext as _

from apps.accounts.models import (
    AuditEvent,
    ExpertiseProfile,
    Invitation,
    Membership,
    Role,
    User,
    Workspace,
)
from apps.accounts.tenancy import across_workspaces, owned
from apps.core.branded_mail import send_branded
from apps.notifications import events


class AccountsError(Exception):
    """A request that breaks a rule of workspaces and memberships; the message is for users."""


# --- Audit -------------------------------------------------------------------------------


def audit_record(
    *,
    action: str,
    actor: User | None,
    workspace: Workspace | None = None,
    target: str = "",
    ip_address: str | None = None,
    **details,
) -> AuditEvent:
    row = audit_row(
        action=action,
        actor=actor,
        workspace=workspace,
        target=target,
        ip_address=ip_address,
        **details,
    )
    row.save(force_insert=True)
    return row


def audit_row(
    *,
    action: str,
    actor: User | None,
    workspace: Workspace | None = None,
    target: str = "",
    ip_address: str | None = None,
    **details,
) -> AuditEvent:
    """The unsaved AuditEvent that audit_record() writes: for a caller that writes it in a
    statement of its own (publishing's "published", on PostgreSQL) with the same values."""
    return AuditEvent(
        action=action,
        actor=actor if actor and actor.pk else None,
        actor_email=getattr(actor, "email", "") or "",
        workspace=workspace,
        target=str(target)[:200],
        ip_address=ip_address,
        details=details,
    )


# --- Workspaces ----------------------------------------------------------------------------


def _unique_slug(name: str) -> str:
    base = slugify(name)[:40] or "workspace"
    slug = base
    while Workspace.objects.filter(slug=slug).exists():
        slug = f"{base}-{get_random_string(5, 'abcdefghijkmnpqrstuvwxyz23456789')}"
    return slug


@transaction.atomic
def workspace_create(
    *, owner: User, name: str, timezone_name: str | None = None, ip_address: str | None = None
) -> Workspace:
    with across_workspaces(reason="creates a workspace: its slug is unique across all of them"):
        workspace = Workspace.objects.create(
            name=name, slug=_unique_slug(name), timezone=timezone_name or owner.timezone
        )
        Membership.objects.create(workspace=workspace, user=owner, role=Role.OWNER)
        ExpertiseProfile.objects.create(workspace=workspace, user=owner)
        audit_record(
            action="workspace.created",
            actor=owner,
            workspace=workspace,
            target=workspace.name,
            ip_address=ip_address,
        )
        return workspace


def workspace_create_personal(*, user: User, ip_address: str | None = None) -> Workspace:
    name = user.full_name or user.email.split("@")[0]
    return workspace_create(
        owner=user, name=_("%(name)s's workspace") % {"name": name}, ip_address=ip_address
    )


@transaction.atomic
def workspace_update(
    *, workspace: Workspace, actor: User, ip_address: str | None = None, **fields
) -> Workspace:
    # Compare with the stored row, not the instance: a bound ModelForm has already copied
    # the new values onto the instance it was given.
    stored = Workspace.objects.select_for_update().get(pk=workspace.pk)
    changed = {}
    for name, value in fields.items():
        old = getattr(stored, name)
        if old != value:
            changed[name] = {"from": old, "to": value}
            setattr(stored, name, value)
    if changed:
        stored.save(update_fields=list(changed))
        audit_record(
            action="workspace.settings_changed",
            actor=actor,
            workspace=stored,
            target=stored.name,
            ip_address=ip_address,
            changes=changed,
        )
    return stored


# --- Memberships ---------------------------------------------------------------------------


def _owner_count(workspace: Workspace) -> int:
    return Membership.objects.filter(workspace=workspace, role=Role.OWNER).count()


@transaction.atomic
def membership_change_role(
    *,
    membership: Membership,
    role: str,
    actor_membership: Membership,
    ip_address: str | None = None,
) -> Membership:
    if role not in Role.values:
        raise AccountsError(_("Unknown role."))
    touches_owner = Role.OWNER in (role, membership.role)
    if touches_owner and actor_membership.role != Role.OWNER:
        raise AccountsError(_("Only an owner can make or unmake owners."))
    if (
        membership.role == Role.OWNER
        and role != Role.OWNER
        and _owner_count(membership.workspace) == 1
    ):
        raise AccountsError(_("A workspace needs at least one owner."))
    old = membership.role
    if old == role:
        return membership
    membership.role = role
    membership.save(update_fields=["role"])
    audit_record(
        action="membership.role_changed",
        actor=actor_membership.user,
        workspace=membership.workspace,
        target=membership.user.email,
        ip_address=ip_address,
        **{"from": old, "to": role},
    )
    return membership


@transaction.atomic
def membership_remove(
    *, membership: Membership, actor_membership: Membership, ip_address: str | None = None
) -> None:
    if membership.role == Role.OWNER:
        if actor_membership.role != Role.OWNER:
            raise AccountsError(_("Only an owner can remove an owner."))
        if _owner_count(membership.workspace) == 1:
            raise AccountsError(_("A workspace needs at least one owner."))
    audit_record(
        action="membership.removed",
        actor=actor_membership.user,
        workspace=membership.workspace,
        target=membership.user.email,
        ip_address=ip_address,
        role=membership.role,
    )
    from apps.api.services import api_tokens_revoke_for_member

    api_tokens_revoke_for_member(
        workspace=membership.workspace,
        user=membership.user,
        actor=actor_membership.user,
        ip_address=ip_address,
    )
    membership.delete()


# --- Invitations ---------------------------------------------------------------------------


@transaction.atomic
def invitation_create(
    *,
    workspace: Workspace,
    email: str,
    role: str,
    actor_membership: Membership,
    ip_address: str | None = None,
) -> Invitation:
    email = email.strip().lower()
    if role == Role.OWNER and actor_membership.role != Role.OWNER:
        raise AccountsError(_("Only an owner can invite another owner."))
    if Membership.objects.filter(workspace=workspace, user__email__iexact=email).exists():
        raise AccountsError(_("%(email)s is already a member.") % {"email": email})
    # A fresh invitation replaces any earlier pending one for the same address.
    Invitation.objects.filter(
        workspace=workspace, email__iexact=email, accepted_at__isnull=True
    ).delete()
    invitation = Invitation.objects.create(
        workspace=workspace, email=email, role=role, invited_by=actor_membership.user
    )
    audit_record(
        action="invitation.sent",
        actor=actor_membership.user,
        workspace=workspace,
        target=email,
        ip_address=ip_address,
        role=role,
    )
    # Recorded with the invitation and mailed by the outbox after commit: a crash right
    # after the commit leaves it to the sweep instead of losing the email.
    events.invitation_sent(invitation=invitation)
    return invitation


def invitation_send_pending(*, workspace: Workspace, invitation_id: int, token: str) -> bool:
    """The outbox's delivery of an invitation: mailed while it is still pending (one replaced,
    accepted or expired in the meantime is not). Returns whether it was mailed."""
    invitation = (
        owned(Invitation, workspace=workspace)
        .filter(pk=invitation_id, accepted_at__isnull=True)
        .select_related("workspace", "invited_by")
        .first()
    )
    if invitation is None or invitation.is_expired:
        return False
    invitation.token = token
    invitation_send_email(invitation=invitation)
    return True


def invitation_send_email(*, invitation: Invitation) -> None:
    accept_url = settings.SITE_URL.rstrip("/") + reverse(
        "invitation_accept", args=[invitation.token]
    )
    context = {
        "invitation": invitation,
        "accept_url": accept_url,
        "inviter": invitation.invited_by,
        "valid_days": settings.INVITATION_VALID_DAYS,
    }
    subject = _("You're invited to %(workspace)s on TechLead AutoPilot") % {
        "workspace": invitation.workspace.name
    }
    send_branded(
        subject=subject,
        text=render_to_string("accounts/email/invitation.txt", context),
        to=[invitation.email],
        workspace_name=invitation.workspace.name,
    )


@transaction.atomic
def invitation_accept(
    *, invitation: Invitation, user: User, ip_address: str | None = None
) -> Membership:
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.accepted_at is not None:
        raise AccountsError(_("This invitation has already been used."))
    if invitation.is_expired:
        raise AccountsError(_("This invitation has expired. Ask for a new one."))
    if invitation.email.lower() != user.email.lower():
        raise AccountsError(
            _("This invitation was sent to %(email)s. Log in with that address to accept it.")
            % {"email": invitation.email}
        )
    membership, _created = Membership.objects.get_or_create(
        workspace=invitation.workspace, user=user, defaults={"role": invitation.role}
    )
    ExpertiseProfile.objects.get_or_create(workspace=invitation.workspace, user=user)
    invitation.accepted_at = timezone.now()
    invitation.save(update_fields=["accepted_at"])
    audit_record(
        action="invitation.accepted",
        actor=user,
        workspace=invitation.workspace,
        target=user.email,
        ip_address=ip_address,
        role=membership.role,
    )
    return membership


@transaction.atomic
def invitation_revoke(
    *, invitation: Invitation, actor: User, ip_address: str | None = None
) -> None:
    audit_record(
        action="invitation.revoked",
        actor=actor,
        workspace=invitation.workspace,
        target=invitation.email,
        ip_address=ip_address,
    )
    invitation.delete()


def invitations_prune_expired() -> int:
    with across_workspaces(reason="daily retention over every workspace"):
        deleted, _ = Invitation.objects.filter(
            accepted_at__isnull=True, expires_at__lt=timezone.now()
        ).delete()
        return deleted


def audit_log_prune(*, older_than_days: int | None = None) -> int:
    """Audit-log retention: drop events older than AUDIT_LOG_RETENTION_DAYS (730)."""
    with across_workspaces(reason="daily audit-log retention over every workspace"):
        days = older_than_days or settings.AUDIT_LOG_RETENTION_DAYS
        cutoff = timezone.now() - timedelta(days=days)
        deleted, _ = AuditEvent.objects.filter(created_at__lt=cutoff).delete()
        return deleted


# --- Profiles and personal settings --------------------------------------------------------


@transaction.atomic
def profile_update(
    *, profile: ExpertiseProfile, actor: User, ip_address: str | None = None, **fields
) -> ExpertiseProfile:
    for name, value in fields.items():
        setattr(profile, name, value)
    profile.save()
    audit_record(
        action="profile.updated",
        actor=actor,
        workspace=profile.workspace,
        target=profile.user.email,
        ip_address=ip_address,
        fields=sorted(fields),
    )
    return profile


@transaction.atomic
def user_update_preferences(
    *, user: User, full_name: str, timezone_name: str, ip_address: str | None = None
) -> User:
    user.full_name = full_name
    user.timezone = timezone_name
    user.save(update_fields=["full_name", "timezone"])
    audit_record(action="user.preferences_changed", actor=user, ip_address=ip_address)
    return user
