import hashlib
import importlib
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from apps.accounts import services
from apps.accounts.models import AuditEvent, Invitation, Membership, Role
from apps.accounts.tests.factories import InvitationFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def membership(workspace, user):
    return Membership.objects.get(workspace=workspace, user=user)


def test_the_last_owner_cannot_be_demoted(alice, alice_workspace):
    owner = membership(alice_workspace, alice)
    with pytest.raises(services.AccountsError, match="at least one owner"):
        services.membership_change_role(membership=owner, role=Role.ADMIN, actor_membership=owner)


def test_an_admin_cannot_make_an_owner(alice_workspace, bob):
    admin = membership(alice_workspace, bob)
    admin.role = Role.ADMIN
    admin.save()
    other = MembershipFactory(workspace=alice_workspace, role=Role.EDITOR)
    with pytest.raises(services.AccountsError, match="Only an owner"):
        services.membership_change_role(membership=other, role=Role.OWNER, actor_membership=admin)


def test_changing_a_role_is_audited(alice, bob, alice_workspace):
    services.membership_change_role(
        membership=membership(alice_workspace, bob),
        role=Role.ADMIN,
        actor_membership=membership(alice_workspace, alice),
        ip_address="203.0.113.9",
    )
    event = AuditEvent.objects.get(action="membership.role_changed")
    assert (event.actor, event.workspace, event.target) == (alice, alice_workspace, bob.email)
    assert event.details == {"from": "editor", "to": "admin"}
    assert event.ip_address == "203.0.113.9"


def test_an_invitation_is_emailed_with_an_accept_link(
    alice, alice_workspace, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        invitation = services.invitation_create(
            workspace=alice_workspace,
            email="New.Person@Example.com",
            role=Role.EDITOR,
            actor_membership=membership(alice_workspace, alice),
        )
    assert invitation.email == "new.person@example.com"
    assert len(mail.outbox) == 1
    assert f"/invitations/{invitation.token}/" in mail.outbox[0].body
    assert "Alice Co" in mail.outbox[0].subject


def test_inviting_the_same_address_again_replaces_the_pending_invitation(alice, alice_workspace):
    actor = membership(alice_workspace, alice)
    first = services.invitation_create(
        workspace=alice_workspace, email="x@example.com", role=Role.EDITOR, actor_membership=actor
    )
    second = services.invitation_create(
        workspace=alice_workspace, email="x@example.com", role=Role.VIEWER, actor_membership=actor
    )
    assert list(Invitation.objects.filter(workspace=alice_workspace)) == [second]
    assert first.token != second.token


def test_inviting_an_existing_member_is_refused(alice, bob, alice_workspace):
    with pytest.raises(services.AccountsError, match="already a member"):
        services.invitation_create(
            workspace=alice_workspace,
            email=bob.email,
            role=Role.EDITOR,
            actor_membership=membership(alice_workspace, alice),
        )


def test_accepting_an_invitation_makes_a_member_with_the_invited_role(alice_workspace):
    invitation = InvitationFactory(
        workspace=alice_workspace, email="dora@example.com", role=Role.VIEWER
    )
    dora = UserFactory(email="dora@example.com")
    member = services.invitation_accept(invitation=invitation, user=dora)
    assert (member.workspace, member.role) == (alice_workspace, Role.VIEWER)
    invitation.refresh_from_db()
    assert invitation.accepted_at is not None


def test_an_invitation_cannot_be_used_twice(alice_workspace):
    invitation = InvitationFactory(workspace=alice_workspace, email="dora@example.com")
    dora = UserFactory(email="dora@example.com")
    services.invitation_accept(invitation=invitation, user=dora)
    with pytest.raises(services.AccountsError, match="already been used"):
        services.invitation_accept(invitation=invitation, user=dora)


def test_an_expired_invitation_is_refused(alice_workspace):
    invitation = InvitationFactory(workspace=alice_workspace, email="dora@example.com")
    dora = UserFactory(email="dora@example.com")
    with (
        time_machine.travel(timezone.now() + timedelta(days=8)),
        pytest.raises(services.AccountsError, match="expired"),
    ):
        services.invitation_accept(invitation=invitation, user=dora)


def test_an_invitation_only_works_for_the_address_it_was_sent_to(alice_workspace, charlie):
    invitation = InvitationFactory(workspace=alice_workspace, email="dora@example.com")
    with pytest.raises(services.AccountsError, match=r"dora@example\.com"):
        services.invitation_accept(invitation=invitation, user=charlie)
    assert not Membership.objects.filter(workspace=alice_workspace, user=charlie).exists()


def test_expired_invitations_are_pruned(alice_workspace):
    InvitationFactory(workspace=alice_workspace, expires_at=timezone.now() - timedelta(days=1))
    keep = InvitationFactory(workspace=alice_workspace)
    assert services.invitations_prune_expired() == 1
    assert list(Invitation.objects.all()) == [keep]


def test_settings_changes_are_audited_with_what_changed(alice, alice_workspace):
    services.workspace_update(workspace=alice_workspace, actor=alice, posting_paused=True)
    event = AuditEvent.objects.get(action="workspace.settings_changed")
    assert event.details == {"changes": {"posting_paused": {"from": False, "to": True}}}


def test_saving_unchanged_settings_records_nothing(alice, alice_workspace):
    services.workspace_update(workspace=alice_workspace, actor=alice, name=alice_workspace.name)
    assert not AuditEvent.objects.filter(action="workspace.settings_changed").exists()


def test_an_invitation_stores_only_its_tokens_hash_and_the_mailed_link_finds_it(
    alice, alice_workspace, django_capture_on_commit_callbacks
):
    from apps.accounts.selectors import invitation_by_token

    with django_capture_on_commit_callbacks(execute=True):
        invitation = services.invitation_create(
            workspace=alice_workspace,
            email="dora@example.com",
            role=Role.EDITOR,
            actor_membership=membership(alice_workspace, alice),
        )
    stored = Invitation.objects.values_list("token_hash", flat=True).get(pk=invitation.pk)

    assert invitation.token not in stored
    assert stored == hashlib.sha256(invitation.token.encode()).hexdigest()
    assert invitation_by_token(token=invitation.token) == invitation
    assert invitation_by_token(token=stored) is None  # the stored hash opens nothing


def test_the_data_migration_hashes_plain_tokens_and_old_links_keep_working(alice_workspace):
    from django.apps import apps as django_apps
    from django.db import connection

    from apps.accounts.selectors import invitation_by_token

    migration = importlib.import_module("apps.accounts.migrations.0003_invitation_token_hash")
    sent_before = "an-old-plain-token-from-an-email-already-sent-0123"
    invitation = InvitationFactory(workspace=alice_workspace, email="dora@example.com")
    Invitation.objects.filter(pk=invitation.pk).update(token_hash=sent_before)  # as it was

    migration.hash_existing_tokens(django_apps, connection.schema_editor())
    migration.hash_existing_tokens(django_apps, connection.schema_editor())  # safe twice

    stored = Invitation.objects.values_list("token_hash", flat=True).get(pk=invitation.pk)
    assert stored == hashlib.sha256(sent_before.encode()).hexdigest()
    assert invitation_by_token(token=sent_before) == invitation
