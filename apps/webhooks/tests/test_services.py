"""Emitting events and delivering them: signed, retried with backoff, given up, and an
endpoint that keeps failing turned off with its owners told once."""

import uuid
from datetime import timedelta

import pytest
import time_machine
from django.db import DatabaseError
from django.utils import timezone

from apps.content.models import Post
from apps.leads.models import Comment, Commenter, Lead
from apps.notifications import events
from apps.notifications.models import Event, Notification, OutboxEvent
from apps.webhooks import services, tasks
from apps.webhooks.models import PING, EventType, WebhookDelivery, WebhookEndpoint

pytestmark = [pytest.mark.django_db, pytest.mark.urls("apps.webhooks.tests.urls")]

Status = WebhookDelivery.Status


@pytest.fixture
def enqueued(monkeypatch):
    """Tasks the services queue after commit, as (args, countdown), instead of a broker."""
    calls = []
    monkeypatch.setattr(
        tasks.deliver,
        "apply_async",
        lambda args, countdown=None: calls.append((tuple(args), countdown)),
    )
    monkeypatch.setattr(tasks.deliver, "delay", lambda *args: calls.append((args, None)))
    return calls


def lead_event(workspace, n=1):
    [delivery] = services.emit(
        workspace=workspace, event=EventType.LEAD_DETECTED, data={"lead": {"id": n}}
    )
    return delivery


def attempt(delivery):
    return services.deliver(delivery_id=delivery.pk, workspace_id=delivery.workspace_id)


# --- Emitting ------------------------------------------------------------------------------


def test_an_event_is_queued_for_each_active_endpoint_subscribed_to_it(
    alice_workspace, endpoint, enqueued, django_capture_on_commit_callbacks
):
    make = WebhookEndpoint.objects.create
    make(workspace=alice_workspace, url="https://a.example.com/", events=["post.published"])
    make(workspace=alice_workspace, url="https://b.example.com/", events=[], is_active=False)

    with django_capture_on_commit_callbacks(execute=True):
        deliveries = services.emit(
            workspace=alice_workspace, event="lead.detected", data={"lead": {"id": 7}}
        )

    assert [d.endpoint for d in deliveries] == [endpoint]
    assert enqueued == [((deliveries[0].pk, alice_workspace.pk), None)]
    payload = deliveries[0].payload
    assert set(payload) == {"id", "type", "created_at", "workspace", "data"}
    assert payload["type"] == "lead.detected"
    assert payload["workspace"] == "alice-co"
    assert payload["id"] == str(deliveries[0].event_id)
    assert payload["data"] == {"lead": {"id": 7}}


def test_emitting_twice_with_the_same_event_id_makes_one_delivery(alice_workspace, endpoint):
    for _ in range(2):
        services.emit(
            workspace=alice_workspace, event="post.published", data={}, event_id="post:42"
        )

    assert WebhookDelivery.objects.filter(endpoint=endpoint).count() == 1


def test_a_text_event_id_becomes_a_stable_uuid_and_a_uuid_is_kept(alice_workspace, endpoint):
    given = uuid.uuid4()
    [first] = services.emit(workspace=alice_workspace, event="post.failed", data={}, event_id="x")
    [second] = services.emit(
        workspace=alice_workspace, event="post.failed", data={}, event_id=str(given)
    )

    assert first.event_id == uuid.uuid5(services.EVENT_ID_NAMESPACE, "x")
    assert second.event_id == given


def test_an_unknown_event_is_a_programming_error(alice_workspace):
    with pytest.raises(ValueError, match="Unknown webhook event"):
        services.emit(workspace=alice_workspace, event="lead.deleted", data={})


def test_a_workspace_without_endpoints_queues_nothing(charlie_workspace, endpoint):
    assert services.emit(workspace=charlie_workspace, event="lead.detected", data={}) == []
    assert WebhookDelivery.objects.count() == 0


