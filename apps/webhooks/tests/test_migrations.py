"""0002 trims the receivers' answers that failed deliveries used to store."""

import importlib

import pytest
from django.apps import apps

from apps.webhooks.models import WebhookDelivery, WebhookEndpoint

pytestmark = pytest.mark.django_db

migration = importlib.import_module("apps.webhooks.migrations.0002_forget_stored_answer_bodies")


def test_stored_answer_bodies_are_cut_down_to_the_status(alice_workspace):
    endpoint = WebhookEndpoint.objects.create(
        workspace=alice_workspace,
        url="https://hooks.example.com/in",
        events=["*"],
        disabled_reason="HTTP 500: <script>steal()</script>",
    )
    failed = WebhookDelivery.objects.create(
        workspace=alice_workspace,
        endpoint=endpoint,
        event="lead.detected",
        payload={},
        last_error="HTTP 502: internal host db-7.corp answered",
    )
    timeout = WebhookDelivery.objects.create(
        workspace=alice_workspace,
        endpoint=endpoint,
        event="lead.detected",
        payload={},
        last_error="No answer within 10 s",
    )

    migration.forget_answer_bodies(apps, None)

    endpoint.refresh_from_db()
    assert endpoint.disabled_reason == "HTTP 500"
    assert WebhookDelivery.objects.get(pk=failed.pk).last_error == "HTTP 502"
    assert WebhookDelivery.objects.get(pk=timeout.pk).last_error == "No answer within 10 s"
