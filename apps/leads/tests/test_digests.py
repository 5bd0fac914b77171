from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core import mail

from apps.leads import digests
from apps.leads.models import AlertSettings, Commenter, Lead

pytestmark = pytest.mark.django_db


@pytest.fixture
def fresh_lead(alice_workspace):
    commenter = Commenter.objects.create(
        workspace=alice_workspace, actor_urn="urn:li:person:x", name="Casey CTO"
    )
    return commenter


def digests_sent():
    return [m for m in mail.outbox if "new lead" in m.subject]


@pytest.mark.parametrize(
    ("tz", "before", "after"),
    [
        # 08:00 in Berlin is 07:00 UTC in winter...
        (
            "Europe/Berlin",
            datetime(2026, 1, 14, 6, 50, tzinfo=UTC),
            datetime(2026, 1, 14, 7, 5, tzinfo=UTC),
        ),
        # ...and 06:00 UTC in summer, after the March change.
        (
            "Europe/Berlin",
            datetime(2026, 3, 30, 5, 50, tzinfo=UTC),
            datetime(2026, 3, 30, 6, 5, tzinfo=UTC),
        ),
        (
            "America/New_York",
            datetime(2026, 7, 1, 11, 50, tzinfo=UTC),
            datetime(2026, 7, 1, 12, 5, tzinfo=UTC),
        ),
    ],
)
def test_the_digest_goes_out_at_eight_local_once_a_day(
    alice, alice_workspace, fresh_lead, tz, before, after, django_capture_on_commit_callbacks
):
    alice.timezone = tz
    alice.save()
    AlertSettings.objects.create(workspace=alice_workspace, user=alice, threshold=50)
    with time_machine.travel(before - timedelta(hours=2), tick=False):
        Lead.objects.create(workspace=alice_workspace, commenter=fresh_lead, score=85)
    with django_capture_on_commit_callbacks(execute=True):
        with time_machine.travel(before, tick=False):
            assert digests.send_due_digests() == 0
        with time_machine.travel(after, tick=False):
            assert digests.send_due_digests() == 1
            assert digests.send_due_digests() == 0  # however often beat runs
        with time_machine.travel(after + timedelta(hours=3), tick=False):
            assert digests.send_due_digests() == 0
    (message,) = digests_sent()
    assert "Casey CTO" in message.body
    assert "/lead-status/" in message.body
    assert message.alternatives[0][1] == "text/html"


def test_a_waiting_lead_escalates_once(
    alice, alice_workspace, fresh_lead, django_capture_on_commit_callbacks
):
    from apps.leads.services import lead_settings

    lead_settings(alice_workspace)
    with time_machine.travel(datetime(2026, 5, 1, 9, tzinfo=UTC), tick=False):
        Lead.objects.create(workspace=alice_workspace, commenter=fresh_lead, score=90)
    with (
        time_machine.travel(datetime(2026, 5, 2, 10, tzinfo=UTC), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert digests.escalate_waiting_leads() == 1
        assert digests.escalate_waiting_leads() == 0
    assert [m.subject for m in mail.outbox] == ["A lead is still waiting for you"]
    # Through the one notification pipeline: in the app too, and in the delivery log.
    from apps.notifications.models import Delivery, Notification

    notification = Notification.objects.get(user=alice, event="lead.waiting")
    assert notification.url.startswith("/w/alice-co/leads/")
    assert Delivery.objects.filter(notification=notification, channel="email", status="sent")