def test_a_published_post_is_sent_with_its_linkedin_address_once(
    alice_workspace, endpoint, deliver_events
):
    post = Post.objects.create(
        workspace=alice_workspace,
        text="Kafka is not a database",
        hook="Kafka is not a database",
        status=Post.Status.PUBLISHED,
        published_at=timezone.now(),
        linkedin_urn="urn:li:share:1",
        linkedin_url="https://www.linkedin.com/feed/update/urn:li:share:1/",
    )

    events.post_published(post=post, notice={})
    events.post_published(post=post, notice={})
    deliver_events()
    deliver_events()

    [delivery] = WebhookDelivery.objects.all()
    assert delivery.event == "post.published"
    assert delivery.payload["data"]["post"]["linkedin_urn"] == "urn:li:share:1"
    assert delivery.payload["data"]["post"]["published_at"].startswith(str(timezone.now().year))


def test_a_failed_post_carries_the_reason(alice_workspace, endpoint, deliver_events):
    post = Post.objects.create(
        workspace=alice_workspace, text="t", hook="t", status=Post.Status.FAILED
    )

    events.post_failed(post=post, reason="LinkedIn refused the token", notice={})
    deliver_events()

    [delivery] = WebhookDelivery.objects.all()
    assert delivery.payload["data"]["reason"] == "LinkedIn refused the token"


def test_a_detected_lead_carries_the_commenter_and_the_comment(
    alice_workspace, endpoint, deliver_events
):
    commenter = Commenter.objects.create(
        workspace=alice_workspace, actor_urn="urn:li:person:cto42", name="Dana", headline="CTO"
    )
    lead = Lead.objects.create(workspace=alice_workspace, commenter=commenter, score=91)
    comment = Comment.objects.create(
        workspace=alice_workspace,
        commenter=commenter,
        lead=lead,
        urn="urn:li:comment:9",
        text="What is your day rate?",
        intent="pricing_question",
        score=91,
    )

    events.lead_detected(lead=lead, comment=comment)
    events.lead_detected(lead=lead, comment=comment)
    deliver_events()

    [delivery] = WebhookDelivery.objects.all()
    data = delivery.payload["data"]
    assert data["lead"]["score"] == 91
    assert data["commenter"] == {
        "name": "Dana",
        "headline": "CTO",
        "linkedin_urn": "urn:li:person:cto42",
    }
    assert data["comment"]["text"] == "What is your day rate?"


def test_a_database_error_while_queueing_leaves_the_event_to_be_delivered_again(
    alice_workspace, endpoint, monkeypatch, deliver_events
):
    def broken(**kwargs):
        raise DatabaseError("disk full")

    post = Post.objects.create(workspace=alice_workspace, text="t", hook="t")
    events.post_published(post=post, notice={})
    monkeypatch.setattr(services, "emit", broken)

    assert deliver_events() == ["retry"]
    assert WebhookDelivery.objects.count() == 0
    monkeypatch.undo()
    OutboxEvent.objects.update(next_attempt_at=timezone.now())
    assert deliver_events() == ["delivered"]
    assert WebhookDelivery.objects.count() == 1


# --- Delivering ----------------------------------------------------------------------------


def test_a_delivery_reaches_the_receiver_signed_and_is_marked_delivered(
    alice_workspace, endpoint, receiver
):
    delivery = lead_event(alice_workspace)

    assert attempt(delivery) == "succeeded"

    [request] = receiver.received
    assert request.signature_valid
    assert request.headers["Webhook-Id"] == str(delivery.event_id)
    assert request.headers["Content-Type"] == "application/json"
    assert request.json["type"] == "lead.detected"
    assert request.json["data"] == {"lead": {"id": 1}}
    delivery.refresh_from_db()
    assert delivery.status == Status.SUCCEEDED
    assert delivery.attempts == 1
    assert delivery.last_status_code == 200
    assert delivery.delivered_at is not None
    assert delivery.next_attempt_at is None


def test_a_failing_receiver_is_retried_with_growing_backoff_until_it_answers(
    alice_workspace, endpoint, receiver, enqueued, django_capture_on_commit_callbacks
):
    receiver.answers = [500, 503]
    delivery = lead_event(alice_workspace)
    waits = []

    with time_machine.travel(timezone.now(), tick=False) as clock:
        for expected in ("failed", "failed", "succeeded"):
            with django_capture_on_commit_callbacks(execute=True):
                assert attempt(delivery) == expected
            delivery.refresh_from_db()
            if expected == "failed":
                waits.append((delivery.next_attempt_at - timezone.now()).total_seconds())
                assert attempt(delivery) == "not due"  # early: nothing is sent
                clock.move_to(delivery.next_attempt_at)

    assert 54 <= waits[0] <= 66  # one minute, ±10%
    assert 270 <= waits[1] <= 330  # five minutes, ±10%
    assert [countdown for _, countdown in enqueued] == pytest.approx(waits)
    assert delivery.status == Status.SUCCEEDED
    assert delivery.attempts == 3
    assert len(receiver.received) == 3
    assert len({r.headers["Webhook-Id"] for r in receiver.received}) == 1
    assert all(r.signature_valid for r in receiver.received)
    assert len({r.headers["Webhook-Timestamp"] for r in receiver.received}) == 3


