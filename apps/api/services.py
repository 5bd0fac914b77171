"""Writes for the API: personal tokens (create, revoke, record use) and ending a user's JWTs.
Each function owns its transaction and its audit."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.accounts.models import ROLE_RANK, Membership, Role
from apps.accounts.services import audit_record
from apps.accounts.tenancy import across_workspaces, owned
from apps.api.authentication import TOKEN_PREFIX
from apps.api.models import ApiToken

# Characters of the secret kept in clear (with TOKEN_PREFIX) to tell tokens apart.
VISIBLE_CHARS = 8
# last_used_at is written at most this often per token: one UPDATE a minute, not one a call.
LAST_USED_RESOLUTION = timedelta(minutes=1)
EXPIRY_CHOICES_DAYS = (30, 90, 365)


class ApiTokenError(Exception):
    """A token request that breaks a rule; the message is for users."""


@dataclass(frozen=True)
class NewApiToken:
    token: ApiToken
    secret: str  # shown once, never stored


def secret_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@transaction.atomic
def api_token_create(
    *,
    membership: Membership,
    name: str,
    role: str,
    expires_in_days: int | None = None,
    ip_address: str | None = None,
) -> NewApiToken:
    name = name.strip()
    if not name:
        raise ApiTokenError(_("Give the token a name, e.g. the script that will use it."))
    if role not in Role.values:
        raise ApiTokenError(_("Unknown role."))
    if ROLE_RANK[role] > ROLE_RANK[membership.role]:
        raise ApiTokenError(_("A token cannot have a higher role than your own."))
    if expires_in_days is not None and expires_in_days not in EXPIRY_CHOICES_DAYS:
        raise ApiTokenError(_("Choose one of the offered lifetimes."))
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    now = timezone.now()
    token = ApiToken.objects.create(
        workspace=membership.workspace,
        user=membership.user,
        name=name[:80],
        role=role,
        prefix=secret[: len(TOKEN_PREFIX) + VISIBLE_CHARS],
        secret_hash=secret_hash(secret),
        created_at=now,
        expires_at=now + timedelta(days=expires_in_days) if expires_in_days else None,
    )
    audit_record(
        action="api_token.created",
        actor=membership.user,
        workspace=membership.workspace,
        target=token.name,
        ip_address=ip_address,
        prefix=token.prefix,
        role=role,
        expires_at=token.expires_at.isoformat() if token.expires_at else None,
    )
    return NewApiToken(token=token, secret=secret)


@transaction.atomic
def api_token_revoke(*, token: ApiToken, actor, ip_address: str | None = None) -> ApiToken:
    """Revoke a token; revoking it again changes nothing and records nothing."""
    revoked = ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    token.refresh_from_db(fields=["revoked_at"])
    if revoked:
        audit_record(
            action="api_token.revoked",
            actor=actor,
            workspace=token.workspace,
            target=token.name,
            ip_address=ip_address,
            prefix=token.prefix,
            owner=token.user.email,
        )
    return token


def api_tokens_revoke_for_member(*, workspace, user, actor, ip_address: str | None = None) -> int:
    """Revoke every active token a member made in a workspace, when they leave it. (They
    would answer 404 anyway; revoked, they say why in the tokens list and the audit log.)"""
    revoked = (
        owned(ApiToken, workspace=workspace)
        .filter(user=user, revoked_at__isnull=True)
        .update(revoked_at=timezone.now())
    )
    if revoked:
        audit_record(
            action="api_token.revoked",
            actor=actor,
            workspace=workspace,
            target=user.email,
            ip_address=ip_address,
            reason="member removed",
            count=revoked,
        )
    return revoked


def api_tokens_revoke_for_user(*, user, reason: str, ip_address: str | None = None) -> int:
    """Revoke every active token of this user, in every workspace: a new password ends what
    the old one may have let someone make. Tokens belong to their user across workspaces,
    so this is one of the few writes that is not scoped to a single workspace."""
    with across_workspaces(reason="the user's own API tokens, in every workspace"):
        now = timezone.now()
        with transaction.atomic():
            live = list(
                ApiToken.objects.filter(user=user, revoked_at__isnull=True)
                .select_related("workspace")
                .order_by("workspace_id", "pk")
            )
            ApiToken.objects.filter(pk__in=[token.pk for token in live]).update(revoked_at=now)
            per_workspace: dict = {}
            for token in live:
                per_workspace.setdefault(token.workspace, []).append(token.prefix)
            for workspace, prefixes in per_workspace.items():
                audit_record(
                    action="api_token.revoked",
                    actor=user,
                    workspace=workspace,
                    target=user.email,
                    ip_address=ip_address,
                    reason=reason,
                    count=len(prefixes),
                    prefixes=prefixes,
                )
        return len(live)


def api_token_for_secret(secret: str) -> ApiToken | None:
    """The active token with this secret, or None. The lookup is by hash, so the secret is
    never compared character by character."""
    if not secret.startswith(TOKEN_PREFIX):
        return None
    token = (
        ApiToken.objects.select_related("user", "workspace")
        .filter(secret_hash=secret_hash(secret))
        .first()
    )
    if token is None or not token.is_active:
        return None
    return token


def api_token_record_use(token: ApiToken, *, now=None) -> None:
    """Set last_used_at, cheaply: nothing while the stored time is under a minute old, and a
    conditional UPDATE otherwise, so parallel calls write it once."""
    now = now or timezone.now()
    if token.last_used_at and now - token.last_used_at < LAST_USED_RESOLUTION:
        return
    ApiToken.objects.filter(pk=token.pk).filter(
        Q(last_used_at__isnull=True) | Q(last_used_at__lte=now - LAST_USED_RESOLUTION)
    ).update(last_used_at=now)
    token.last_used_at = now


# --- JWT -------------------------------------------------------------------------------------


def jwt_sessions_count(*, user) -> int:
    """Refresh tokens of this user that still work: apps signed in."""
    from rest_framework_simplejwt.token_blacklist.models import OutstandingToken

    return (
        OutstandingToken.objects.filter(user=user, expires_at__gt=timezone.now())
        .filter(blacklistedtoken__isnull=True)
        .count()
    )


@transaction.atomic
def jwt_revoke_all(*, user, reason: str, ip_address: str | None = None) -> int:
    """Blacklist every refresh token of this user that still works, so every app client has
    to sign in again. Access tokens die within minutes anyway; after a password change they
    are refused at once (SIMPLE_JWT["CHECK_REVOKE_TOKEN"])."""
    from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken

    live = list(
        OutstandingToken.objects.filter(
            user=user, expires_at__gt=timezone.now(), blacklistedtoken__isnull=True
        )
    )
    BlacklistedToken.objects.bulk_create(
        [BlacklistedToken(token=token) for token in live], ignore_conflicts=True
    )
    if live:
        audit_record(
            action="api.app_sessions_revoked",
            actor=user,
            ip_address=ip_address,
            count=len(live),
            reason=reason,
        )
    return len(live)
