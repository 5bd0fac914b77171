"""A webhook signing secret is stored encrypted, like LinkedIn tokens: a database dump or a
read-only SQL session does not hand out the power to forge deliveries."""

import pytest
from django.db import connection

from apps.webhooks.models import WebhookEndpoint
from apps.webhooks.services import endpoint_rotate_secret

pytestmark = pytest.mark.django_db


def raw_secret(endpoint) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT secret FROM webhooks_webhookendpoint WHERE id = %s", [endpoint.pk])
        return cursor.fetchone()[0]


def test_the_signing_secret_column_never_holds_the_secret(alice, alice_workspace):
    endpoint = WebhookEndpoint.objects.create(
        workspace=alice_workspace, url="https://hooks.example.com/in", events=["lead.detected"]
    )
    assert endpoint.secret.startswith("whsec_")
    assert endpoint.secret not in raw_secret(endpoint)
    assert "whsec_" not in raw_secret(endpoint)

    rotated = endpoint_rotate_secret(endpoint=endpoint, actor=alice)

    assert rotated not in raw_secret(endpoint)
    assert WebhookEndpoint.objects.get(pk=endpoint.pk).secret == rotated