def test_a_failed_attempt_records_the_status_but_never_the_answers_body(
    alice_workspace, endpoint, receiver
):
    receiver.answers = [502]
    delivery = lead_event(alice_workspace)

    attempt(delivery)

    delivery.refresh_from_db()
    assert delivery.status == Status.FAILED
    assert delivery.last_status_code == 502
    assert delivery.last_error == "HTTP 502"  # not "receiver says 502": admins read this


def test_a_receiver_that_does_not_answer_in_time_is_a_failed_attempt(
    alice_workspace, endpoint, receiver, settings
):
    settings.WEBHOOKS_TIMEOUT_SECONDS = 0.2
    receiver.delay = 0.6
    delivery = lead_event(alice_workspace)

    assert attempt(delivery) == "failed"

    delivery.refresh_from_db()
    assert delivery.last_error == "No answer within 0.2 s"
    assert delivery.last_status_code is None


def test_a_receiver_that_is_not_listening_is_a_failed_attempt(alice_workspace, settings):
    settings.WEBHOOKS_ALLOW_LOCAL = True
    WebhookEndpoint.objects.create(
        workspace=alice_workspace, url="http://127.0.0.1:9/closed", events=["lead.detected"]
    )
    delivery = lead_event(alice_workspace)

    assert attempt(delivery) == "failed"
    delivery.refresh_from_db()
    assert delivery.last_error.startswith("Could not connect")


def test_a_redirect_is_not_followed(alice_workspace, endpoint, receiver):
    receiver.answers = [302]
    delivery = lead_event(alice_workspace)

    assert attempt(delivery) == "failed"
    assert len(receiver.received) == 1


def test_a_delivery_is_given_up_after_the_last_attempt(
    alice_workspace, endpoint, receiver, settings
):
    settings.WEBHOOKS_RETRY_DELAYS = (60, 300)
    receiver.answers = [500, 500, 500]
    delivery = lead_event(alice_workspace)

    with time_machine.travel(timezone.now(), tick=False) as clock:
        outcomes = []
        for _ in range(4):
            outcomes.append(attempt(delivery))
            clock.shift(timedelta(minutes=10))

    assert outcomes == ["failed", "failed", "given up", "not due"]
    delivery.refresh_from_db()
    assert delivery.status == Status.GIVEN_UP
    assert delivery.attempts == 3
    assert delivery.next_attempt_at is None
    endpoint.refresh_from_db()
    assert endpoint.consecutive_failures == 1
    assert endpoint.is_active


def test_six_attempts_by_default_over_about_nine_hours():
    assert services.max_attempts() == 6
    assert sum(services.retry_delays()) / 3600 == pytest.approx(8.6, abs=0.1)


def test_an_endpoint_failing_again_and_again_is_turned_off_and_its_owner_told_once(
    alice, bob, alice_workspace, endpoint, receiver, settings, deliver_events
):
    settings.WEBHOOKS_RETRY_DELAYS = ()  # one attempt each, so each failure is a given-up
    settings.WEBHOOKS_DISABLE_AFTER = 3
    receiver.answers = [500] * 10
    deliveries = [lead_event(alice_workspace, n) for n in range(5)]

    outcomes = [attempt(delivery) for delivery in deliveries]

    assert outcomes == ["given up"] * 3 + ["endpoint off"] * 2
    assert len(receiver.received) == 3  # nothing is sent once it is off
    endpoint.refresh_from_db()
    assert not endpoint.is_active
    assert endpoint.disabled_at is not None
    assert endpoint.disabled_reason == "HTTP 500"
    deliver_events()
    [told] = Notification.objects.filter(event=Event.WEBHOOK_DISABLED)
    assert told.user == alice  # the owner, not Bob the editor
    assert told.url == "/w/alice-co/settings/webhooks/"
    assert endpoint.url in told.body
    skipped = WebhookDelivery.objects.get(pk=deliveries[4].pk)
    assert skipped.status == Status.GIVEN_UP
    assert skipped.attempts == 0
    assert skipped.last_error == "The endpoint is turned off."


