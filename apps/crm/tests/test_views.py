"""The CRM settings page: owners and admins connect and map stages, every member reads the
log, and another workspace's member gets a 404."""

import pytest
from django.urls import reverse

from apps.accounts.models import AuditEvent
from apps.crm.models import CrmConnection, CrmDelivery
from apps.crm.tests.conftest import make_lead

pytestmark = pytest.mark.django_db


def url(name, **kwargs):
    return reverse(name, kwargs={"workspace_slug": "alice-co", **kwargs})


def test_an_owner_connects_pipedrive_after_the_token_is_checked(alice_client, fake_pipedrive):
    response = alice_client.post(
        url("crm_connect"),
        {"provider": "pipedrive", "token": fake_pipedrive.token, "stage_qualified": "3"},
    )

    assert response.status_code == 302
    connection = CrmConnection.objects.get()
    assert (connection.provider, connection.stage_map) == ("pipedrive", {"qualified": "3"})
    assert AuditEvent.objects.filter(action="crm.connected").exists()
    assert ("GET", "/v1/users/me") in fake_pipedrive.calls


def test_a_refused_token_is_shown_on_the_form_and_nothing_is_stored(alice_client, fake_hubspot):
    response = alice_client.post(url("crm_connect"), {"provider": "hubspot", "token": "pat-wrong"})

    assert response.status_code == 400
    assert "refused this token" in response.content.decode()
    assert not CrmConnection.objects.exists()


def test_an_editor_reads_the_page_but_cannot_connect(bob_client, fake_hubspot):
    page = bob_client.get(url("crm_settings"))
    response = bob_client.post(
        url("crm_connect"), {"provider": "hubspot", "token": fake_hubspot.token}
    )

    assert page.status_code == 200
    assert "Check the token and connect" not in page.content.decode()
    assert response.status_code == 403
    assert not CrmConnection.objects.exists()


def test_a_revoked_connection_says_so_on_the_page(alice_client, hubspot_connection):
    CrmConnection.objects.filter(pk=hubspot_connection.pk).update(
        status=CrmConnection.Status.REVOKED, status_reason="HubSpot refused the token."
    )

    page = alice_client.get(url("crm_settings")).content.decode()

    assert "token revoked" in page
    assert "HubSpot refused the token." in page


def test_the_owner_maps_stages_and_disconnects(alice_client, hubspot_connection):
    alice_client.post(url("crm_stages"), {"stage_converted": "closedwon", "stage_new": ""})
    hubspot_connection.refresh_from_db()
    assert hubspot_connection.stage_map == {"converted": "closedwon"}

    alice_client.post(url("crm_disconnect"))
    assert not CrmConnection.objects.exists()


def test_the_log_lists_pushes_and_a_given_up_one_can_be_sent_again(
    alice_client, hubspot_connection, alice_workspace, django_capture_on_commit_callbacks
):
    lead = make_lead(alice_workspace)
    delivery = CrmDelivery.objects.create(
        workspace=alice_workspace,
        connection=hubspot_connection,
        lead=lead,
        event="lead.detected",
        event_key=f"lead.detected:{lead.pk}",
        status=CrmDelivery.Status.GIVEN_UP,
        error="HubSpot answered 400: bad stage",
    )

    page = alice_client.get(url("crm_settings")).content.decode()
    with django_capture_on_commit_callbacks() as callbacks:
        alice_client.post(url("crm_redeliver", pk=delivery.pk))

    delivery.refresh_from_db()
    assert "bad stage" in page
    assert delivery.status == CrmDelivery.Status.PENDING
    assert len(callbacks) == 1


def test_charlie_gets_404_on_alice_crm_pages(charlie_client, hubspot_connection, alice_workspace):
    lead = make_lead(alice_workspace)
    delivery = CrmDelivery.objects.create(
        workspace=alice_workspace,
        connection=hubspot_connection,
        lead=lead,
        event="lead.detected",
        event_key="k",
        status=CrmDelivery.Status.GIVEN_UP,
    )

    assert charlie_client.get(url("crm_settings")).status_code == 404
    assert charlie_client.post(url("crm_disconnect")).status_code == 404
    assert charlie_client.post(url("crm_redeliver", pk=delivery.pk)).status_code == 404
    assert CrmConnection.objects.filter(pk=hubspot_connection.pk).exists()


@pytest.mark.parametrize("pushes", [1, 5])
def test_the_page_runs_a_fixed_number_of_queries(
    alice_client, hubspot_connection, alice_workspace, django_assert_num_queries, pushes
):
    for n in range(pushes):
        lead = make_lead(alice_workspace, name=f"Lead{n} Person")
        CrmDelivery.objects.create(
            workspace=alice_workspace,
            connection=hubspot_connection,
            lead=lead,
            event="lead.detected",
            event_key=f"lead.detected:{lead.pk}",
        )
    # user (the session comes from the cache), memberships+workspaces (the switcher's too),
    # connection, deliveries+leads+commenters, unread notifications; savepoint and release.
    with django_assert_num_queries(7):
        response = alice_client.get(url("crm_settings"))
    assert response.status_code == 200
    assert f"Lead{pushes - 1} Person" in response.content.decode()
