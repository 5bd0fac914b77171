"""Writes for LinkedIn connections: connect, disconnect, refresh, expiry reminders.

Token rules (contract §1.3): refresh only where LinkedIn gave a refresh token; an answer that
says the grant is dead marks the connection "needs reconnect" and tells the owners; network
errors and 5xx never disconnect anybody, they are retried later; and a refresh answer
without a refresh token never wipes the one we have.
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.accounts.models import Role
from apps.accounts.services import audit_record
from apps.accounts.tenancy import workspace_atomic
from apps.linkedin.client import LinkedInClient, LinkedInError, LinkedInOAuthError, person_urn
from apps.linkedin.models import LinkedInConnection
from apps.linkedin.signals import needs_reconnect, token_expiring

logger = logging.getLogger(__name__)

STATE_SESSION_KEY = "linkedin_oauth"
STATE_MAX_AGE = timedelta(minutes=30)  # LinkedIn's authorization codes live as long


class ConnectError(Exception):
    """Connecting failed; the message is for the user."""


@dataclass(frozen=True)
class PendingConnect:
    state: str
    user_id: int
    workspace_id: int
    created_at: float


def redirect_uri() -> str:
    # One fixed callback, registered with LinkedIn; the workspace travels in the state.
    return settings.SITE_URL.rstrip("/") + reverse("linkedin_callback")


def connect_start(*, session, user, workspace) -> str:
    """Bind a fresh `state` to this session, user and workspace; return LinkedIn's URL."""
    state = secrets.token_urlsafe(32)
    session[STATE_SESSION_KEY] = {
        "state": state,
        "user_id": user.pk,
        "workspace_id": workspace.pk,
        "created_at": timezone.now().timestamp(),
    }
    return LinkedInClient().authorization_url(state, redirect_uri(), requested_scopes())


def requested_scopes() -> list[str]:
    """What Connect asks for: the self-serve scopes plus those the app is approved for."""
    scopes: list[str] = []
    for scope in [*settings.LINKEDIN_SCOPES, *settings.LINKEDIN_APPROVED_SCOPES]:
        if scope not in scopes:
            scopes.append(scope)
    return scopes


def connect_pop_pending(*, session, state: str | None, user) -> PendingConnect:
    """The connect this callback belongs to. Raises ConnectError when the state is missing,
    foreign, stale or another user's: nobody can finish a connect they did not start."""
    pending = session.pop(STATE_SESSION_KEY, None)
    if not pending or not state or not secrets.compare_digest(pending["state"], state):
        raise ConnectError(
            _("That LinkedIn answer does not match a connection you started. Please try again.")
        )
    if pending["user_id"] != user.pk:
        raise ConnectError(_("That LinkedIn answer belongs to another sign-in. Please try again."))
    age = timezone.now().timestamp() - pending["created_at"]
    if age > STATE_MAX_AGE.total_seconds():
        raise ConnectError(_("The connection took too long. Please try again."))
    return PendingConnect(**pending)


def _expiry(seconds: int | None):
    return timezone.now() + timedelta(seconds=seconds) if seconds else None


def connect_complete(
    *, workspace, user, code: str, ip_address: str | None = None
) -> LinkedInConnection:
    """Exchange the code, read who the member is, and store the connection. LinkedIn is
    called first, outside any transaction; only the storing is atomic."""
    client = LinkedInClient()
    try:
        grant = client.exchange_code(code, redirect_uri())
        # A brand-new token can be refused as revoked for a few seconds (contract §1.6).
        profile = LinkedInClient(grant.access_token, activation_grace_seconds=10).userinfo()
    except LinkedInError as error:
        logger.warning(
            "LinkedIn connect failed for workspace %s: %s", workspace.pk, type(error).__name__
        )
        raise ConnectError(
            _("LinkedIn did not complete the connection (%(reason)s). Please try again.")
            % {"reason": error}
        ) from error

    with workspace_atomic(workspace.pk, user_id=user.pk):
        return _connection_store(
            workspace=workspace, user=user, grant=grant, profile=profile, ip_address=ip_address
        )


