"""Tasks run twice, or by both a retry and the dispatcher, deliver once."""

from datetime import timedelta

import pytest
from django.utils import timezone

from apps.webhooks import services, tasks
from apps.webhooks.models import WebhookDelivery

pytestmark = [pytest.mark.django_db, pytest.mark.urls("apps.webhooks.tests.urls")]

Status = WebhookDelivery.Status


def emit(workspace):
    [delivery] = services.emit(workspace=workspace, event="lead.detected", data={})
    return delivery


def test_calling_the_delivery_task_twice_delivers_once(alice_workspace, endpoint, receiver):
    delivery = emit(alice_workspace)

    first = tasks.deliver(delivery.pk, alice_workspace.pk)
    second = tasks.deliver(delivery.pk, alice_workspace.pk)

    assert (first, second) == ("succeeded", "not due")
    assert len(receiver.received) == 1


def test_an_attempt_in_flight_holds_its_delivery_against_a_second_task(
    alice_workspace, endpoint, receiver
):
    delivery = emit(alice_workspace)
    # What the first task's claim leaves behind while its request is on the wire.
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        attempts=1, next_attempt_at=timezone.now() + services.CLAIM_LEASE
    )

    assert tasks.deliver(delivery.pk, alice_workspace.pk) == "not due"
    assert receiver.received == []


def test_a_task_for_another_workspace_touches_nothing(
    alice_workspace, charlie_workspace, endpoint, receiver
):
    delivery = emit(alice_workspace)

    assert tasks.deliver(delivery.pk, charlie_workspace.pk) == "not due"
    assert receiver.received == []


def test_the_dispatcher_enqueues_open_deliveries_whose_time_has_come(
    alice_workspace, endpoint, monkeypatch
):
    queued = []
    monkeypatch.setattr(tasks.deliver, "delay", lambda *args: queued.append(args))
    an_hour_ago, in_an_hour = (timezone.now() + timedelta(hours=h) for h in (-1, 1))
    deliveries = [emit(alice_workspace) for _ in range(6)]
    due_pending, due_failed, later, done, given_up, _fresh = deliveries
    for delivery, status, at in [
        (due_pending, Status.PENDING, an_hour_ago),
        (due_failed, Status.FAILED, an_hour_ago),
        (later, Status.FAILED, in_an_hour),
        (done, Status.SUCCEEDED, an_hour_ago),
        (given_up, Status.GIVEN_UP, an_hour_ago),
    ]:
        WebhookDelivery.objects.filter(pk=delivery.pk).update(status=status, next_attempt_at=at)

    assert tasks.retry_due() == 2
    # `fresh` was just emitted: its own task is on the way, the dispatcher leaves it alone.
    assert sorted(queued) == sorted(
        [(due_pending.pk, alice_workspace.pk), (due_failed.pk, alice_workspace.pk)]
    )


def test_the_dispatcher_run_twice_still_delivers_once(
    alice_workspace, endpoint, receiver, monkeypatch
):
    queued = []
    monkeypatch.setattr(tasks.deliver, "delay", lambda *args: queued.append(args))
    delivery = emit(alice_workspace)
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        next_attempt_at=timezone.now() - timedelta(minutes=5)
    )

    tasks.retry_due()
    tasks.retry_due()
    outcomes = [services.deliver(delivery_id=pk, workspace_id=ws) for pk, ws in queued]

    assert outcomes == ["succeeded", "not due"]
    assert len(receiver.received) == 1
