"""A new password revokes personal API tokens, in every workspace, unless the member changing
their own password chose to keep them; a reset always revokes them."""

import pytest
from allauth.account.signals import password_reset
from django.test import Client

from apps.accounts.models import AuditEvent, Membership, Role
from apps.accounts.tests.factories import TEST_PASSWORD
from apps.api.models import ApiToken

from .conftest import token_client

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a-new-long-passphrase-9"
POSTS = "/api/v1/w/{slug}/posts/"


def change_password(user, **extra):
    browser = Client()
    browser.force_login(user)
    return browser.post(
        "/accounts/password/change/",
        {"oldpassword": TEST_PASSWORD, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
        | extra,
    )


@pytest.fixture
def alice_tokens(alice, alice_workspace, charlie_workspace):
    Membership.objects.create(user=alice, workspace=charlie_workspace, role=Role.VIEWER)
    return [
        token_client(alice, alice_workspace),
        token_client(alice, charlie_workspace),
    ]


def test_changing_the_password_revokes_the_members_tokens_in_every_workspace(
    alice, alice_tokens, bob, alice_workspace
):
    bobs_client, _ = token_client(bob, alice_workspace)

    response = change_password(alice)

    assert response.status_code == 302
    for (client, _secret), slug in zip(alice_tokens, ("alice-co", "charlie-co"), strict=True):
        assert client.get(POSTS.format(slug=slug)).status_code == 401
    assert not ApiToken.objects.filter(user=alice, revoked_at__isnull=True).exists()
    assert bobs_client.get(POSTS.format(slug="alice-co")).status_code == 200  # not Bob's
    revoked = AuditEvent.objects.filter(action="api_token.revoked", actor=alice)
    assert {event.workspace.slug for event in revoked} == {"alice-co", "charlie-co"}


def test_the_owner_may_keep_the_tokens_knowingly(alice, alice_tokens):
    page = Client()
    page.force_login(alice)
    assert "keep_api_tokens" in page.get("/accounts/password/change/").content.decode()

    response = change_password(alice, keep_api_tokens="on")

    assert response.status_code == 302
    for (client, _secret), slug in zip(alice_tokens, ("alice-co", "charlie-co"), strict=True):
        assert client.get(POSTS.format(slug=slug)).status_code == 200
    assert ApiToken.objects.filter(user=alice, revoked_at__isnull=True).count() == 2


def test_the_question_is_not_asked_of_a_member_without_tokens(alice, alice_workspace):
    page = Client()
    page.force_login(alice)

    assert "keep_api_tokens" not in page.get("/accounts/password/change/").content.decode()


def test_a_password_reset_always_revokes_the_tokens(alice, alice_tokens):
    # Even if a "keep" flag were left on the user object, a reset is not a knowing choice.
    alice._keep_api_tokens_on_password_change = True
    password_reset.send(sender=type(alice), request=None, user=alice)

    assert not ApiToken.objects.filter(user=alice, revoked_at__isnull=True).exists()
