"""Posting slots (owners and admins change them) and templates (read-only) through the API."""

import pytest
from django.core.management import call_command

from apps.accounts.models import AuditEvent
from apps.content.models import PostingSlot, PostTemplate

pytestmark = pytest.mark.django_db

SLOTS = "/api/v1/w/alice-co/slots/"
TEMPLATES = "/api/v1/w/alice-co/templates/"


def test_alice_adds_lists_and_removes_a_slot(alice_api, alice):
    created = alice_api.post(SLOTS, {"weekday": 1, "local_time": "08:30"})

    assert created.status_code == 201
    assert created.json() == {
        "id": created.json()["id"],
        "weekday": 1,
        "weekday_name": "Tuesday",
        "local_time": "08:30",
    }
    assert [s["id"] for s in alice_api.get(SLOTS).json()["results"]] == [created.json()["id"]]
    assert AuditEvent.objects.filter(action="slot.added", actor=alice).exists()

    assert alice_api.delete(f"{SLOTS}{created.json()['id']}/").status_code == 204
    assert not PostingSlot.objects.exists()


def test_a_slot_that_exists_already_is_a_conflict(alice_api):
    alice_api.post(SLOTS, {"weekday": 1, "local_time": "08:30"})

    response = alice_api.post(SLOTS, {"weekday": 1, "local_time": "08:30:00"})

    assert response.status_code == 409
    assert response.json() == {"detail": "That slot already exists.", "code": "conflict"}


def test_a_slot_with_a_bad_day_and_time_names_both_fields(alice_api):
    response = alice_api.post(SLOTS, {"weekday": 9, "local_time": "25:99"})

    assert response.status_code == 400
    assert set(response.json()["fields"]) == {"weekday", "local_time"}


def test_editor_reads_slots_but_cannot_change_them(bob_api, alice_workspace):
    slot = PostingSlot.objects.create(workspace=alice_workspace, weekday=0, local_time="09:00")

    assert bob_api.get(SLOTS).json()["count"] == 1
    response = bob_api.post(SLOTS, {"weekday": 2, "local_time": "10:00"})
    assert response.status_code == 403
    assert response.json()["detail"] == "This needs the Admin role or higher in this workspace."
    assert bob_api.delete(f"{SLOTS}{slot.pk}/").status_code == 403
    assert PostingSlot.objects.count() == 1


def test_charlie_cannot_see_or_remove_alices_slots(charlie_api, alice_workspace):
    slot = PostingSlot.objects.create(workspace=alice_workspace, weekday=0, local_time="09:00")

    assert charlie_api.get(SLOTS).status_code == 404
    assert charlie_api.get(f"/api/v1/w/charlie-co/slots/{slot.pk}/").status_code == 404
    assert charlie_api.delete(f"/api/v1/w/charlie-co/slots/{slot.pk}/").status_code == 404
    assert PostingSlot.objects.count() == 1


@pytest.fixture
def library(db):
    call_command("load_post_templates", stdout=open("/dev/null", "w"))  # noqa: SIM115


def test_templates_are_the_library_and_the_workspaces_own(
    alice_api, library, alice_workspace, charlie_workspace
):
    own = PostTemplate.objects.create(
        workspace=alice_workspace,
        key="own-1",
        name="Our launch story",
        framework="story",
        hooks=["We shipped."],
        body=["It was late."],
        ctas=["And you?"],
    )
    charlies = PostTemplate.objects.create(
        workspace=charlie_workspace,
        key="own-2",
        name="Charlie's",
        framework="story",
        hooks=["x"],
        body=["y"],
        ctas=["z"],
    )
    library_count = PostTemplate.objects.filter(workspace__isnull=True, is_active=True).count()

    listed = alice_api.get(TEMPLATES, {"page_size": 200}).json()

    assert listed["count"] == library_count + 1
    ids = {row["id"] for row in listed["results"]}
    assert own.pk in ids
    assert charlies.pk not in ids
    row = alice_api.get(f"{TEMPLATES}{own.pk}/").json()
    assert (row["name"], row["is_library"], row["hooks"]) == (
        "Our launch story",
        False,
        ["We shipped."],
    )
    assert alice_api.get(f"{TEMPLATES}{charlies.pk}/").status_code == 404


def test_templates_are_read_only(alice_api, library):
    template = PostTemplate.objects.filter(workspace__isnull=True).first()

    assert alice_api.post(TEMPLATES, {"name": "x"}).status_code == 405
    assert alice_api.delete(f"{TEMPLATES}{template.pk}/").status_code == 405


def test_charlie_cannot_list_templates_in_alices_workspace(charlie_api, library):
    assert charlie_api.get(TEMPLATES).status_code == 404
