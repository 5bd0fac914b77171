from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from apps.accounts.models import Role
from apps.accounts.tenancy import owned
from apps.notifications import push, sms
from apps.notifications.models import (
    DEFAULT_CHANNELS,
    MEMBER_CHANNELS,
    MEMBER_EVENTS,
    SMS_EVENTS,
    Channel,
    Delivery,
    Notification,
    PhoneNumber,
    Preference,
    PushSubscription,
)


def notifications_for(*, workspace, user, limit: int = 100) -> QuerySet[Notification]:
    return owned(Notification, workspace=workspace).filter(user=user)[:limit]


def unread_count(*, workspace, user) -> int:
    return owned(Notification, workspace=workspace).filter(user=user, read_at__isnull=True).count()


def push_devices(*, workspace, user) -> QuerySet[PushSubscription]:
    return owned(PushSubscription, workspace=workspace).filter(user=user)


def phone_of(*, workspace, user) -> PhoneNumber | None:
    return owned(PhoneNumber, workspace=workspace).filter(user=user).first()


@dataclass(frozen=True)
class ChannelState:
    channel: str
    label: str
    available: bool
    why_not: str = ""


def channel_states(
    *, workspace, user, devices: list, phone: PhoneNumber | None
) -> list[ChannelState]:
    """Each member channel, and in words why one cannot be used yet."""
    states = [ChannelState(Channel.EMAIL, Channel.EMAIL.label, True)]
    if not push.push_configured():
        states.append(
            ChannelState(
                Channel.PUSH, Channel.PUSH.label, False, _("Push is not set up on this server.")
            )
        )
    elif not devices:
        states.append(
            ChannelState(
                Channel.PUSH, Channel.PUSH.label, False, _("No device yet: turn on push below.")
            )
        )
    else:
        states.append(ChannelState(Channel.PUSH, Channel.PUSH.label, True))
    if not sms.sms_configured():
        states.append(
            ChannelState(
                Channel.SMS,
                Channel.SMS.label,
                False,
                _("No SMS provider is configured on this server."),
            )
        )
    elif phone is None or not phone.verified_at:
        states.append(
            ChannelState(
                Channel.SMS, Channel.SMS.label, False, _("No verified phone yet: add one below.")
            )
        )
    elif not phone.can_receive_sms:
        states.append(
            ChannelState(
                Channel.SMS, Channel.SMS.label, False, _("SMS is turned off for your number.")
            )
        )
    else:
        states.append(ChannelState(Channel.SMS, Channel.SMS.label, True))
    return states


@dataclass(frozen=True)
class GridCell:
    channel: str
    label: str
    applies: bool  # SMS is for leads only
    checked: bool
    available: bool


@dataclass(frozen=True)
class GridRow:
    event: str
    label: str
    cells: list[GridCell]


def preference_grid(*, workspace, user, states: list[ChannelState]) -> list[GridRow]:
    """Events by member channels, with what the member chose (or the default)."""
    available = {s.channel: s.available for s in states}
    stored = {
        (event, channel): enabled
        for event, channel, enabled in owned(Preference, workspace=workspace)
        .filter(user=user)
        .values_list("event", "channel", "enabled")
    }
    rows = []
    for event in MEMBER_EVENTS:
        defaults = DEFAULT_CHANNELS.get(event, set())
        chosen = {
            channel
            for channel in MEMBER_CHANNELS
            if stored.get((event.value, channel.value), channel in defaults)
        }
        cells = [
            GridCell(
                channel=channel,
                label=str(channel.label),
                applies=channel != Channel.SMS or event in SMS_EVENTS,
                checked=channel in chosen,
                available=available[channel],
            )
            for channel in MEMBER_CHANNELS
        ]
        rows.append(GridRow(event=event.value, label=str(event.label), cells=cells))
    return rows


def delivery_log(*, workspace, user, role: str, limit: int = 200) -> QuerySet[Delivery]:
    """The member's own deliveries, every channel; owners and admins also see the
    workspace's webhook deliveries."""
    mine = Q(user=user)
    if role in (Role.OWNER, Role.ADMIN):
        mine |= Q(channel=Channel.WEBHOOK)
    return (
        owned(Delivery, workspace=workspace)
        .filter(mine)
        .select_related("notification", "webhook_delivery")
        .order_by("-created_at", "-id")[:limit]
    )
