"""The morning digest and invitation emails are outbox events: recorded with the change that
makes them due, so a worker killed right after the commit leaves them to the sweep, and a
dispatch run twice mails once."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from apps.accounts import services as accounts
from apps.accounts.models import Membership, Role
from apps.leads import digests
from apps.leads.models import AlertSettings, Commenter, Lead
from apps.notifications import outbox
from apps.notifications import tasks as notification_tasks
from apps.notifications.models import Event, OutboxEvent

pytestmark = pytest.mark.django_db

MORNING = datetime(2026, 6, 10, 7, 5, tzinfo=UTC)  # 09:05 in Berlin


@pytest.fixture
def lost_messages(monkeypatch):
    """Every dispatch message after commit is lost (the worker died right after committing)."""
    dropped = []
    monkeypatch.setattr(
        notification_tasks.dispatch_event, "delay", lambda *args: dropped.append(args)
    )
    return dropped


def sweep_and_dispatch(lost_messages) -> list[str]:
    """Beat's sweep once the grace period is over, and each message it enqueues run twice
    (its own message and a late duplicate)."""
    OutboxEvent.objects.update(created_at=timezone.now() - timedelta(minutes=1))
    lost_messages.clear()
    assert outbox.sweep() >= 1
    outcomes = []
    for pk, workspace_id in lost_messages:
        outcomes.append(outbox.dispatch(event_id=pk, workspace_id=workspace_id))
        outcomes.append(outbox.dispatch(event_id=pk, workspace_id=workspace_id))
    return outcomes


def digests_sent():
    return [m for m in mail.outbox if "new lead" in m.subject]


@pytest.fixture
def due_digest(alice, alice_workspace):
    alice.timezone = "Europe/Berlin"
    alice.save()
    AlertSettings.objects.create(workspace=alice_workspace, user=alice, threshold=50)
    commenter = Commenter.objects.create(
        workspace=alice_workspace, actor_urn="urn:li:person:c", name="Casey CTO"
    )
    with time_machine.travel(MORNING - timedelta(hours=2), tick=False):
        Lead.objects.create(workspace=alice_workspace, commenter=commenter, score=85)


def test_a_digest_whose_worker_died_after_the_claim_is_mailed_once_by_the_sweep(
    due_digest, lost_messages, django_capture_on_commit_callbacks
):
    with (
        time_machine.travel(MORNING, tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert digests.send_due_digests() == 1
        assert digests.send_due_digests() == 0  # claimed for the day
    assert len(lost_messages) == 1
    assert digests_sent() == []  # committed, never sent

    assert sweep_and_dispatch(lost_messages) == ["delivered", "not due"]
    (message,) = digests_sent()
    assert "Casey CTO" in message.body
    [event] = OutboxEvent.objects.filter(event=Event.DIGEST_DUE)
    assert event.status == OutboxEvent.Status.DELIVERED
    assert event.key.endswith(":2026-06-10")
    assert outbox.sweep() == 0


def test_a_digest_that_fails_to_send_is_retried_and_then_mailed_once(
    due_digest, monkeypatch, django_capture_on_commit_callbacks
):
    real_send = digests._send_digest

    def mail_server_down(*args):
        raise ConnectionRefusedError("mail server down")

    monkeypatch.setattr(digests, "_send_digest", mail_server_down)
    with (
        time_machine.travel(MORNING, tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert digests.send_due_digests() == 1
    [event] = OutboxEvent.objects.filter(event=Event.DIGEST_DUE)
    event.refresh_from_db()
    assert event.status == OutboxEvent.Status.PENDING
    assert "mail server down" in event.last_error
    assert digests_sent() == []

    monkeypatch.setattr(digests, "_send_digest", real_send)
    OutboxEvent.objects.update(next_attempt_at=timezone.now())
    assert outbox.dispatch(event_id=event.pk, workspace_id=event.workspace_id) == "delivered"
    assert outbox.dispatch(event_id=event.pk, workspace_id=event.workspace_id) == "not due"
    assert len(digests_sent()) == 1


def invite(workspace, user, email="dora@example.com"):
    return accounts.invitation_create(
        workspace=workspace,
        email=email,
        role=Role.EDITOR,
        actor_membership=Membership.objects.get(workspace=workspace, user=user),
    )


def test_an_invitation_whose_worker_died_after_commit_is_mailed_once_by_the_sweep(
    alice, alice_workspace, lost_messages, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        invitation = invite(alice_workspace, alice)
    assert len(lost_messages) == 1
    assert mail.outbox == []

    assert sweep_and_dispatch(lost_messages) == ["delivered", "not due"]
    (message,) = mail.outbox
    assert message.to == ["dora@example.com"]
    assert f"/invitations/{invitation.token}/" in message.body
    # The outbox held the link's token only encrypted, and keeps it no longer than it is used.
    [event] = OutboxEvent.objects.filter(event=Event.INVITATION_SENT)
    assert invitation.token not in str(event.notice)
    assert "token" not in event.notice


def test_a_dispatch_that_died_after_mailing_does_not_mail_again_when_the_sweep_retries(
    alice, alice_workspace, lost_messages, monkeypatch, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        invite(alice_workspace, alice)
    [event] = OutboxEvent.objects.filter(event=Event.INVITATION_SENT)

    def killed_after_the_members_channel(row):
        raise SystemExit("worker killed")

    with monkeypatch.context() as patched:
        patched.setattr(outbox, "CHANNELS", (outbox._members, killed_after_the_members_channel))
        with pytest.raises(SystemExit):
            outbox.dispatch(event_id=event.pk, workspace_id=event.workspace_id)
    assert len(mail.outbox) == 1

    # The lease runs out and the sweep hands the event to another worker.
    OutboxEvent.objects.update(
        next_attempt_at=timezone.now(), created_at=timezone.now() - timedelta(minutes=5)
    )
    lost_messages.clear()
    assert outbox.sweep() == 1
    [(pk, workspace_id)] = lost_messages
    assert outbox.dispatch(event_id=pk, workspace_id=workspace_id) == "delivered"
    assert len(mail.outbox) == 1


def test_an_invitation_replaced_before_its_mail_went_out_is_not_mailed(
    alice, alice_workspace, lost_messages, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        invite(alice_workspace, alice)
        second = invite(alice_workspace, alice)

    sweep_and_dispatch(lost_messages)
    (message,) = mail.outbox  # only the invitation that still stands
    assert f"/invitations/{second.token}/" in message.body
