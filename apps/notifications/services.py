"""notify(): the one way anything tells members about an event."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from apps.accounts.models import Membership, Role
from apps.accounts.tenancy import owned
from apps.notifications.models import EMAIL_BY_DEFAULT, Delivery, Notification, Preference

logger = logging.getLogger(__name__)


def _recipients(workspace, roles) -> list:
    return [
        m.user
        for m in owned(Membership, workspace=workspace)
        .filter(role__in=roles, user__is_active=True)
        .select_related("user")
    ]


def wants_email(*, workspace, user, event: str) -> bool:
    preference = owned(Preference, workspace=workspace).filter(user=user, event=event).first()
    return preference.email if preference else event in EMAIL_BY_DEFAULT


@transaction.atomic
def notify(
    *,
    workspace,
    event: str,
    title: str,
    body: str = "",
    url: str = "",
    users=None,
    roles=(Role.OWNER, Role.ADMIN),
    dedupe_key: str = "",
) -> list[Notification]:
    """Tell `users` (default: the workspace's owners and admins) about an event: in the app
    always, by email where they want it. With a dedupe_key, someone already told about the
    same thing is not told again."""
    recipients = users if users is not None else _recipients(workspace, roles)
    created = []
    for user in {u.pk: u for u in recipients}.values():
        if (
            dedupe_key
            and owned(Notification, workspace=workspace)
            .filter(user=user, event=event, dedupe_key=dedupe_key)
            .exists()
        ):
            continue
        notification = Notification.objects.create(
            workspace=workspace,
            user=user,
            event=event,
            title=title[:200],
            body=body,
            url=url[:300],
            dedupe_key=dedupe_key[:120],
        )
        Delivery.objects.create(
            workspace=workspace, notification=notification, channel=Delivery.Channel.IN_APP
        )
        if wants_email(workspace=workspace, user=user, event=event):
            transaction.on_commit(lambda n=notification: _send_email(n))
        created.append(notification)
    return created


def _send_email(notification: Notification) -> None:
    link = settings.SITE_URL.rstrip("/") + notification.url if notification.url else ""
    body = render_to_string(
        "notifications/email/notification.txt", {"notification": notification, "link": link}
    )
    try:
        send_mail(notification.title, body, None, [notification.user.email])
    except Exception as error:  # the in-app copy stands; the log says the email did not go
        logger.warning("Notification email %s failed: %s", notification.pk, error)
        Delivery.objects.create(
            workspace_id=notification.workspace_id,
            notification=notification,
            channel=Delivery.Channel.EMAIL,
            status=Delivery.Status.FAILED,
            error=str(error)[:300],
        )
        return
    Delivery.objects.create(
        workspace_id=notification.workspace_id,
        notification=notification,
        channel=Delivery.Channel.EMAIL,
    )


def mark_read(*, workspace, user, notification_ids=None) -> int:
    unread = owned(Notification, workspace=workspace).filter(user=user, read_at__isnull=True)
    if notification_ids is not None:
        unread = unread.filter(pk__in=notification_ids)
    return unread.update(read_at=timezone.now())


@transaction.atomic
def preferences_save(*, workspace, user, email_events: set[str]) -> None:
    from apps.notifications.models import Event

    for event in Event.values:
        Preference.objects.update_or_create(
            workspace=workspace, user=user, event=event, defaults={"email": event in email_events}
        )
