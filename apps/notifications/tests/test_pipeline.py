"""notify(): preferences per event and channel, one alert per lead on every channel at once,
quiet hours and the daily cap across channels, and the one delivery log."""

from datetime import UTC, datetime, time, timedelta

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from apps.leads.models import AlertSettings
from apps.notifications.models import Channel, Delivery, Event, Notification, Preference
from apps.notifications.services import notify, preferences_save, push_subscription_save
from apps.notifications.tests.conftest import run_enqueued

pytestmark = pytest.mark.django_db

NOON_UTC = datetime(2026, 6, 10, 12, 0, tzinfo=UTC)


@pytest.fixture
def every_channel(alice, alice_workspace, push_service, twilio, verified_phone):
    """Alice with a push device and a verified phone: email, push and SMS all possible."""
    device = push_service.new_device()
    push_subscription_save(
        workspace=alice_workspace,
        user=alice,
        endpoint=device.endpoint,
        p256dh=device.p256dh,
        auth=device.auth,
    )
    return device


def lead_alert(workspace, user, lead_id: int, score: int = 95):
    return notify(
        workspace=workspace,
        event=Event.LEAD_DETECTED,
        users=[user],
        title=f"New lead (score {score}): Jane Doe",
        url=f"/w/{workspace.slug}/leads/{lead_id}/",
        dedupe_key=f"lead:{lead_id}",
        sms_text=f"Hot lead (score {score}) from Jane Doe - open TechLead",
        score=score,
    )


def channels_of(notification) -> dict[str, str]:
    return dict(Delivery.objects.filter(notification=notification).values_list("channel", "status"))


