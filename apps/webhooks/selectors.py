"""Reads for the webhook settings page."""

from django.db.models import QuerySet

from apps.accounts.tenancy import owned
from apps.webhooks.models import WebhookDelivery, WebhookEndpoint

DELIVERY_LOG_LENGTH = 50


def endpoints_for(*, workspace) -> QuerySet[WebhookEndpoint]:
    return owned(WebhookEndpoint, workspace=workspace).order_by("created_at", "id")


def recent_deliveries(
    *, workspace, endpoint: WebhookEndpoint | None = None, limit: int = DELIVERY_LOG_LENGTH
) -> list[WebhookDelivery]:
    deliveries = owned(WebhookDelivery, workspace=workspace).select_related("endpoint")
    if endpoint is not None:
        deliveries = deliveries.filter(endpoint=endpoint)
    return list(deliveries.order_by("-created_at", "-id")[:limit])
