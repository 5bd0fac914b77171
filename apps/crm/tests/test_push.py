"""Pushing leads to HubSpot and Pipedrive (local fakes of both APIs): a contact matched or
created, a deal with the value and the mapped stage, a note with the comment; never twice,
retried with backoff, and stopped with a clear state when the token is revoked."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from apps.crm import services
from apps.crm.hubspot import DEAL_TO_CONTACT, NOTE_TO_CONTACT, NOTE_TO_DEAL
from apps.crm.models import CrmConnection, CrmDelivery, CrmRecord
from apps.crm.tasks import push
from apps.crm.tests.conftest import make_lead
from apps.leads.services import lead_update

pytestmark = pytest.mark.django_db


def detected(lead) -> CrmDelivery:
    return services.crm_enqueue_for_event(
        workspace=lead.workspace,
        event="lead.detected",
        data={"lead": {"id": lead.pk}},
        event_id=f"lead.detected:{lead.pk}",
    )


def run(delivery, **kwargs) -> str:
    return services.crm_push(
        delivery_id=delivery.pk, workspace_id=delivery.workspace_id, **kwargs
    ).result


# --- HubSpot -------------------------------------------------------------------------------


def test_a_new_lead_becomes_a_hubspot_contact_deal_and_note(
    fake_hubspot, hubspot_connection, alice_workspace
):
    lead = make_lead(alice_workspace)

    assert run(detected(lead)) == "sent"

    [(contact_id, contact)] = fake_hubspot.objects["contacts"].items()
    [(deal_id, deal)] = fake_hubspot.objects["deals"].items()
    [(note_id, note)] = fake_hubspot.objects["notes"].items()
    assert contact == {
        "firstname": "Dana",
        "lastname": "Scully",
        "jobtitle": "CTO at Acme GmbH",
        "company": "Acme GmbH",
    }
    assert deal["dealname"] == f"Dana Scully (LinkedIn lead {lead.pk})"
    assert deal["dealstage"] == "appointmentscheduled"  # HubSpot's default for an unmapped "new"
    assert "can we talk?" in note["hs_note_body"]
    assert set(fake_hubspot.associations) == {
        ("deals", deal_id, contact_id, DEAL_TO_CONTACT),
        ("notes", note_id, contact_id, NOTE_TO_CONTACT),
        ("notes", note_id, deal_id, NOTE_TO_DEAL),
    }
    record = CrmRecord.objects.get(lead=lead)
    assert (record.contact_id, record.deal_id, record.note_id) == (contact_id, deal_id, note_id)


def test_the_push_task_run_twice_pushes_once(fake_hubspot, hubspot_connection, alice_workspace):
    delivery = detected(make_lead(alice_workspace))

    first = push(delivery.pk, delivery.workspace_id)
    second = push(delivery.pk, delivery.workspace_id)

    assert (first, second) == ("sent", "not due")
    assert len(fake_hubspot.objects["contacts"]) == 1
    assert len(fake_hubspot.objects["deals"]) == 1
    assert len(fake_hubspot.objects["notes"]) == 1


def test_the_same_event_queued_again_adds_no_delivery(hubspot_connection, alice_workspace):
    lead = make_lead(alice_workspace)

    assert detected(lead).pk == detected(lead).pk
    assert CrmDelivery.objects.count() == 1


def test_an_existing_hubspot_contact_is_matched_by_name_and_company(
    fake_hubspot, hubspot_connection, alice_workspace
):
    fake_hubspot.objects["contacts"]["7"] = {
        "firstname": "Dana",
        "lastname": "Scully",
        "company": "Acme GmbH",
        "email": "dana@acme.example",
    }

    run(detected(make_lead(alice_workspace)))

    assert list(fake_hubspot.objects["contacts"]) == ["7"]
    assert fake_hubspot.objects["contacts"]["7"]["email"] == "dana@acme.example"  # kept
    assert fake_hubspot.associations[0][2] == "7"


def test_a_deal_created_before_a_crash_is_found_not_duplicated(
    fake_hubspot, hubspot_connection, alice_workspace
):
    lead = make_lead(alice_workspace)
    # The CRM made the deal, then the worker died before our database saved its id.
    fake_hubspot.objects["deals"]["55"] = {"dealname": f"Dana Scully (LinkedIn lead {lead.pk})"}

    run(detected(lead))

    assert list(fake_hubspot.objects["deals"]) == ["55"]
    assert CrmRecord.objects.get(lead=lead).deal_id == "55"


def test_a_stage_change_moves_the_deal_to_the_mapped_stage_with_its_value(
    fake_hubspot,
    hubspot_connection,
    alice,
    alice_workspace,
    django_capture_on_commit_callbacks,
    deliver_events,
):
    lead = make_lead(alice_workspace)
    run(detected(lead))

    with django_capture_on_commit_callbacks():
        lead_update(
            lead=lead,
            actor=alice,
            status="qualified",
            value_eur=Decimal("4500"),
            fields={"value_eur"},
        )
        deliver_events()
    moved = CrmDelivery.objects.get(event="lead.stage_changed")

    assert run(moved) == "sent"
    [deal] = fake_hubspot.objects["deals"].values()
    assert deal["dealstage"] == "qualifiedtobuy-custom"
    assert deal["amount"] == "4500.00"
    assert len(fake_hubspot.objects["contacts"]) == 1
    assert len(fake_hubspot.objects["notes"]) == 1  # a note for the inquiry, not per move


def test_transient_errors_are_retried_with_backoff_then_sent(
    fake_hubspot, hubspot_connection, alice_workspace
):
    delivery = detected(make_lead(alice_workspace))
    fake_hubspot.fail_next(503)

    outcome = services.crm_push(delivery_id=delivery.pk, workspace_id=delivery.workspace_id)
    delivery.refresh_from_db()
    too_early = run(delivery)
    later = run(delivery, now=timezone.now() + timedelta(minutes=1))

    assert (outcome.result, outcome.retry_in) == ("retry", 30)
    assert delivery.status == CrmDelivery.Status.FAILED
    assert "503" in delivery.error
    assert too_early == "not due"
    assert later == "sent"
    assert len(fake_hubspot.objects["contacts"]) == 1


def test_a_push_is_given_up_after_the_last_attempt(
    fake_hubspot, hubspot_connection, alice_workspace
):
    delivery = detected(make_lead(alice_workspace))
    fake_hubspot.fail_next(429, times=services.MAX_ATTEMPTS)
    later = timezone.now()

    results = []
    for _ in range(services.MAX_ATTEMPTS):
        later += timedelta(hours=1)
        results.append(run(delivery, now=later))

    delivery.refresh_from_db()
    assert results[-1] == "given up"
    assert set(results[:-1]) == {"retry"}
    assert delivery.attempts == services.MAX_ATTEMPTS
    assert not fake_hubspot.objects["contacts"]


def test_a_revoked_token_marks_the_connection_and_stops_the_pushes(
    fake_hubspot, hubspot_connection, alice_workspace
):
    fake_hubspot.token = "pat-rotated"  # the consultant deleted the private app
    delivery = detected(make_lead(alice_workspace))

    assert run(delivery) == "given up"

    hubspot_connection.refresh_from_db()
    delivery.refresh_from_db()
    assert hubspot_connection.status == CrmConnection.Status.REVOKED
    assert "refused the token" in hubspot_connection.status_reason
    assert "401" in delivery.error
    assert detected(make_lead(alice_workspace, name="Fox Mulder")) is None


# --- Pipedrive -----------------------------------------------------------------------------


def test_a_new_lead_becomes_a_pipedrive_person_deal_and_note(
    fake_pipedrive, pipedrive_connection, alice_workspace
):
    lead = make_lead(alice_workspace)

    assert run(detected(lead)) == "sent"

    [(person_id, person)] = fake_pipedrive.persons.items()
    [(deal_id, deal)] = fake_pipedrive.deals.items()
    [note] = fake_pipedrive.notes.values()
    assert person["name"] == "Dana Scully"
    assert deal == {
        "title": f"Dana Scully (LinkedIn lead {lead.pk})",
        "person_id": person_id,
        "status": "open",
        "stage_id": 1,
    }
    assert (note["deal_id"], note["person_id"]) == (deal_id, person_id)
    assert "can we talk?" in note["content"]


def test_a_pipedrive_person_is_matched_by_name_and_organization(
    fake_pipedrive, pipedrive_connection, alice_workspace
):
    other_dana = fake_pipedrive.add_person(name="Dana Scully", organization="Globex")
    our_dana = fake_pipedrive.add_person(name="Dana Scully", organization="Acme GmbH")

    run(detected(make_lead(alice_workspace)))

    assert set(fake_pipedrive.persons) == {other_dana, our_dana}
    [deal] = fake_pipedrive.deals.values()
    assert deal["person_id"] == our_dana


def test_a_converted_lead_wins_its_pipedrive_deal_in_euros(
    fake_pipedrive,
    pipedrive_connection,
    alice,
    alice_workspace,
    django_capture_on_commit_callbacks,
    deliver_events,
):
    lead = make_lead(alice_workspace)
    run(detected(lead))

    with django_capture_on_commit_callbacks():
        lead_update(
            lead=lead,
            actor=alice,
            status="converted",
            value_eur=Decimal("12000"),
            fields={"value_eur"},
        )
        deliver_events()
    run(CrmDelivery.objects.get(event="lead.stage_changed"))

    [deal] = fake_pipedrive.deals.values()
    assert (deal["status"], deal["value"], deal["currency"]) == ("won", 12000.0, "EUR")
    assert len(fake_pipedrive.persons) == 1


def test_a_revoked_pipedrive_token_marks_the_connection(
    fake_pipedrive, pipedrive_connection, alice_workspace
):
    fake_pipedrive.fail_next(401)

    run(detected(make_lead(alice_workspace)))

    pipedrive_connection.refresh_from_db()
    assert pipedrive_connection.status == CrmConnection.Status.REVOKED


# --- Connecting ----------------------------------------------------------------------------


def test_connecting_checks_the_token_and_stores_it_encrypted(
    fake_pipedrive, alice, alice_workspace
):
    from django.db import connection

    services.crm_connect(
        workspace=alice_workspace,
        actor=alice,
        provider="pipedrive",
        token=fake_pipedrive.token,
        stage_map={"new": "1", "bogus": "9"},
    )

    stored = CrmConnection.objects.get(workspace=alice_workspace)
    with connection.cursor() as cursor:
        cursor.execute("SELECT token FROM crm_crmconnection WHERE id = %s", [stored.pk])
        raw = cursor.fetchone()[0]
    assert stored.token == fake_pipedrive.token
    assert fake_pipedrive.token not in raw
    assert stored.stage_map == {"new": "1"}


def test_a_wrong_token_is_refused_and_nothing_is_stored(fake_hubspot, alice, alice_workspace):
    with pytest.raises(services.CrmSetupError, match="refused this token"):
        services.crm_connect(
            workspace=alice_workspace,
            actor=alice,
            provider="hubspot",
            token="pat-wrong",
            stage_map={},
        )

    assert not CrmConnection.objects.exists()
