"""Data rights: export a workspace, delete a workspace, delete an account."""

import csv
import io
import json
import zipfile

import pytest
from django.test import Client
from django.urls import reverse

from apps.accounts import data_rights
from apps.accounts.models import AuditEvent, Membership, Role, User, Workspace
from apps.accounts.tests.factories import TEST_PASSWORD, MembershipFactory, UserFactory
from apps.accounts.tests.populated import (
    ACCESS_TOKEN,
    CRM_TOKEN,
    PUSH_AUTH,
    REFRESH_TOKEN,
    WEBHOOK_SECRET,
    populate,
)


@pytest.fixture
def populated(alice, alice_workspace):
    return populate(alice_workspace, owner=alice)


@pytest.fixture
def charlie_populated(charlie, charlie_workspace):
    return populate(charlie_workspace, owner=charlie, prefix="c-")


def rows_per_table(workspace_id: int) -> dict[str, int]:
    return {
        table.label: table.model._default_manager.filter(
            **{f"{table.workspace_field}_id": workspace_id}
        ).count()
        for table in data_rights.workspace_tables()
    }


def read_zip(content: bytes) -> dict[str, str]:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return {name: archive.read(name).decode() for name in archive.namelist()}


# --- The population covers every table ---------------------------------------------------


def test_the_populated_workspace_has_rows_in_every_table_that_belongs_to_a_workspace(
    populated, alice_workspace
):
    # When a new model with a workspace foreign key appears, add it to populated.py so the
    # export and deletion tests below cover it.
    empty = [label for label, count in rows_per_table(alice_workspace.pk).items() if not count]
    assert empty == []


# --- Export ----------------------------------------------------------------------------------


def test_export_holds_every_table_as_json_and_csv_with_the_workspaces_rows_only(
    alice, alice_workspace, populated, charlie_populated
):
    before = rows_per_table(alice_workspace.pk)  # the export's own audit record comes after

    with data_rights.workspace_export(workspace=alice_workspace, actor=alice) as archive:
        files = read_zip(archive.read())

    for table in data_rights.workspace_tables():
        expected = before[table.label]
        rows = json.loads(files[f"{table.label}.json"])
        assert len(rows) == expected, table.label
        assert all(row[f"{table.workspace_field}_id"] == alice_workspace.pk for row in rows)
        csv_rows = list(csv.DictReader(io.StringIO(files[f"{table.label}.csv"])))
        assert len(csv_rows) == expected, table.label
    assert json.loads(files["workspace.json"])[0]["slug"] == "alice-co"
    assert {person["email"] for person in json.loads(files["people.json"])} == {
        "alice@example.com",
        "bob@example.com",
    }
    posts = json.loads(files["content/post.json"])
    assert posts[0]["text"] == populated["post"].text
    assert "c-We cut" not in "".join(files.values())  # nothing of Charlie's


def test_export_leaves_out_tokens_and_signing_secrets(alice, alice_workspace, populated):
    with data_rights.workspace_export(workspace=alice_workspace, actor=alice) as archive:
        everything = "".join(read_zip(archive.read()).values())

    for secret in (
        ACCESS_TOKEN,
        REFRESH_TOKEN,
        WEBHOOK_SECRET,
        PUSH_AUTH,
        CRM_TOKEN,
        "x" * 64,
        "h" * 60,
    ):
        assert secret not in everything
    files = read_zip_entries(alice, alice_workspace)
    connection = json.loads(files["linkedin/linkedinconnection.json"])[0]
    assert connection["name"] == "Dana Demo"
    assert "access_token" not in connection
    assert "refresh_token" not in connection
    assert "secret" not in json.loads(files["webhooks/webhookendpoint.json"])[0]
    assert "token" not in json.loads(files["accounts/invitation.json"])[0]
    # The private inbound address is a credential: whoever knows it can send comments in.
    assert "token" not in json.loads(files["leads/inboundaddress.json"])[0]
    assert json.loads(files["api/apitoken.json"])[0]["prefix"] == "tl_abcd"


def read_zip_entries(actor, workspace) -> dict[str, str]:
    with data_rights.workspace_export(workspace=workspace, actor=actor) as archive:
        return read_zip(archive.read())


def test_export_is_audited(alice, alice_workspace, populated):
    data_rights.workspace_export(workspace=alice_workspace, actor=alice).close()
    event = AuditEvent.objects.get(action="workspace.exported")
    assert (event.workspace, event.actor) == (alice_workspace, alice)