def _connection_store(*, workspace, user, grant, profile, ip_address) -> LinkedInConnection:
    connection = LinkedInConnection.objects.select_for_update().filter(
        workspace=workspace
    ).first() or LinkedInConnection(workspace=workspace)
    previous_member = connection.member_urn if connection.pk else None
    connection.connected_by = user
    connection.member_sub = profile["sub"]
    connection.member_urn = person_urn(profile["sub"])
    connection.name = profile.get("name") or ""
    connection.email = profile.get("email") or ""
    connection.picture_url = profile.get("picture") or ""
    connection.scopes = grant.scopes
    connection.access_token = grant.access_token
    connection.access_token_expires_at = _expiry(grant.expires_in)
    if grant.refresh_token:
        connection.refresh_token = grant.refresh_token
        connection.refresh_token_expires_at = _expiry(grant.refresh_token_expires_in)
    connection.status = LinkedInConnection.Status.CONNECTED
    connection.status_reason = ""
    connection.connected_at = timezone.now()
    connection.last_refresh_error = ""
    connection.expiry_reminders_sent = []
    connection.save()
    audit_record(
        action="linkedin.connected",
        actor=user,
        workspace=workspace,
        target=connection.name or connection.member_urn,
        ip_address=ip_address,
        scopes=grant.scopes,
        reconnected=previous_member is not None,
        member_changed=bool(previous_member and previous_member != connection.member_urn),
    )
    return connection


@transaction.atomic
def disconnect(*, connection: LinkedInConnection, actor, ip_address: str | None = None) -> None:
    connection.access_token = ""
    connection.refresh_token = ""
    connection.access_token_expires_at = None
    connection.refresh_token_expires_at = None
    connection.status = LinkedInConnection.Status.DISCONNECTED
    connection.status_reason = _("Disconnected by %(who)s.") % {"who": actor.email}
    connection.save()
    audit_record(
        action="linkedin.disconnected",
        actor=actor,
        workspace=connection.workspace,
        target=connection.name or connection.member_urn,
        ip_address=ip_address,
    )


def _managers_notice(
    connection: LinkedInConnection, *, subject: str, template: str, body: str = "", **context
) -> dict:
    """What owners and admins are told (in the app, and by email as they chose): the
    notice of an event announced by signal and delivered by the outbox after commit."""
    path = reverse("linkedin_settings", kwargs={"workspace_slug": connection.workspace.slug})
    email = render_to_string(
        template,
        {"connection": connection, "settings_url": settings.SITE_URL.rstrip("/") + path, **context},
    )
    return {
        "title": subject,
        "body": body,
        "url": path,
        "roles": [Role.OWNER, Role.ADMIN],
        "email_text": email,
    }


def mark_needs_reconnect(*, connection: LinkedInConnection, reason: str) -> bool:
    """Flag a dead grant once; owners and admins are told on the first flag only."""
    with transaction.atomic():
        changed = LinkedInConnection.objects.filter(
            pk=connection.pk, status=LinkedInConnection.Status.CONNECTED
        ).update(status=LinkedInConnection.Status.NEEDS_RECONNECT, status_reason=reason[:300])
        if changed:
            connection.refresh_from_db()
            audit_record(
                action="linkedin.needs_reconnect",
                actor=None,
                workspace=connection.workspace,
                target=connection.name,
                reason=reason,
            )
            # Higher apps turn it into the event (recorded with this change); LinkedIn code
            # does not know them.
            needs_reconnect.send(
                sender=LinkedInConnection,
                connection=connection,
                flagged_at=timezone.now(),
                notice=_managers_notice(
                    connection,
                    subject=_("Reconnect LinkedIn for %(workspace)s")
                    % {"workspace": connection.workspace.name},
                    template="linkedin/email/needs_reconnect.txt",
                    body=reason[:300],
                ),
            )
    return bool(changed)


# A forced refresh (staff, from the admin) is skipped when one happened this recently, so a
# double click or a task delivered twice refreshes once.
FORCED_REFRESH_MIN_INTERVAL = timedelta(minutes=1)