def test_a_hot_lead_reaches_every_channel_once_however_often_it_is_raised(
    alice,
    alice_workspace,
    every_channel,
    push_service,
    twilio,
    enqueued,
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        (told,) = lead_alert(alice_workspace, alice, lead_id=1)
        assert lead_alert(alice_workspace, alice, lead_id=1) == []  # a second scan, a retry
    run_enqueued(enqueued)

    assert Notification.objects.filter(user=alice).count() == 1
    assert channels_of(told) == {
        Channel.IN_APP: Delivery.Status.SENT,
        Channel.EMAIL: Delivery.Status.SENT,
        Channel.PUSH: Delivery.Status.SENT,
        Channel.SMS: Delivery.Status.SENT,
    }
    assert [m.subject for m in mail.outbox] == ["New lead (score 95): Jane Doe"]
    assert len(push_service.received) == 1
    (text,) = twilio.sent
    assert text["To"] == "+4915112345678"
    assert text["Body"].startswith("Hot lead (score 95) from Jane Doe - open TechLead - http")
    assert text["Body"].endswith(f"/w/alice-co/n/{told.pk}/")


def test_sms_is_only_for_leads_above_the_members_sms_score(
    alice,
    alice_workspace,
    every_channel,
    twilio,
    verified_phone,
    enqueued,
    django_capture_on_commit_callbacks,
):
    verified_phone.sms_threshold = 90
    verified_phone.save()
    with django_capture_on_commit_callbacks(execute=True):
        (warm,) = lead_alert(alice_workspace, alice, lead_id=1, score=80)
        notify(workspace=alice_workspace, event=Event.POST_FAILED, title="Failed", users=[alice])
    run_enqueued(enqueued)
    assert Channel.SMS not in channels_of(warm)
    assert not Delivery.objects.filter(channel=Channel.SMS).exists()
    assert twilio.sent == []


def test_preferences_choose_the_channels_per_event(
    alice,
    alice_workspace,
    every_channel,
    push_service,
    twilio,
    enqueued,
    django_capture_on_commit_callbacks,
):
    preferences_save(
        workspace=alice_workspace,
        user=alice,
        chosen={(Event.LEAD_DETECTED, Channel.PUSH), (Event.POST_FAILED, Channel.EMAIL)},
        available={Channel.EMAIL, Channel.PUSH, Channel.SMS},
    )
    with django_capture_on_commit_callbacks(execute=True):
        (lead,) = lead_alert(alice_workspace, alice, lead_id=1)
        (failed,) = notify(
            workspace=alice_workspace, event=Event.POST_FAILED, title="Failed", users=[alice]
        )
    run_enqueued(enqueued)
    assert set(channels_of(lead)) == {Channel.IN_APP, Channel.PUSH}
    assert set(channels_of(failed)) == {Channel.IN_APP, Channel.EMAIL}
    assert twilio.sent == []


def test_a_channel_not_available_keeps_its_choice_when_saving(alice, alice_workspace):
    # No device yet: the page cannot show push as chosen or not, so saving leaves it alone.
    preferences_save(workspace=alice_workspace, user=alice, chosen=set(), available={Channel.EMAIL})
    assert not Preference.objects.filter(channel=Channel.PUSH).exists()
    assert not Preference.objects.get(event=Event.LEAD_DETECTED, channel=Channel.EMAIL).enabled


def test_quiet_hours_hold_every_channel_but_the_app(
    alice,
    alice_workspace,
    every_channel,
    push_service,
    twilio,
    enqueued,
    django_capture_on_commit_callbacks,
):
    alice.timezone = "Europe/Berlin"
    alice.save()
    # 22:00-07:00 in Berlin; 23:30 UTC is 01:30 there in summer.
    AlertSettings.objects.create(
        workspace=alice_workspace, user=alice, quiet_from=time(22), quiet_until=time(7)
    )
    with (
        time_machine.travel(datetime(2026, 6, 10, 23, 30, tzinfo=UTC)),
        django_capture_on_commit_callbacks(execute=True),
    ):
        (told,) = lead_alert(alice_workspace, alice, lead_id=1)
    assert enqueued == []
    assert told.held_reason == "quiet hours"
    assert channels_of(told) == {
        Channel.IN_APP: Delivery.Status.SENT,
        Channel.EMAIL: Delivery.Status.HELD,
        Channel.PUSH: Delivery.Status.HELD,
        Channel.SMS: Delivery.Status.HELD,
    }
    assert mail.outbox == []
    assert push_service.received == []
    assert twilio.sent == []


def test_quiet_hours_do_not_hold_a_failed_post(
    alice, alice_workspace, django_capture_on_commit_callbacks
):
    AlertSettings.objects.create(
        workspace=alice_workspace, user=alice, quiet_from=time(0), quiet_until=time(23, 59)
    )
    with django_capture_on_commit_callbacks(execute=True):
        (told,) = notify(
            workspace=alice_workspace, event=Event.POST_FAILED, title="Failed", users=[alice]
        )
    assert told.held_reason == ""
    assert [m.subject for m in mail.outbox] == ["Failed"]


def test_the_daily_cap_counts_alerts_not_channels(
    alice,
    alice_workspace,
    every_channel,
    push_service,
    twilio,
    enqueued,
    django_capture_on_commit_callbacks,
):
    AlertSettings.objects.create(workspace=alice_workspace, user=alice, daily_cap=2)
    with (
        time_machine.travel(NOON_UTC, tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        first, second, third = (lead_alert(alice_workspace, alice, lead_id=n)[0] for n in (1, 2, 3))
    run_enqueued(enqueued)
    # Two alerts went out, each on three channels; the third waits for the digest.
    assert (first.held_reason, second.held_reason, third.held_reason) == ("", "", "daily cap")
    assert len(mail.outbox) == 2
    assert len(push_service.received) == 2
    assert len(twilio.sent) == 2
    assert set(channels_of(third).values()) == {Delivery.Status.SENT, Delivery.Status.HELD}
    # A day later the cap has room again.
    with (
        time_machine.travel(NOON_UTC + timedelta(hours=25), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        (fourth,) = lead_alert(alice_workspace, alice, lead_id=4)
    assert fourth.held_reason == ""


def test_a_failed_email_is_in_the_log_with_its_error_and_fails_for_good_after_its_retries(
    alice, alice_workspace, monkeypatch, django_capture_on_commit_callbacks
):
    from apps.notifications import channels, services

    def refuse(*args, **kwargs):
        raise ConnectionRefusedError("SMTP server refused")

    monkeypatch.setattr(channels, "send_branded", refuse)
    with django_capture_on_commit_callbacks(execute=True):
        (told,) = notify(
            workspace=alice_workspace, event=Event.POST_FAILED, title="Failed", users=[alice]
        )
    email = Delivery.objects.get(notification=told, channel=Channel.EMAIL)
    assert (email.status, email.error) == (Delivery.Status.PENDING, "SMTP server refused")
    assert email.next_attempt_at > timezone.now()  # waiting for its retry
    assert Delivery.objects.get(notification=told, channel=Channel.IN_APP).status == "sent"

    assert services.deliver(delivery_id=email.pk, workspace_id=alice_workspace.pk) == (
        "not pending"  # a stray message before its retry time sends nothing
    )
    outcomes = []
    for retry in range(1, services.MAX_DELIVERY_ATTEMPTS + 1):
        with time_machine.travel(timezone.now() + timedelta(hours=retry)):
            outcomes.append(services.deliver(delivery_id=email.pk, workspace_id=alice_workspace.pk))
    assert outcomes == ["retry"] * (services.MAX_DELIVERY_ATTEMPTS - 2) + ["failed", "not pending"]
    email.refresh_from_db()
    assert (email.status, email.attempts) == (Delivery.Status.FAILED, 4)


def test_webhooks_are_a_channel_in_the_same_log(alice_workspace, settings, deliver_events):
    from apps.notifications import events
    from apps.webhooks.models import EventType, WebhookEndpoint

    settings.WEBHOOKS_ALLOW_LOCAL = True
    WebhookEndpoint.objects.create(
        workspace=alice_workspace, url="http://127.0.0.1:9/hook", events=[EventType.LEAD_DETECTED]
    )
    from apps.leads.models import Comment, Commenter, Lead

    commenter = Commenter.objects.create(workspace=alice_workspace, actor_urn="urn:li:person:j")
    lead = Lead.objects.create(workspace=alice_workspace, commenter=commenter, score=90)
    comment = Comment.objects.create(
        workspace=alice_workspace, commenter=commenter, urn="urn:li:comment:1", text="Rate?"
    )
    events.lead_detected(lead=lead, comment=comment)
    events.lead_detected(lead=lead, comment=comment)  # the same event once
    deliver_events()
    deliver_events()
    (row,) = Delivery.objects.filter(channel=Channel.WEBHOOK)
    assert row.user is None
    assert row.event == "lead.detected"
    assert row.target == "http://127.0.0.1:9/hook"
    assert row.status_label == "Pending"