def test_a_success_resets_the_failure_count(alice_workspace, endpoint, receiver):
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(consecutive_failures=4)

    attempt(lead_event(alice_workspace))

    endpoint.refresh_from_db()
    assert endpoint.consecutive_failures == 0


def test_turning_an_endpoint_back_on_forgets_its_failures(alice, alice_workspace, endpoint):
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(
        is_active=False, consecutive_failures=5, disabled_at=timezone.now(), disabled_reason="x"
    )
    endpoint.refresh_from_db()

    services.endpoint_set_active(endpoint=endpoint, actor=alice, active=True)

    endpoint.refresh_from_db()
    assert endpoint.is_active
    assert endpoint.consecutive_failures == 0
    assert endpoint.disabled_at is None
    assert endpoint.disabled_reason == ""


def test_an_inactive_endpoint_gets_no_new_events(alice, alice_workspace, endpoint):
    services.endpoint_set_active(endpoint=endpoint, actor=alice, active=False)

    assert services.emit(workspace=alice_workspace, event="lead.detected", data={}) == []


def test_a_given_up_delivery_can_be_sent_again_with_fresh_attempts(
    alice, alice_workspace, endpoint, receiver, settings
):
    settings.WEBHOOKS_RETRY_DELAYS = ()
    receiver.answers = [500]
    delivery = lead_event(alice_workspace)
    attempt(delivery)

    services.redeliver(delivery=WebhookDelivery.objects.get(pk=delivery.pk), actor=alice)
    outcome = attempt(delivery)

    assert outcome == "succeeded"
    delivery.refresh_from_db()
    assert delivery.attempts == 1
    assert [r.headers["Webhook-Id"] for r in receiver.received] == [str(delivery.event_id)] * 2


def test_a_delivered_event_cannot_be_sent_again(alice, alice_workspace, endpoint, receiver):
    delivery = lead_event(alice_workspace)
    attempt(delivery)

    with pytest.raises(services.WebhookError):
        services.redeliver(delivery=WebhookDelivery.objects.get(pk=delivery.pk), actor=alice)


def test_a_test_event_goes_to_one_endpoint_whatever_it_subscribes_to(
    alice, alice_workspace, endpoint, receiver
):
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(events=["post.failed"])
    endpoint.refresh_from_db()

    delivery = services.ping(endpoint=endpoint, actor=alice)
    attempt(delivery)

    [request] = receiver.received
    assert request.json["type"] == PING
    assert request.signature_valid


def test_an_endpoint_at_a_private_address_cannot_be_added(alice, alice_workspace, settings):
    settings.WEBHOOKS_ALLOW_LOCAL = False

    with pytest.raises(services.WebhookError, match="private or internal"):
        services.endpoint_create(
            workspace=alice_workspace,
            actor=alice,
            url="https://10.0.0.1/",
            events=["lead.detected"],
        )
    assert WebhookEndpoint.objects.count() == 0


def test_rotating_the_secret_signs_the_next_attempt_with_the_new_one(
    alice, alice_workspace, endpoint, receiver
):
    old = endpoint.secret

    new = services.endpoint_rotate_secret(endpoint=endpoint, actor=alice)
    receiver.secret = new
    attempt(lead_event(alice_workspace))

    assert new != old
    assert new.startswith("whsec_")
    assert receiver.received[0].signature_valid


def test_old_finished_deliveries_are_purged_from_the_log(alice_workspace, endpoint):
    old, recent, open_ = (lead_event(alice_workspace, n) for n in range(3))
    long_ago = timezone.now() - timedelta(days=40)
    WebhookDelivery.objects.filter(pk__in=[old.pk, open_.pk]).update(created_at=long_ago)
    WebhookDelivery.objects.filter(pk__in=[old.pk, recent.pk]).update(status=Status.SUCCEEDED)

    assert services.purge_deliveries() == 1
    assert set(WebhookDelivery.objects.values_list("pk", flat=True)) == {recent.pk, open_.pk}
