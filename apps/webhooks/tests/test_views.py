"""The webhook settings page: owners and admins manage endpoints, everyone can read the log,
a secret is shown once, and Charlie should have no access to Alice's stuff."""

import socket

import pytest
from django.utils import timezone

from apps.accounts.models import AuditEvent
from apps.webhooks import destinations, services
from apps.webhooks.models import WebhookDelivery, WebhookEndpoint

pytestmark = [pytest.mark.django_db, pytest.mark.urls("apps.webhooks.tests.urls")]

PAGE = "/w/alice-co/settings/webhooks/"
CHARLIES_PAGE = "/w/charlie-co/settings/webhooks/"


@pytest.fixture(autouse=True)
def public_dns(monkeypatch, settings):
    """hooks.example.com is a public host; nothing here leaves the machine."""
    settings.WEBHOOKS_ALLOW_LOCAL = False

    def getaddrinfo(host, port, *args, **kwargs):
        if host != "hooks.example.com":
            raise socket.gaierror("not found")
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.215.14", port))]

    monkeypatch.setattr(destinations.socket, "getaddrinfo", getaddrinfo)


@pytest.fixture
def alices_endpoint(alice_workspace):
    return WebhookEndpoint.objects.create(
        workspace=alice_workspace, url="https://hooks.example.com/in", events=["lead.detected"]
    )


@pytest.fixture
def given_up(alices_endpoint):
    [delivery] = services.emit(
        workspace=alices_endpoint.workspace, event="lead.detected", data={"lead": {"id": 1}}
    )
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        status=WebhookDelivery.Status.GIVEN_UP,
        attempts=6,
        next_attempt_at=None,
        last_status_code=500,
        last_error="HTTP 500: boom",
    )
    return delivery


def endpoint_urls(endpoint_pk, delivery_pk):
    return [
        PAGE,
        PAGE + "new/",
        f"{PAGE}{endpoint_pk}/rotate/",
        f"{PAGE}{endpoint_pk}/active/",
        f"{PAGE}{endpoint_pk}/delete/",
        f"{PAGE}{endpoint_pk}/ping/",
        f"{PAGE}deliveries/{delivery_pk}/redeliver/",
    ]


# --- Looking -------------------------------------------------------------------------------


def test_the_page_lists_endpoints_and_the_delivery_log(alice_client, given_up):
    response = alice_client.get(PAGE)

    assert response.status_code == 200
    page = response.content.decode()
    assert "https://hooks.example.com/in" in page
    assert "HTTP 500: boom" in page
    assert f"/deliveries/{given_up.pk}/redeliver/" in page
    assert 'id="verify-example"' in page
    assert given_up.endpoint.secret not in page


def test_the_page_runs_a_fixed_number_of_queries(alice_client, given_up, django_assert_num_queries):
    for _ in range(3):
        services.emit(workspace=given_up.workspace, event="lead.detected", data={})
    # user (the session comes from the cache), memberships+workspaces (the switcher's too),
    # endpoints, deliveries+endpoints, unread notifications; savepoint and release.
    with django_assert_num_queries(7):
        response = alice_client.get(PAGE)
    assert response.status_code == 200


def test_the_log_refreshes_in_place_with_a_fixed_number_of_queries(
    alice_client, given_up, django_assert_num_queries
):
    # user (the session comes from the cache), memberships+workspaces, deliveries+endpoints;
    # savepoint and release.
    with django_assert_num_queries(5):
        response = alice_client.get(PAGE, headers={"HX-Request": "true"})

    page = response.content.decode()
    assert page.lstrip().startswith('<div id="delivery-log"')
    assert "HTTP 500: boom" in page


def test_an_editor_can_read_the_page_but_not_change_anything(bob_client, given_up):
    page = bob_client.get(PAGE).content.decode()

    assert "HTTP 500: boom" in page
    assert "Add an endpoint" not in page
    assert "/redeliver/" not in page


# --- Adding --------------------------------------------------------------------------------


def test_the_owner_adds_an_endpoint_and_sees_its_secret_once(alice_client, alice_workspace):
    response = alice_client.post(
        PAGE + "new/",
        {"url": "https://hooks.example.com/in", "events": ["lead.detected", "post.failed"]},
    )

    assert response.status_code == 200
    endpoint = WebhookEndpoint.objects.get(workspace=alice_workspace)
    assert endpoint.events == ["lead.detected", "post.failed"]
    assert endpoint.secret.startswith("whsec_")
    assert endpoint.secret in response.content.decode()
    assert response["Cache-Control"] == "no-store"
    assert endpoint.secret not in alice_client.get(PAGE).content.decode()
    assert AuditEvent.objects.filter(action="webhook.created", workspace=alice_workspace).exists()


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("https://10.0.0.1/hook", "private or internal"),
        ("https://169.254.169.254/latest/meta-data/", "private or internal"),
        ("http://hooks.example.com/hook", "https://"),
        ("https://me:pw@hooks.example.com/hook", "passwords"),
    ],
)
def test_an_unsafe_address_is_refused_with_a_reason(alice_client, url, message):
    response = alice_client.post(PAGE + "new/", {"url": url, "events": ["lead.detected"]})

    assert response.status_code == 400
    assert message in response.content.decode()
    assert WebhookEndpoint.objects.count() == 0


def test_an_endpoint_needs_at_least_one_event(alice_client):
    response = alice_client.post(PAGE + "new/", {"url": "https://hooks.example.com/in"})

    assert response.status_code == 400
    assert "Choose at least one event." in response.content.decode()


