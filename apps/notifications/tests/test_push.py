"""Web Push against a local push service that decrypts with the device's key and checks the
VAPID signature, as a real one does."""

import pytest
from django.core.management import call_command

from apps.notifications import push
from apps.notifications.models import Channel, Delivery, Event, PushSubscription
from apps.notifications.services import notify, push_subscription_save
from apps.notifications.tests.conftest import run_enqueued, unb64url

pytestmark = pytest.mark.django_db


def subscribe(workspace, user, device):
    return push_subscription_save(
        workspace=workspace,
        user=user,
        endpoint=device.endpoint,
        p256dh=device.p256dh,
        auth=device.auth,
        user_agent="Mozilla/5.0 (Linux; Android 14) Chrome/130.0 Mobile Safari/537.36",
    )


def test_a_failed_post_reaches_each_device_encrypted_and_signed(
    alice, alice_workspace, push_service, vapid, enqueued, django_capture_on_commit_callbacks
):
    phone, laptop = push_service.new_device(), push_service.new_device()
    subscribe(alice_workspace, alice, phone)
    subscribe(alice_workspace, alice, laptop)
    with django_capture_on_commit_callbacks(execute=True):
        notify(
            workspace=alice_workspace,
            event=Event.POST_FAILED,
            title="A post could not be published",
            body="LinkedIn refused the token",
            url="/w/alice-co/content/7/",
            users=[alice],
        )
    assert run_enqueued(enqueued) == ["sent", "sent"]

    assert len(push_service.received) == 2
    for message in push_service.received:
        # Only the device's private key opens it, and the payload is what the worker shows.
        assert message.payload == {
            "title": "A post could not be published",
            "body": "LinkedIn refused the token",
            "url": "/w/alice-co/content/7/",
            "tag": message.payload["tag"],
        }
        assert message.headers["content-encoding"] == "aes128gcm"
        assert message.headers["urgency"] == "high"
        assert int(message.headers["ttl"]) > 0
        # Signed by our VAPID key, for this push service, naming us.
        assert message.vapid_key == vapid.public_key
        assert message.vapid_claims["aud"] == push_service.base
        assert message.vapid_claims["sub"] == "mailto:ops@techlead.example"
    assert {m.path for m in push_service.received} == {
        phone.endpoint.removeprefix(push_service.base),
        laptop.endpoint.removeprefix(push_service.base),
    }
    assert all(d.last_success_at for d in PushSubscription.objects.all())
    assert set(Delivery.objects.filter(channel=Channel.PUSH).values_list("status", flat=True)) == {
        Delivery.Status.SENT
    }


def test_the_fake_refuses_a_payload_encrypted_for_someone_else(push_service, vapid):
    device, stranger = push_service.new_device(), push_service.new_device()
    with pytest.raises(push.PushError, match="400"):
        push.send(endpoint=device.endpoint, p256dh=stranger.p256dh, auth=stranger.auth, payload={})


def test_a_device_that_is_gone_is_removed_and_the_log_says_so(
    alice, alice_workspace, push_service, enqueued, django_capture_on_commit_callbacks
):
    device = push_service.new_device()
    subscription = subscribe(alice_workspace, alice, device)
    push_service.gone.add(device.endpoint.removeprefix(push_service.base))
    with django_capture_on_commit_callbacks(execute=True):
        notify(workspace=alice_workspace, event=Event.POST_FAILED, title="Failed", users=[alice])
    assert run_enqueued(enqueued) == ["failed"]

    assert not PushSubscription.objects.filter(pk=subscription.pk).exists()
    delivery = Delivery.objects.get(channel=Channel.PUSH)
    assert delivery.status == Delivery.Status.FAILED
    assert "410" in delivery.error
    assert "removed" in delivery.error
    assert delivery.target  # the log still names the device


def test_the_task_run_twice_sends_once(
    alice, alice_workspace, push_service, enqueued, django_capture_on_commit_callbacks
):
    subscribe(alice_workspace, alice, push_service.new_device())
    with django_capture_on_commit_callbacks(execute=True):
        notify(workspace=alice_workspace, event=Event.POST_FAILED, title="Failed", users=[alice])
    (call,) = enqueued
    enqueued.append(call)  # a redelivered message, or two workers
    assert run_enqueued(enqueued) == ["sent", "not pending"]
    assert len(push_service.received) == 1


def test_without_vapid_keys_push_is_not_attempted(
    settings, alice, alice_workspace, push_service, enqueued, django_capture_on_commit_callbacks
):
    subscribe(alice_workspace, alice, push_service.new_device())
    settings.VAPID_PRIVATE_KEY = ""
    with django_capture_on_commit_callbacks(execute=True):
        notify(workspace=alice_workspace, event=Event.POST_FAILED, title="Failed", users=[alice])
    assert enqueued == []
    assert not Delivery.objects.filter(channel=Channel.PUSH).exists()


def test_vapid_keys_prints_a_usable_pair(capsys):
    call_command("vapid_keys")
    out = capsys.readouterr().out
    values = dict(line.split("=", 1) for line in out.splitlines() if line.startswith("VAPID_"))
    assert len(unb64url(values["VAPID_PUBLIC_KEY"])) == 65  # an uncompressed P-256 point
    assert len(unb64url(values["VAPID_PRIVATE_KEY"])) == 32
    from py_vapid import Vapid

    derived = Vapid.from_string(values["VAPID_PRIVATE_KEY"]).public_key
    from cryptography.hazmat.primitives import serialization

    assert derived.public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    ) == unb64url(values["VAPID_PUBLIC_KEY"])
