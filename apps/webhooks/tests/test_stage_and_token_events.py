"""The two events added for automation platforms: lead.stage_changed when a lead moves in the
pipeline, token.expiring when the LinkedIn connection is about to lapse."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from apps.leads.models import Commenter, Lead
from apps.leads.services import lead_update
from apps.linkedin.models import LinkedInConnection
from apps.linkedin.services import send_expiry_reminder
from apps.webhooks.models import WebhookDelivery

pytestmark = pytest.mark.django_db


@pytest.fixture
def lead(alice_workspace):
    commenter = Commenter.objects.create(
        workspace=alice_workspace, actor_urn="urn:li:person:dana", name="Dana Scully"
    )
    return Lead.objects.create(workspace=alice_workspace, commenter=commenter, score=80)


def test_a_stage_change_is_sent_once_with_the_old_and_new_stage(
    endpoint, lead, alice, deliver_events
):
    lead_update(lead=lead, actor=alice, status="qualified")
    lead_update(lead=lead, actor=alice, status="qualified", notes="same stage", fields={"notes"})
    lead_update(lead=lead, actor=alice, value_eur=Decimal("900"), fields={"value_eur"})
    deliver_events()

    [delivery] = WebhookDelivery.objects.filter(event="lead.stage_changed")
    assert delivery.payload["type"] == "lead.stage_changed"
    assert delivery.payload["data"]["lead"]["status"] == "qualified"
    assert delivery.payload["data"]["lead"]["previous_status"] == "new"
    assert delivery.payload["data"]["commenter"]["name"] == "Dana Scully"


def test_moving_back_and_forth_is_one_event_per_move(endpoint, lead, alice, deliver_events):
    lead_update(lead=lead, actor=alice, status="contacted")
    lead_update(lead=lead, actor=alice, status="new")
    lead_update(lead=lead, actor=alice, status="contacted")
    deliver_events()

    moves = [
        (d.payload["data"]["lead"]["previous_status"], d.payload["data"]["lead"]["status"])
        for d in WebhookDelivery.objects.filter(event="lead.stage_changed").order_by("id")
    ]
    assert moves == [("new", "contacted"), ("contacted", "new"), ("new", "contacted")]


def test_an_endpoint_not_subscribed_to_stage_changes_gets_none(endpoint, lead, alice):
    endpoint.events = ["lead.detected"]
    endpoint.save()

    lead_update(lead=lead, actor=alice, status="lost")

    assert not WebhookDelivery.objects.exists()


def test_a_linkedin_token_about_to_expire_is_announced_once_per_threshold(
    endpoint, alice, alice_workspace, deliver_events
):
    connection = LinkedInConnection.objects.create(
        workspace=alice_workspace,
        connected_by=alice,
        member_sub="abc",
        member_urn="urn:li:person:abc",
        access_token="token",
        access_token_expires_at=timezone.now() + timedelta(days=6, hours=12),
    )

    assert send_expiry_reminder(connection=connection) == 7
    assert send_expiry_reminder(connection=connection) is None
    deliver_events()

    [delivery] = WebhookDelivery.objects.filter(event="token.expiring")
    assert delivery.payload["data"]["token"]["kind"] == "linkedin"
    assert delivery.payload["data"]["token"]["threshold_days"] == 7
    assert delivery.payload["data"]["token"]["days_left"] == round(6.5)
