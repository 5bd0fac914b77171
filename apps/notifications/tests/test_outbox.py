"""One event path: an event is recorded with its change and delivered to every channel once,
even when the worker that made the change dies before telling anyone."""

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from apps.content import publishing
from apps.content.models import Post
from apps.notifications import events, outbox
from apps.notifications import tasks as notification_tasks
from apps.notifications.models import Channel, Delivery, Event, Notification, OutboxEvent
from apps.webhooks.models import WebhookDelivery, WebhookEndpoint

pytestmark = pytest.mark.django_db


@pytest.fixture
def endpoint(alice_workspace, settings):
    settings.WEBHOOKS_ALLOW_LOCAL = True
    return WebhookEndpoint.objects.create(
        workspace=alice_workspace,
        url="http://127.0.0.1:9/hook",
        events=["post.published", "post.failed"],
    )


@pytest.fixture
def lost_messages(monkeypatch):
    """The broker loses every dispatch message (or the worker dies before taking it)."""
    dropped = []
    monkeypatch.setattr(
        notification_tasks.dispatch_event, "delay", lambda *args: dropped.append(args)
    )
    return dropped


def publishing_post(workspace, author):
    return Post.objects.create(
        workspace=workspace,
        author=author,
        text="Kafka is not a database",
        hook="Kafka is not a database",
        status=Post.Status.PUBLISHING,
        claimed_at=timezone.now(),
    )


def test_a_published_post_whose_worker_died_before_telling_anyone_is_told_once_by_the_sweep(
    alice, alice_workspace, endpoint, lost_messages, django_capture_on_commit_callbacks
):
    post = publishing_post(alice_workspace, alice)
    with django_capture_on_commit_callbacks(execute=True):
        assert publishing._mark_published(post, "urn:li:share:1")
    assert len(lost_messages) == 1  # the message after commit was lost
    assert not Notification.objects.filter(event=Event.POST_PUBLISHED).exists()
    assert not WebhookDelivery.objects.exists()

    # Too fresh for the sweep: its own task may still be on the way.
    assert outbox.sweep() == 0
    OutboxEvent.objects.update(created_at=timezone.now() - timedelta(minutes=1))
    assert outbox.sweep() == 1
    for pk, workspace_id in lost_messages[1:]:
        assert outbox.dispatch(event_id=pk, workspace_id=workspace_id) == "delivered"
        # The first message turns up late: it finds the event delivered and does nothing.
        assert outbox.dispatch(event_id=pk, workspace_id=workspace_id) == "not due"
    assert outbox.sweep() == 0

    assert Notification.objects.filter(event=Event.POST_PUBLISHED, user=alice).count() == 1
    [webhook] = WebhookDelivery.objects.all()
    assert webhook.payload["data"]["post"]["linkedin_urn"] == "urn:li:share:1"
    assert Delivery.objects.filter(channel=Channel.WEBHOOK, webhook_delivery=webhook).count() == 1


def test_a_change_rolled_back_records_no_event_and_tells_nobody(alice, alice_workspace):
    post = publishing_post(alice_workspace, alice)

    @transaction.atomic
    def publish_then_fail():
        publishing._mark_published(post, "urn:li:share:2")
        raise RuntimeError("the request failed after the change")

    with pytest.raises(RuntimeError):
        publish_then_fail()
    assert not OutboxEvent.objects.exists()
    post.refresh_from_db()
    assert post.status == Post.Status.PUBLISHING


def test_an_event_recorded_twice_under_one_key_is_one_event(alice_workspace, alice):
    post = publishing_post(alice_workspace, alice)
    assert events.post_published(post=post, notice={"title": "Live"}) is not None
    assert events.post_published(post=post, notice={"title": "Live"}) is None
    assert OutboxEvent.objects.count() == 1


def test_a_channel_that_fails_is_retried_and_the_channels_that_worked_are_not_repeated(
    alice, alice_workspace, endpoint, lost_messages, monkeypatch
):
    post = publishing_post(alice_workspace, alice)
    events.post_published(post=post, notice={"title": "Live", "user_ids": [alice.pk]})
    row = OutboxEvent.objects.get()

    def crm_down(row):
        raise ConnectionError("CRM database unreachable")

    monkeypatch.setattr(outbox, "CHANNELS", (outbox._members, outbox._webhooks, crm_down))
    assert outbox.dispatch(event_id=row.pk, workspace_id=alice_workspace.pk) == "retry"
    row.refresh_from_db()
    assert row.status == OutboxEvent.Status.PENDING
    assert row.last_error == "ConnectionError: CRM database unreachable"
    assert row.next_attempt_at > timezone.now()

    monkeypatch.undo()
    OutboxEvent.objects.update(next_attempt_at=timezone.now())
    assert outbox.dispatch(event_id=row.pk, workspace_id=alice_workspace.pk) == "delivered"
    assert Notification.objects.filter(event=Event.POST_PUBLISHED).count() == 1
    assert WebhookDelivery.objects.count() == 1


def test_an_event_that_keeps_failing_stops_after_a_bound_and_shows_as_failed(
    alice, alice_workspace, lost_messages, monkeypatch
):
    post = publishing_post(alice_workspace, alice)
    events.post_published(post=post, notice={"title": "Live"})
    row = OutboxEvent.objects.get()

    def broken(row):
        raise ConnectionError("down")

    monkeypatch.setattr(outbox, "CHANNELS", (broken,))
    outcomes = []
    for _attempt in range(outbox.MAX_ATTEMPTS + 2):
        OutboxEvent.objects.filter(status=OutboxEvent.Status.PENDING).update(
            next_attempt_at=timezone.now()
        )
        outcomes.append(outbox.dispatch(event_id=row.pk, workspace_id=alice_workspace.pk))
    assert outcomes == ["retry"] * (outbox.MAX_ATTEMPTS - 1) + ["failed", "not due", "not due"]
    row.refresh_from_db()
    assert row.status == OutboxEvent.Status.FAILED
    assert outbox.redeliver(row=row)
    row.refresh_from_db()
    assert (row.status, row.attempts) == (OutboxEvent.Status.PENDING, 0)


def test_another_workspaces_event_id_is_not_delivered(alice, alice_workspace, charlie_workspace):
    post = publishing_post(alice_workspace, alice)
    with transaction.atomic():
        events.post_published(post=post, notice={"title": "Live"})
    row = OutboxEvent.objects.get()
    assert outbox.dispatch(event_id=row.pk, workspace_id=charlie_workspace.pk) == "gone"
    row.refresh_from_db()
    assert row.attempts == 0


def test_an_unknown_event_is_refused_when_recorded(alice_workspace):
    with pytest.raises(ValueError, match="Unknown event"):
        events.record(workspace=alice_workspace, event="post.exploded", key="x")


def test_webhook_events_are_a_part_of_the_one_event_list():
    from apps.notifications.models import WEBHOOK_EVENTS
    from apps.webhooks.models import EventType

    assert set(EventType.values) == {str(e) for e in WEBHOOK_EVENTS}
    assert set(EventType.values) <= set(Event.values)
