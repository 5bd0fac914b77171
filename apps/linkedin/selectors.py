"""Reads for LinkedIn connections, and the words the settings page uses for their state."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.accounts.tenancy import owned
from apps.linkedin.models import SCOPE_PUBLISH, LinkedInConnection


def connection_for(*, workspace) -> LinkedInConnection | None:
    return owned(LinkedInConnection, workspace=workspace).first()


def connections_due_for_refresh() -> QuerySet[LinkedInConnection]:
    horizon = timezone.now() + timedelta(days=settings.LINKEDIN_REFRESH_BEFORE_DAYS)
    return (
        LinkedInConnection.objects.filter(
            status=LinkedInConnection.Status.CONNECTED, access_token_expires_at__lte=horizon
        )
        .exclude(refresh_token="")
        .only("pk", "workspace_id")
    )


def connections_due_for_reminder() -> QuerySet[LinkedInConnection]:
    horizon = timezone.now() + timedelta(days=max(settings.LINKEDIN_EXPIRY_REMINDER_DAYS))
    return LinkedInConnection.objects.filter(
        status=LinkedInConnection.Status.CONNECTED,
        refresh_token="",
        access_token_expires_at__lte=horizon,
        access_token_expires_at__gt=timezone.now(),
    ).select_related("workspace")


@dataclass
class ConnectionState:
    """What a user needs to know about their LinkedIn connection, in words."""

    level: str  # "ok", "warn" or "bad": the badge colour
    headline: str
    detail: str = ""


def connection_state(connection: LinkedInConnection | None) -> ConnectionState:
    if connection is None or connection.status == LinkedInConnection.Status.DISCONNECTED:
        return ConnectionState(
            "warn",
            _("Not connected"),
            _("Connect LinkedIn so posts can be published and comments read."),
        )
    if connection.status == LinkedInConnection.Status.NEEDS_RECONNECT:
        return ConnectionState(
            "bad",
            _("Needs reconnect"),
            connection.status_reason
            or _("LinkedIn no longer accepts our authorization. Reconnect to keep publishing."),
        )
    now = timezone.now()
    expires = connection.access_token_expires_at
    if expires is not None and expires <= now:
        return ConnectionState(
            "bad",
            _("Expired"),
            _("The LinkedIn authorization has expired. Reconnect to keep publishing."),
        )
    state = ConnectionState("ok", _("Connected"))
    if expires is not None:
        days = (expires - now).days
        if connection.refresh_token:
            state.detail = _("Renews automatically before it expires.")
        elif days <= max(settings.LINKEDIN_EXPIRY_REMINDER_DAYS):
            state.level = "warn"
            state.detail = _(
                "Expires in %(days)s days. LinkedIn requires you to reconnect every 60 days."
            ) % {"days": days}
        else:
            state.detail = _("Expires in %(days)s days.") % {"days": days}
    # What each feature can do (comment reading, analytics...) is said by capabilities.py;
    # a token without permission to post is a connection to renew.
    if not connection.has_scope(SCOPE_PUBLISH):
        state.level = "bad"
    return state