def test_an_editor_cannot_add_an_endpoint(bob_client):
    response = bob_client.post(
        PAGE + "new/", {"url": "https://hooks.example.com/in", "events": ["lead.detected"]}
    )

    assert response.status_code == 403
    assert WebhookEndpoint.objects.count() == 0


@pytest.mark.parametrize("action", ["rotate", "active", "delete", "ping"])
def test_an_editor_cannot_change_an_endpoint(bob_client, alices_endpoint, action):
    response = bob_client.post(f"{PAGE}{alices_endpoint.pk}/{action}/", {"active": "no"})

    assert response.status_code == 403
    assert WebhookEndpoint.objects.filter(pk=alices_endpoint.pk, is_active=True).exists()


def test_an_editor_cannot_send_a_delivery_again(bob_client, given_up):
    response = bob_client.post(f"{PAGE}deliveries/{given_up.pk}/redeliver/")

    assert response.status_code == 403


# --- Changing ------------------------------------------------------------------------------


def test_the_owner_rotates_the_secret_and_sees_the_new_one_once(alice_client, alices_endpoint):
    old = alices_endpoint.secret

    response = alice_client.post(f"{PAGE}{alices_endpoint.pk}/rotate/")

    alices_endpoint.refresh_from_db()
    assert alices_endpoint.secret != old
    assert alices_endpoint.secret in response.content.decode()
    assert old not in response.content.decode()


def test_the_owner_turns_an_endpoint_off_and_on_again(alice_client, alices_endpoint):
    alice_client.post(f"{PAGE}{alices_endpoint.pk}/active/", {"active": "no"})
    alices_endpoint.refresh_from_db()
    assert not alices_endpoint.is_active
    assert "Turned off by a member" in alice_client.get(PAGE).content.decode()

    response = alice_client.post(f"{PAGE}{alices_endpoint.pk}/active/", {"active": "yes"})

    assert response.status_code == 302
    alices_endpoint.refresh_from_db()
    assert alices_endpoint.is_active


def test_an_endpoint_turned_off_automatically_says_why(alice_client, alices_endpoint):
    WebhookEndpoint.objects.filter(pk=alices_endpoint.pk).update(
        is_active=False,
        consecutive_failures=5,
        disabled_at=timezone.now(),
        disabled_reason="HTTP 410: gone",
    )

    page = alice_client.get(PAGE).content.decode()

    assert "Turned off automatically after 5 failed deliveries in a row." in page
    assert "HTTP 410: gone" in page


def test_the_owner_deletes_an_endpoint_with_its_log(alice_client, given_up):
    response = alice_client.post(f"{PAGE}{given_up.endpoint_id}/delete/")

    assert response.status_code == 302
    assert WebhookEndpoint.objects.count() == 0
    assert WebhookDelivery.objects.count() == 0


def test_the_owner_sends_a_test_event(alice_client, alices_endpoint):
    response = alice_client.post(f"{PAGE}{alices_endpoint.pk}/ping/")

    assert response.status_code == 302
    [delivery] = WebhookDelivery.objects.all()
    assert delivery.event == "ping"
    assert delivery.status == WebhookDelivery.Status.PENDING


def test_a_test_event_to_an_endpoint_that_is_off_is_refused(alice_client, alices_endpoint):
    WebhookEndpoint.objects.filter(pk=alices_endpoint.pk).update(is_active=False)

    response = alice_client.post(f"{PAGE}{alices_endpoint.pk}/ping/", follow=True)

    assert "Turn the endpoint on first." in response.content.decode()
    assert WebhookDelivery.objects.count() == 0


def test_the_owner_sends_a_given_up_delivery_again_in_place(alice_client, given_up):
    response = alice_client.post(
        f"{PAGE}deliveries/{given_up.pk}/redeliver/", headers={"HX-Request": "true"}
    )

    page = response.content.decode()
    assert page.lstrip().startswith('<div id="delivery-log"')
    assert "on its way again" in page
    given_up.refresh_from_db()
    assert given_up.status == WebhookDelivery.Status.PENDING
    assert given_up.attempts == 0


def test_sending_again_works_without_javascript(alice_client, given_up):
    response = alice_client.post(f"{PAGE}deliveries/{given_up.pk}/redeliver/")

    assert response.status_code == 302
    assert response["Location"] == PAGE


# --- Outsiders -----------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["get", "post"])
def test_charlie_gets_404_on_every_one_of_alices_webhook_urls(charlie_client, given_up, method):
    for url in endpoint_urls(given_up.endpoint_id, given_up.pk):
        assert getattr(charlie_client, method)(url).status_code == 404, url


@pytest.mark.parametrize("action", ["rotate", "active", "delete", "ping"])
def test_charlie_cannot_reach_alices_endpoint_from_his_own_workspace(
    charlie_client, alices_endpoint, action
):
    response = charlie_client.post(f"{CHARLIES_PAGE}{alices_endpoint.pk}/{action}/")

    assert response.status_code == 404
    alices_endpoint.refresh_from_db()
    assert alices_endpoint.is_active


def test_charlie_cannot_send_alices_delivery_again_from_his_own_workspace(charlie_client, given_up):
    response = charlie_client.post(f"{CHARLIES_PAGE}deliveries/{given_up.pk}/redeliver/")

    assert response.status_code == 404
    given_up.refresh_from_db()
    assert given_up.status == WebhookDelivery.Status.GIVEN_UP


def test_someone_signed_out_is_sent_to_sign_in(client, alice_workspace):
    response = client.get(PAGE)

    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]