def refresh_access_token(*, connection: LinkedInConnection, force: bool = False) -> str:
    """Refresh one connection's token. Returns "refreshed", "needs_reconnect", "retry_later"
    or "skipped". Safe to run twice: a second run finds a fresh token and skips.

    `force` refreshes a token that is not yet close to expiry (staff use it when LinkedIn
    revoked a token early or to check the refresh path), but not one refreshed a minute ago."""
    with transaction.atomic():
        locked = LinkedInConnection.objects.select_for_update().get(pk=connection.pk)
        if force:
            due = not (
                locked.last_refreshed_at
                and locked.last_refreshed_at > timezone.now() - FORCED_REFRESH_MIN_INTERVAL
            )
        else:
            due = _expires_within(locked, days=settings.LINKEDIN_REFRESH_BEFORE_DAYS)
        if (
            locked.status != LinkedInConnection.Status.CONNECTED
            or not locked.refresh_token
            or not due
        ):
            return "skipped"
        refresh_token = locked.refresh_token
    try:
        grant = LinkedInClient().refresh(refresh_token)
    except LinkedInOAuthError as error:
        if error.needs_reauthorization:
            mark_needs_reconnect(
                connection=connection,
                reason=_("LinkedIn no longer accepts the stored authorization (%(code)s).")
                % {"code": error.error},
            )
            return "needs_reconnect"
        _record_refresh_error(connection, error)
        return "retry_later"
    except LinkedInError as error:
        _record_refresh_error(connection, error)
        return "retry_later"

    with transaction.atomic():
        locked = LinkedInConnection.objects.select_for_update().get(pk=connection.pk)
        locked.access_token = grant.access_token
        locked.access_token_expires_at = _expiry(grant.expires_in)
        # LinkedIn may answer without a refresh token; never trade ours for nothing.
        if grant.refresh_token:
            locked.refresh_token = grant.refresh_token
            if grant.refresh_token_expires_in:
                locked.refresh_token_expires_at = _expiry(grant.refresh_token_expires_in)
        locked.last_refreshed_at = timezone.now()
        locked.last_refresh_error = ""
        locked.expiry_reminders_sent = []
        locked.save()
    return "refreshed"


def _record_refresh_error(connection, error) -> None:
    LinkedInConnection.objects.filter(pk=connection.pk).update(
        last_refresh_error=f"{type(error).__name__}: {error}"[:300]
    )


def _expires_within(connection, *, days: int) -> bool:
    expires = connection.access_token_expires_at
    return expires is not None and expires <= timezone.now() + timedelta(days=days)


def send_expiry_reminder(*, connection: LinkedInConnection) -> int | None:
    """Email owners and admins once per threshold (14, 7, 1 days) before a token that cannot
    be refreshed expires. Returns the threshold reminded of, or None."""
    if connection.status != LinkedInConnection.Status.CONNECTED or connection.refresh_token:
        return None
    expires = connection.access_token_expires_at
    if expires is None:
        return None
    days_left = (expires - timezone.now()).total_seconds() / 86400
    due = [d for d in settings.LINKEDIN_EXPIRY_REMINDER_DAYS if days_left <= d]
    if not due or days_left <= 0:
        return None
    threshold = min(due)
    with transaction.atomic():
        locked = LinkedInConnection.objects.select_for_update().get(pk=connection.pk)
        if threshold in locked.expiry_reminders_sent:
            return None
        # Sending the 7-day reminder also settles the 14-day one: never two at once.
        locked.expiry_reminders_sent = sorted(set(locked.expiry_reminders_sent) | set(due))
        locked.save(update_fields=["expiry_reminders_sent"])
        # Higher apps turn it into the one `token.expiring` event (members and webhooks),
        # recorded with this change; LinkedIn code does not know them.
        token_expiring.send(
            sender=LinkedInConnection,
            connection=locked,
            threshold=threshold,
            days_left=max(1, round(days_left)),
            notice=_managers_notice(
                locked,
                subject=_("LinkedIn for %(workspace)s disconnects in %(days)s day(s)")
                % {"workspace": locked.workspace.name, "days": max(1, round(days_left))},
                template="linkedin/email/expiry_reminder.txt",
                days_left=max(1, round(days_left)),
            ),
        )
    return threshold
