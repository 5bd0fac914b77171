"""Beat dispatchers fan out one task per connection; each task re-scopes and is idempotent."""

from celery import shared_task

from apps.accounts.tenancy import across_workspaces, owned_for_task
from apps.linkedin import selectors, services
from apps.linkedin.models import LinkedInConnection


@shared_task(name="linkedin.refresh_expiring_tokens")
def refresh_expiring_tokens() -> int:
    with across_workspaces(reason="beat dispatcher: tokens to refresh in every workspace"):
        due = list(selectors.connections_due_for_refresh().values_list("pk", "workspace_id"))
        for connection_id, workspace_id in due:
            refresh_token.delay(connection_id, workspace_id)
        return len(due)


@shared_task(name="linkedin.refresh_token", autoretry_for=(), max_retries=0)
def refresh_token(connection_id: int, workspace_id: int, force: bool = False) -> str:
    connection = owned_for_task(LinkedInConnection, workspace_id=workspace_id, pk=connection_id)
    if connection is None:
        return "gone"
    # Transient failures are simply picked up by the next hourly dispatch.
    return services.refresh_access_token(connection=connection, force=force)


@shared_task(name="linkedin.send_expiry_reminders")
def send_expiry_reminders() -> int:
    with across_workspaces(reason="beat dispatcher: expiry reminders in every workspace"):
        sent = 0
        for connection in selectors.connections_due_for_reminder():
            if services.send_expiry_reminder(connection=connection) is not None:
                sent += 1
        return sent
