from django.db.models import QuerySet

from apps.accounts.tenancy import owned
from apps.notifications.models import EMAIL_BY_DEFAULT, Event, Notification, Preference


def notifications_for(*, workspace, user, limit: int = 100) -> QuerySet[Notification]:
    return owned(Notification, workspace=workspace).filter(user=user)[:limit]


def unread_count(*, workspace, user) -> int:
    return owned(Notification, workspace=workspace).filter(user=user, read_at__isnull=True).count()


def email_choices(*, workspace, user) -> list[tuple[str, str, bool]]:
    stored = dict(
        owned(Preference, workspace=workspace).filter(user=user).values_list("event", "email")
    )
    return [
        (event.value, event.label, stored.get(event.value, event in EMAIL_BY_DEFAULT))
        for event in Event
    ]
