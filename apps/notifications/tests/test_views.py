"""The notification settings page (grid, devices, phone), the delivery log and the short
link. Charlie should have no access to Alice's stuff; Bob none to Alice's devices or phone."""

import json

import pytest
from django.test import Client

from apps.notifications.models import (
    Channel,
    Delivery,
    Event,
    Notification,
    PhoneNumber,
    Preference,
    PushSubscription,
)
from apps.notifications.services import notify
from apps.notifications.tests.conftest import b64url

pytestmark = pytest.mark.django_db

SETTINGS = "/w/alice-co/settings/notifications/"
P256DH = b64url(b"\x04" + b"\x01" * 64)
AUTH = b64url(b"\x02" * 16)


def subscription_json(endpoint="https://push.example.test/send/abc"):
    return json.dumps({"endpoint": endpoint, "keys": {"p256dh": P256DH, "auth": AUTH}})


@pytest.fixture
def local_push(settings, vapid):
    settings.WEBHOOKS_ALLOW_LOCAL = True  # push.example.test does not resolve here


def test_the_grid_says_why_a_channel_cannot_be_used_yet(alice_client, settings):
    settings.VAPID_PUBLIC_KEY = settings.VAPID_PRIVATE_KEY = ""
    settings.SMS_PROVIDER = ""
    page = alice_client.get(SETTINGS).text
    assert "Push is not set up on this server." in page
    assert "No SMS provider is configured on this server." in page
    assert 'value="lead.detected:push" checked disabled' in page
    assert 'value="lead.detected:email" checked aria-label' in page
    # SMS is offered for leads only.
    assert 'value="post.failed:sms"' not in page


def test_with_keys_and_a_provider_the_reasons_are_the_members_own(alice_client, vapid, twilio):
    page = alice_client.get(SETTINGS).text
    assert "No device yet: turn on push below." in page
    assert "No verified phone yet: add one below." in page
    assert f'data-vapid-key="{vapid.public_key}"' in page


def test_saving_the_grid_stores_each_event_and_channel(alice, alice_client, local_push):
    PushSubscription.objects.create(
        workspace_id=alice.memberships.first().workspace_id,
        user=alice,
        endpoint="https://push.example.test/1",
        p256dh=P256DH,
        auth=AUTH,
    )
    response = alice_client.post(SETTINGS, {"on": ["post.published:push", "bogus:email"]})
    assert response.status_code == 302
    on = set(Preference.objects.filter(user=alice, enabled=True).values_list("event", "channel"))
    assert on == {("post.published", "push")}
    # SMS was not available (no provider): nothing stored for it.
    assert not Preference.objects.filter(channel=Channel.SMS).exists()


def test_a_device_subscribes_with_json_and_csrf(alice, alice_workspace, local_push):
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)
    page = client.get(SETTINGS)
    token = page.cookies["csrftoken"].value
    url = "/w/alice-co/settings/notifications/push/"
    assert client.post(url, subscription_json(), content_type="application/json").status_code == 403
    response = client.post(
        url,
        subscription_json(),
        content_type="application/json",
        headers={"X-CSRFToken": token, "User-Agent": "Mozilla/5.0 (iPhone) Safari/604.1"},
    )
    assert response.status_code == 201
    device = PushSubscription.objects.get(user=alice, workspace=alice_workspace)
    assert (device.p256dh, device.auth, device.label) == (P256DH, AUTH, "Safari on iPhone")
    # The same device again (renewed keys) is the same row.
    client.post(
        url, subscription_json(), content_type="application/json", headers={"X-CSRFToken": token}
    )
    assert PushSubscription.objects.count() == 1
    assert "Safari on iPhone" in client.get(SETTINGS).text


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"endpoint": "not a url", "keys": {"p256dh": P256DH, "auth": AUTH}}, "endpoint"),
        (
            {"endpoint": "https://push.example.test/1", "keys": {"p256dh": "short", "auth": AUTH}},
            "p256dh",
        ),
        ({"endpoint": "https://push.example.test/1", "keys": {"p256dh": P256DH}}, "auth"),
    ],
)
def test_a_bad_subscription_is_a_400_with_field_errors(alice_client, local_push, body, field):
    response = alice_client.post(
        "/w/alice-co/settings/notifications/push/",
        json.dumps(body),
        content_type="application/json",
    )
    assert response.status_code == 400
    assert field in response.json()["errors"]
    assert not PushSubscription.objects.exists()


