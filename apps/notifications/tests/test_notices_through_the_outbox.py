"""The notices that used to be sent by hand (a lead left waiting, a review request to each
approver, a hot lead's text message) are events recorded with their change and delivered by
the outbox: once per member and channel, however often the dispatcher runs, and again after a
channel failed once."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core import mail
from django.db import transaction
from django.utils import timezone

from apps.content import services as content_services
from apps.content.models import Post
from apps.leads import digests
from apps.leads.models import Comment, Commenter, Lead
from apps.leads.services import lead_settings
from apps.notifications import events, outbox, services
from apps.notifications import tasks as notification_tasks
from apps.notifications.models import Channel, Delivery, Event, Notification, OutboxEvent
from apps.notifications.tests.conftest import run_enqueued

pytestmark = pytest.mark.django_db


@pytest.fixture
def lost_messages(monkeypatch):
    """The message enqueued after commit never reaches a worker: only the sweep delivers."""
    dropped = []
    monkeypatch.setattr(
        notification_tasks.dispatch_event, "delay", lambda *args: dropped.append(args)
    )
    return dropped


@pytest.fixture
def dispatch_every_event_twice(django_capture_on_commit_callbacks):
    """The dispatcher running twice over every event (its own message and the sweep's), as
    a worker does: each channel's commit hands its email to the mail server and its push
    and SMS to a task (`enqueued`)."""

    def run() -> list[str]:
        rows = list(OutboxEvent.objects.order_by("pk").values_list("pk", "workspace_id"))
        outcomes = []
        for _run in range(2):
            for pk, ws in rows:
                with django_capture_on_commit_callbacks(execute=True):
                    outcomes.append(outbox.dispatch(event_id=pk, workspace_id=ws))
        return outcomes

    return run


def test_a_lead_left_waiting_is_one_event_and_one_email_per_owner_however_often_it_runs(
    alice,
    alice_workspace,
    lost_messages,
    dispatch_every_event_twice,
    django_capture_on_commit_callbacks,
):
    lead_settings(alice_workspace)
    commenter = Commenter.objects.create(
        workspace=alice_workspace, actor_urn="urn:li:person:w", name="Wanda Waiting"
    )
    with time_machine.travel(datetime(2026, 5, 1, 9, tzinfo=UTC), tick=False):
        Lead.objects.create(workspace=alice_workspace, commenter=commenter, score=90)
    with (
        time_machine.travel(datetime(2026, 5, 2, 10, tzinfo=UTC), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert digests.escalate_waiting_leads() == 1
        assert digests.escalate_waiting_leads() == 0
    (row,) = OutboxEvent.objects.all()
    assert (row.event, row.key) == (Event.LEAD_WAITING, f"lead.waiting:{Lead.objects.get().pk}")
    assert not Notification.objects.exists()  # nothing told before the outbox delivers

    assert dispatch_every_event_twice() == ["delivered", "not due"]
    (notification,) = Notification.objects.filter(event=Event.LEAD_WAITING)
    assert notification.user == alice  # the owner; bob is an editor
    assert "Wanda Waiting" in notification.body
    assert [m.subject for m in mail.outbox] == ["A lead is still waiting for you"]
    assert (
        Delivery.objects.filter(
            notification=notification, channel=Channel.EMAIL, status=Delivery.Status.SENT
        ).count()
        == 1
    )


def test_a_review_request_is_one_event_per_approver_with_their_own_link(
    alice,
    bob,
    alice_workspace,
    lost_messages,
    dispatch_every_event_twice,
    django_capture_on_commit_callbacks,
):
    post = Post.objects.create(
        workspace=alice_workspace, author=bob, text="Kafka is not a database", hook="Kafka"
    )
    with django_capture_on_commit_callbacks(execute=True):
        content_services.post_submit_for_review(post=post, actor=bob)
    (row,) = OutboxEvent.objects.all()  # alice is the only approver
    assert row.event == Event.POST_APPROVAL_REQUESTED
    assert row.notice["user_ids"] == [alice.pk]
    assert not Notification.objects.exists()

    assert dispatch_every_event_twice() == ["delivered", "not due"]
    (notification,) = Notification.objects.filter(event=Event.POST_APPROVAL_REQUESTED)
    assert notification.user == alice
    (email,) = mail.outbox
    assert email.to == ["alice@example.com"]
    assert "/approve/" in email.body or "approv" in email.body.lower()


def test_a_submission_rolled_back_asks_nobody_to_approve(alice, bob, alice_workspace):
    post = Post.objects.create(
        workspace=alice_workspace, author=bob, text="Kafka is not a database", hook="Kafka"
    )

    @transaction.atomic
    def submit_then_fail():
        content_services.post_submit_for_review(post=post, actor=bob)
        raise RuntimeError("the request failed after the submission")

    with pytest.raises(RuntimeError):
        submit_then_fail()
    assert not OutboxEvent.objects.exists()
    assert not Notification.objects.exists()
    assert not mail.outbox


def run_each_task_twice(enqueued) -> list[str]:
    """Each send's message delivered twice (a redelivery after a worker restart)."""
    twice = [*enqueued, *enqueued]
    enqueued.clear()
    return run_enqueued(twice)


def hot_lead(workspace) -> tuple[Lead, Comment]:
    commenter = Commenter.objects.create(
        workspace=workspace, actor_urn="urn:li:person:h", name="Harriet Hot"
    )
    lead = Lead.objects.create(workspace=workspace, commenter=commenter, score=97)
    comment = Comment.objects.create(
        workspace=workspace,
        commenter=commenter,
        urn="urn:li:comment:9",
        text="What is your day rate?",
        score=97,
    )
    return lead, comment


def test_a_hot_leads_text_message_goes_once_when_the_dispatcher_runs_twice_and_twilio_fails_once(
    alice,
    alice_workspace,
    twilio,
    verified_phone,
    enqueued,
    lost_messages,
    dispatch_every_event_twice,
):
    lead, comment = hot_lead(alice_workspace)
    with transaction.atomic():
        events.lead_detected(lead=lead, comment=comment)
    twilio.fail_next = 1

    assert dispatch_every_event_twice() == ["delivered", "not due"]
    assert run_each_task_twice(enqueued) == ["retry", "not pending"]
    sms = Delivery.objects.get(channel=Channel.SMS)
    assert sms.status == Delivery.Status.PENDING
    assert "503" in sms.error
    assert twilio.sent == []

    # Not due yet: the sweep leaves it until its retry time.
    assert services.sweep_deliveries() == 0
    with time_machine.travel(timezone.now() + timedelta(minutes=2)):
        assert services.sweep_deliveries() == 1
        assert run_each_task_twice(enqueued) == ["sent", "not pending"]

    assert [m["To"] for m in twilio.sent] == [verified_phone.number]
    assert "Harriet Hot" in twilio.sent[0]["Body"]
    sms.refresh_from_db()
    assert (sms.status, sms.attempts, sms.error) == (Delivery.Status.SENT, 2, "")
    assert Notification.objects.filter(event=Event.LEAD_DETECTED, user=alice).count() == 1
    # The event dispatched again (an operator's "send again") adds no second text.
    OutboxEvent.objects.update(status=OutboxEvent.Status.PENDING, next_attempt_at=timezone.now())
    assert dispatch_every_event_twice() == ["delivered", "not due"]
    assert run_enqueued(enqueued) == []
    assert len(twilio.sent) == 1


def test_a_text_whose_task_was_lost_is_sent_once_by_the_sweep(
    alice,
    alice_workspace,
    twilio,
    verified_phone,
    enqueued,
    lost_messages,
    dispatch_every_event_twice,
):
    lead, comment = hot_lead(alice_workspace)
    with transaction.atomic():
        events.lead_detected(lead=lead, comment=comment)
    dispatch_every_event_twice()
    enqueued.clear()  # the worker died before it took the send

    assert services.sweep_deliveries() == 0  # too fresh: its own task may still come
    with time_machine.travel(timezone.now() + timedelta(minutes=1)):
        assert services.sweep_deliveries() == 1
        assert run_enqueued(enqueued) == ["sent"]
        assert services.sweep_deliveries() == 0
    assert len(twilio.sent) == 1


def test_a_sender_that_died_mid_send_leaves_the_text_to_the_sweep_after_its_lease(
    alice,
    alice_workspace,
    twilio,
    verified_phone,
    enqueued,
    lost_messages,
    dispatch_every_event_twice,
):
    lead, comment = hot_lead(alice_workspace)
    with transaction.atomic():
        events.lead_detected(lead=lead, comment=comment)
    dispatch_every_event_twice()
    sms = Delivery.objects.get(channel=Channel.SMS)
    # What a claim leaves behind when the worker is killed before the provider answers.
    Delivery.objects.filter(pk=sms.pk).update(
        status=Delivery.Status.SENDING,
        attempts=1,
        next_attempt_at=timezone.now() + timedelta(minutes=2),
    )
    enqueued.clear()
    assert services.deliver(delivery_id=sms.pk, workspace_id=alice_workspace.pk) == "not pending"
    assert services.sweep_deliveries() == 0
    with time_machine.travel(timezone.now() + timedelta(minutes=3)):
        assert services.sweep_deliveries() == 1
        assert run_enqueued(enqueued) == ["sent"]
    assert len(twilio.sent) == 1


def test_an_opted_out_number_is_not_tried_again(
    alice,
    alice_workspace,
    twilio,
    verified_phone,
    enqueued,
    lost_messages,
    dispatch_every_event_twice,
):
    twilio.opted_out.add(verified_phone.number)
    lead, comment = hot_lead(alice_workspace)
    with transaction.atomic():
        events.lead_detected(lead=lead, comment=comment)
    dispatch_every_event_twice()
    assert run_enqueued(enqueued) == ["failed"]
    with time_machine.travel(timezone.now() + timedelta(hours=2)):
        assert services.sweep_deliveries() == 0


# --- LinkedIn's notices ----------------------------------------------------------------------


def linkedin_connection(workspace, *, expires_in: timedelta):
    from apps.linkedin.models import LinkedInConnection

    return LinkedInConnection.objects.create(
        workspace=workspace,
        member_sub="abc",
        member_urn="urn:li:person:abc",
        access_token="token",
        access_token_expires_at=timezone.now() + expires_in,
    )


def test_an_expiry_reminder_is_one_event_for_members_and_webhooks_told_once_per_channel(
    alice, alice_workspace, lost_messages, dispatch_every_event_twice
):
    from apps.linkedin.services import send_expiry_reminder

    connection = linkedin_connection(alice_workspace, expires_in=timedelta(days=6, hours=12))
    assert send_expiry_reminder(connection=connection) == 7
    assert send_expiry_reminder(connection=connection) is None
    (row,) = OutboxEvent.objects.all()
    assert row.event == Event.TOKEN_EXPIRING
    assert row.data["token"]["threshold_days"] == 7
    assert not mail.outbox  # nothing sent before the outbox delivers

    assert dispatch_every_event_twice() == ["delivered", "not due"]
    (notification,) = Notification.objects.filter(event=Event.TOKEN_EXPIRING)
    assert notification.user == alice
    assert notification.url == "/w/alice-co/settings/linkedin/"
    (email,) = mail.outbox
    assert email.to == ["alice@example.com"]
    assert "disconnects in 6 day(s)" in email.subject  # 6.5 days, rounded to even
    assert "/w/alice-co/settings/linkedin/" in email.body


def test_a_dead_grant_is_one_event_and_one_email_per_owner_however_often_it_is_flagged(
    alice, alice_workspace, lost_messages, dispatch_every_event_twice
):
    from apps.linkedin.services import mark_needs_reconnect

    connection = linkedin_connection(alice_workspace, expires_in=timedelta(days=30))
    assert mark_needs_reconnect(connection=connection, reason="The grant was revoked.") is True
    assert mark_needs_reconnect(connection=connection, reason="Again.") is False
    (row,) = OutboxEvent.objects.all()
    assert row.event == Event.LINKEDIN_NEEDS_RECONNECT

    assert dispatch_every_event_twice() == ["delivered", "not due"]
    (notification,) = Notification.objects.filter(event=Event.LINKEDIN_NEEDS_RECONNECT)
    assert (notification.user, notification.body) == (alice, "The grant was revoked.")
    (email,) = mail.outbox
    assert email.subject == "Reconnect LinkedIn for Alice Co"


def test_a_flag_rolled_back_tells_nobody(alice, alice_workspace):
    from apps.linkedin.services import mark_needs_reconnect

    connection = linkedin_connection(alice_workspace, expires_in=timedelta(days=30))

    @transaction.atomic
    def flag_then_fail():
        mark_needs_reconnect(connection=connection, reason="revoked")
        raise RuntimeError("the refresh task died after the flag")

    with pytest.raises(RuntimeError):
        flag_then_fail()
    assert not OutboxEvent.objects.exists()
    assert not mail.outbox


def test_members_are_told_only_by_the_outbox():
    """One event path: nothing calls notify() or sends a text itself but the outbox's member
    channel, the lead alerts it runs, and the channels that carry a delivery (plus the
    verification code a member asks for on the page)."""
    import ast
    from pathlib import Path

    apps = Path(__file__).resolve().parents[2]
    allowed = {
        ("notifications/outbox.py", "notify"),
        ("leads/services.py", "notify"),  # _alert_members, the outbox's lead_alert handler
        ("notifications/channels.py", "send"),  # sms.send for a claimed Delivery
        ("notifications/services.py", "send"),  # the verification code
    }
    callers = set()
    for path in apps.rglob("*.py"):
        if "tests" in path.parts or "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            target = (
                func.value.id
                if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name)
                else ""
            )
            if name == "notify" or (name == "send" and target == "sms"):
                callers.add((str(path.relative_to(apps)), name))
    assert callers == allowed