def test_owner_downloads_the_export_as_a_zip(alice_client, alice_workspace, populated):
    response = alice_client.post(reverse("workspace_export", args=["alice-co"]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert 'filename="alice-co-export-' in response["Content-Disposition"]
    files = read_zip(b"".join(response.streaming_content))
    assert "leads/lead.csv" in files


def test_editor_cannot_export_or_delete(bob_client, alice_workspace):
    assert bob_client.post(reverse("workspace_export", args=["alice-co"])).status_code == 403
    assert bob_client.get(reverse("workspace_data", args=["alice-co"])).status_code == 403
    response = bob_client.post(
        reverse("workspace_data", args=["alice-co"]), {"confirmation": "Alice Co"}
    )
    assert response.status_code == 403
    assert Workspace.objects.filter(slug="alice-co").exists()


def test_charlie_cannot_export_or_delete_alices_workspace(charlie_client, alice_workspace):
    assert charlie_client.post(reverse("workspace_export", args=["alice-co"])).status_code == 404
    response = charlie_client.post(
        reverse("workspace_data", args=["alice-co"]), {"confirmation": "Alice Co"}
    )
    assert response.status_code == 404
    assert Workspace.objects.filter(slug="alice-co").exists()


def test_export_must_be_posted(alice_client, alice_workspace):
    assert alice_client.get(reverse("workspace_export", args=["alice-co"])).status_code == 405


# --- Deleting a workspace -------------------------------------------------------------------


def test_deleting_a_workspace_leaves_no_row_behind_and_other_workspaces_untouched(
    alice, alice_workspace, populated, charlie_workspace, charlie_populated
):
    alice_id = alice_workspace.pk
    charlie_before = rows_per_table(charlie_workspace.pk)

    data_rights.workspace_delete(workspace=alice_workspace, actor=alice, confirmation="Alice Co")

    assert not Workspace.objects.filter(pk=alice_id).exists()
    assert {label: n for label, n in rows_per_table(alice_id).items() if n} == {}
    assert rows_per_table(charlie_workspace.pk) == charlie_before
    # The people stay: only their membership of the deleted workspace went.
    assert User.objects.filter(email__in=["alice@example.com", "bob@example.com"]).count() == 2


def test_workspace_deletion_is_audited_in_a_record_that_survives_it(
    alice, alice_workspace, populated
):
    workspace_id = alice_workspace.pk
    data_rights.workspace_delete(workspace=alice_workspace, actor=alice, confirmation="alice-co")

    event = AuditEvent.objects.get(action="workspace.deleted")
    assert event.workspace is None
    assert (event.actor, event.target) == (alice, "Alice Co")
    assert event.details["workspace_id"] == workspace_id
    assert event.details["slug"] == "alice-co"
    assert event.details["rows"]["content/post"] == 1
    # The workspace's own audit trail went with it.
    assert not AuditEvent.objects.filter(action="test.populated").exists()


def test_workspace_deletion_needs_the_name_typed(alice, alice_workspace):
    with pytest.raises(data_rights.DataRightsError):
        data_rights.workspace_delete(workspace=alice_workspace, actor=alice, confirmation="Alice")
    assert Workspace.objects.filter(pk=alice_workspace.pk).exists()


def test_only_an_owner_can_delete_a_workspace(bob, alice_workspace):
    with pytest.raises(data_rights.DataRightsError):
        data_rights.workspace_delete(workspace=alice_workspace, actor=bob, confirmation="Alice Co")
    assert Workspace.objects.filter(pk=alice_workspace.pk).exists()


def test_owner_sees_the_warning_and_a_wrong_name_keeps_the_workspace(alice_client, alice_workspace):
    page = alice_client.get(reverse("workspace_data", args=["alice-co"]))
    assert page.status_code == 200
    assert "This cannot be undone." in page.content.decode()

    response = alice_client.post(
        reverse("workspace_data", args=["alice-co"]), {"confirmation": "alice co"}
    )
    assert response.status_code == 200
    assert "to confirm" in response.context["form"].errors["confirmation"][0]
    assert Workspace.objects.filter(slug="alice-co").exists()


def test_owner_deletes_the_workspace_and_lands_at_home(alice_client, alice_workspace, populated):
    response = alice_client.post(
        reverse("workspace_data", args=["alice-co"]), {"confirmation": "Alice Co"}
    )
    assert response.status_code == 302
    assert response.url == reverse("home")
    assert not Workspace.objects.filter(slug="alice-co").exists()


# --- Deleting an account -------------------------------------------------------------------


def test_deleting_the_only_member_deletes_their_workspace_with_them(charlie, charlie_workspace):
    populate(charlie_workspace, owner=charlie)
    workspace_id = charlie_workspace.pk

    data_rights.account_delete(user=charlie, password=TEST_PASSWORD)

    assert not User.objects.filter(email="charlie@example.com").exists()
    assert not Workspace.objects.filter(pk=workspace_id).exists()
    assert {label: n for label, n in rows_per_table(workspace_id).items() if n} == {}
    deleted = AuditEvent.objects.get(action="account.deleted")
    assert (deleted.actor, deleted.actor_email) == (None, "charlie@example.com")
    assert deleted.details["workspaces_deleted"] == ["charlie-co"]
    assert AuditEvent.objects.get(action="workspace.deleted").actor_email == "charlie@example.com"


def test_sole_owner_of_a_shared_workspace_must_hand_it_over_first(alice, alice_workspace):
    with pytest.raises(data_rights.DataRightsError, match="only owner of Alice Co"):
        data_rights.account_delete(user=alice, password=TEST_PASSWORD)
    assert User.objects.filter(pk=alice.pk).exists()
    assert Workspace.objects.filter(pk=alice_workspace.pk).exists()


def test_a_member_of_a_shared_workspace_just_leaves_it(bob, alice, alice_workspace):
    populate(alice_workspace, owner=alice)
    post_count = alice_workspace.post_set.count()

    data_rights.account_delete(user=bob, password=TEST_PASSWORD)

    assert not User.objects.filter(email="bob@example.com").exists()
    assert list(Membership.objects.filter(workspace=alice_workspace).values_list("role")) == [
        (Role.OWNER,)
    ]
    assert alice_workspace.post_set.count() == post_count


def test_co_owner_can_leave_when_another_owner_remains(alice, bob, alice_workspace):
    Membership.objects.filter(user=bob).update(role=Role.OWNER)
    data_rights.account_delete(user=alice, password=TEST_PASSWORD)
    assert Workspace.objects.filter(pk=alice_workspace.pk).exists()
    assert not User.objects.filter(pk=alice.pk).exists()


def test_account_deletion_needs_the_password(charlie, charlie_workspace):
    with pytest.raises(data_rights.DataRightsError):
        data_rights.account_delete(user=charlie, password="not-it")
    assert User.objects.filter(pk=charlie.pk).exists()


def test_account_page_lists_what_happens_to_each_workspace(alice, alice_workspace):
    solo = MembershipFactory(user=alice, workspace__name="Solo Lab", role=Role.OWNER).workspace
    client = Client()
    client.force_login(alice)

    page = client.get(reverse("account_delete"))

    plan = page.context["plan"]
    assert plan.blocking == [alice_workspace]
    assert plan.deleted_with_account == [solo]
    assert not plan.allowed
    assert "Make one of them an owner" in page.content.decode()


def test_wrong_password_shows_a_field_error_and_keeps_the_account(charlie_client, charlie):
    response = charlie_client.post(reverse("account_delete"), {"password": "nope"})
    assert response.status_code == 200
    assert response.context["form"].errors["password"] == ["That is not your password."]
    assert User.objects.filter(pk=charlie.pk).exists()


def test_user_deletes_their_account_and_is_logged_out(charlie_client, charlie, charlie_workspace):
    response = charlie_client.post(reverse("account_delete"), {"password": TEST_PASSWORD})
    assert response.status_code == 302
    assert response.url == reverse("landing")
    assert not User.objects.filter(pk=charlie.pk).exists()
    assert charlie_client.get(reverse("preferences")).status_code == 302  # to the login page


def test_a_blocked_deletion_posted_anyway_changes_nothing(alice_client, alice, alice_workspace):
    response = alice_client.post(reverse("account_delete"), {"password": TEST_PASSWORD})
    assert response.status_code == 200
    assert User.objects.filter(pk=alice.pk).exists()
    assert not AuditEvent.objects.filter(action="account.deleted").exists()


def test_staff_find_deletions_in_the_admin_audit_log(alice, alice_workspace, db):
    data_rights.workspace_delete(workspace=alice_workspace, actor=alice, confirmation="Alice Co")
    staff = UserFactory(email="ops@example.com", is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(staff)

    page = client.get(reverse("admin:accounts_auditevent_changelist"), {"q": "workspace.deleted"})

    assert page.status_code == 200
    assert "Alice Co" in page.content.decode()


def test_export_csvs_write_outside_parties_formulas_as_text(alice, alice_workspace, populated):
    from apps.leads.models import Commenter

    Commenter.objects.filter(workspace=alice_workspace).update(
        name="=cmd|' /C calc'!A0", headline="@SUM(1+1)*cmd|' /C calc'!A0"
    )
    populated["post"].__class__.objects.filter(pk=populated["post"].pk).update(
        text="+cmd|' /C calc'!A0"
    )

    files = read_zip_entries(alice, alice_workspace)

    commenter = next(csv.DictReader(io.StringIO(files["leads/commenter.csv"])))
    assert commenter["name"] == "'=cmd|' /C calc'!A0"
    assert commenter["headline"] == "'@SUM(1+1)*cmd|' /C calc'!A0"
    post = next(csv.DictReader(io.StringIO(files["content/post.csv"])))
    assert post["text"] == "'+cmd|' /C calc'!A0"
    # The JSON copy keeps the text exactly as it was written.
    assert json.loads(files["leads/commenter.json"])[0]["name"] == "=cmd|' /C calc'!A0"