def test_a_private_push_endpoint_is_refused(alice_client, vapid):
    response = alice_client.post(
        "/w/alice-co/settings/notifications/push/",
        subscription_json("https://169.254.169.254/latest/"),
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "private or internal" in json.dumps(response.json())


def test_a_member_removes_their_device_but_not_someone_elses(
    alice, bob, alice_workspace, charlie, charlie_workspace
):
    mine = PushSubscription.objects.create(
        workspace=alice_workspace, user=alice, endpoint="https://p.test/a", p256dh=P256DH, auth=AUTH
    )
    url = f"/w/alice-co/settings/notifications/push/{mine.pk}/delete/"
    bob_client, charlie_client = Client(), Client()
    bob_client.force_login(bob)
    charlie_client.force_login(charlie)
    assert bob_client.post(url).status_code == 404
    assert charlie_client.post(url).status_code == 404
    # Through his own workspace's URL, Charlie still cannot reach Alice's device.
    assert (
        charlie_client.post(
            f"/w/charlie-co/settings/notifications/push/{mine.pk}/delete/"
        ).status_code
        == 404
    )
    assert PushSubscription.objects.filter(pk=mine.pk).exists()
    alice_client = Client()
    alice_client.force_login(alice)
    assert alice_client.post(url).status_code == 302
    assert not PushSubscription.objects.filter(pk=mine.pk).exists()


def test_phone_verification_through_the_page(alice, alice_client, twilio):
    response = alice_client.post(
        "/w/alice-co/settings/notifications/phone/", {"number": "0151 123"}
    )
    assert response.status_code == 400
    assert "international form" in response.text
    alice_client.post("/w/alice-co/settings/notifications/phone/", {"number": "+49 151 12345678"})
    assert "We texted a 6-digit code" in alice_client.get(SETTINGS).text
    response = alice_client.post("/w/alice-co/settings/notifications/phone/verify/", {"code": "12"})
    assert response.status_code == 400
    assert "six digits" in response.text
    (code,) = twilio.codes_sent_to("+4915112345678")
    alice_client.post("/w/alice-co/settings/notifications/phone/verify/", {"code": code})
    page = alice_client.get(SETTINGS).text
    assert "(verified)" in page
    assert "+49••••••••678" in page
    response = alice_client.post(
        "/w/alice-co/settings/notifications/phone/sms/",
        {"sms_enabled": "on", "sms_threshold": "120"},
    )
    assert response.status_code == 400
    alice_client.post("/w/alice-co/settings/notifications/phone/sms/", {"sms_threshold": "95"})
    phone = PhoneNumber.objects.get(user=alice)
    assert (phone.sms_enabled, phone.sms_threshold) == (False, 95)


def test_phone_and_log_urls_are_404_for_another_workspace(charlie_client, alice, alice_workspace):
    PhoneNumber.objects.create(workspace=alice_workspace, user=alice, number="+4915112345678")
    for path in ("phone/verify/", "phone/resend/", "phone/sms/", "phone/delete/"):
        assert charlie_client.post(f"{SETTINGS}{path}").status_code == 404
    assert charlie_client.get(f"{SETTINGS}log/").status_code == 404
    assert PhoneNumber.objects.filter(user=alice).exists()


def test_the_delivery_log_shows_the_members_own_and_the_workspaces_webhooks(
    alice, bob, alice_workspace, alice_client, django_assert_max_num_queries
):
    notify(
        workspace=alice_workspace, event=Event.POST_FAILED, title="Alice's failure", users=[alice]
    )
    notify(workspace=alice_workspace, event=Event.POST_FAILED, title="Bob's failure", users=[bob])
    Delivery.objects.create(
        workspace=alice_workspace,
        event="post.failed",
        channel=Channel.WEBHOOK,
        target="https://hooks.example.test/x",
    )
    # user (the session comes from the cache), memberships+workspaces (the switcher's too), unread
    # count, deliveries (one query with their notifications and webhook rows), plus savepoints.
    with django_assert_max_num_queries(10):
        page = alice_client.get(f"{SETTINGS}log/").text
    assert "Alice&#x27;s failure" in page
    assert "Bob&#x27;s failure" not in page
    assert "https://hooks.example.test/x" in page
    bob_client = Client()
    bob_client.force_login(bob)
    bobs = bob_client.get(f"{SETTINGS}log/").text  # an editor: no webhooks
    assert "https://hooks.example.test/x" not in bobs
    assert "Bob&#x27;s failure" in bobs


def test_the_short_link_marks_read_and_opens_the_page(alice, bob, alice_workspace, alice_client):
    (told,) = notify(
        workspace=alice_workspace,
        event=Event.LEAD_DETECTED,
        title="Lead",
        url="/w/alice-co/leads/",
        users=[alice],
    )
    response = alice_client.get(f"/w/alice-co/n/{told.pk}/")
    assert response.status_code == 302
    assert response.url == "/w/alice-co/leads/"
    assert Notification.objects.get(pk=told.pk).read_at is not None
    bob_client = Client()
    bob_client.force_login(bob)
    assert bob_client.get(f"/w/alice-co/n/{told.pk}/").status_code == 404
