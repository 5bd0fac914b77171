"""Personal API tokens: made in settings, shown once, stored hashed, one workspace, one role,
revocable, with a last-used time."""

import hashlib
from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from apps.accounts.models import AuditEvent, Membership, Role
from apps.api.models import ApiToken
from apps.api.services import ApiTokenError, api_token_create, api_token_revoke
from apps.content.models import Post

from .conftest import token_client

pytestmark = pytest.mark.django_db

PAGE = "/w/alice-co/settings/api-tokens/"


def bearer(secret: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    return client


def test_alice_makes_a_token_and_sees_its_secret_once(alice_client, alice):
    response = alice_client.post(PAGE, {"name": "CRM sync", "role": "editor"})

    assert response.status_code == 200
    token = ApiToken.objects.get()
    secret = response.context["secret"]
    assert secret.startswith("tl_")
    assert secret in response.content.decode()
    assert (token.user, token.role, token.name) == (alice, Role.EDITOR, "CRM sync")
    # Only a fingerprint is stored; the list page shows the prefix, never the secret.
    assert token.secret_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in str(ApiToken.objects.values().get())
    listing = alice_client.get(PAGE).content.decode()
    assert token.prefix in listing
    assert secret not in listing
    assert AuditEvent.objects.filter(
        action="api_token.created", actor=alice, workspace__slug="alice-co", target="CRM sync"
    ).exists()


def test_the_new_token_works_at_once(alice_client):
    secret = alice_client.post(PAGE, {"name": "CLI", "role": "viewer"}).context["secret"]

    response = bearer(secret).get("/api/v1/w/alice-co/posts/")

    assert response.status_code == 200


def test_the_token_keyword_works_too(alice, alice_workspace):
    _, secret = token_client(alice, alice_workspace)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {secret}")

    assert client.get("/api/v1/w/alice-co/posts/").status_code == 200


def test_a_token_cannot_be_made_with_a_role_above_the_makers(bob_client):
    response = bob_client.post(PAGE, {"name": "Too much", "role": "owner"})

    assert response.status_code == 400
    assert "role" in response.context["form"].errors
    assert not ApiToken.objects.exists()


def test_the_service_refuses_a_role_above_the_makers_too(bob, alice_workspace):
    membership = Membership.objects.get(user=bob, workspace=alice_workspace)

    with pytest.raises(ApiTokenError, match="higher role"):
        api_token_create(membership=membership, name="x", role=Role.ADMIN)


def test_a_token_never_acts_above_its_members_current_role(alice, alice_workspace, draft):
    client, _ = token_client(alice, alice_workspace, role=Role.OWNER)
    Membership.objects.filter(user=alice, workspace=alice_workspace).update(role=Role.EDITOR)

    response = client.post(f"/api/v1/w/alice-co/posts/{draft.pk}/approve/")

    assert response.status_code == 403
    draft.refresh_from_db()
    assert draft.status == Post.Status.DRAFT


def test_an_editor_token_of_an_owner_cannot_approve(alice, alice_workspace, draft):
    client, _ = token_client(alice, alice_workspace, role=Role.EDITOR)

    response = client.post(f"/api/v1/w/alice-co/posts/{draft.pk}/approve/")

    assert response.status_code == 403
    assert "only owners and admins can approve" in response.json()["detail"]


def test_a_token_for_one_workspace_is_a_404_on_another_even_where_its_user_is_a_member(
    alice, alice_workspace, charlie_workspace
):
    from apps.accounts.tests.factories import MembershipFactory

    MembershipFactory(workspace=charlie_workspace, user=alice, role=Role.OWNER)
    client, _ = token_client(alice, alice_workspace)

    assert client.get("/api/v1/w/charlie-co/posts/").status_code == 404
    assert client.post("/api/v1/w/charlie-co/posts/", {"text": "x"}).status_code == 404
    assert client.get("/api/v1/w/alice-co/posts/").status_code == 200


def test_a_revoked_token_stops_working_and_the_revocation_is_audited(alice_client, alice):
    secret = alice_client.post(PAGE, {"name": "CLI", "role": "viewer"}).context["secret"]
    token = ApiToken.objects.get()

    response = alice_client.post(f"{PAGE}{token.pk}/revoke/")

    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    answer = bearer(secret).get("/api/v1/w/alice-co/posts/")
    assert answer.status_code == 401
    assert answer.json()["code"] == "authentication_failed"
    assert AuditEvent.objects.filter(action="api_token.revoked", actor=alice).count() == 1


def test_revoking_twice_records_once(alice, alice_workspace):
    membership = Membership.objects.get(user=alice, workspace=alice_workspace)
    token = api_token_create(membership=membership, name="x", role=Role.VIEWER).token

    api_token_revoke(token=token, actor=alice)
    api_token_revoke(token=token, actor=alice)

    assert AuditEvent.objects.filter(action="api_token.revoked").count() == 1


def test_an_expired_token_stops_working(alice, alice_workspace):
    membership = Membership.objects.get(user=alice, workspace=alice_workspace)
    secret = api_token_create(
        membership=membership, name="x", role=Role.VIEWER, expires_in_days=30
    ).secret

    assert bearer(secret).get("/api/v1/w/alice-co/posts/").status_code == 200
    with time_machine.travel(timezone.now() + timedelta(days=31)):
        assert bearer(secret).get("/api/v1/w/alice-co/posts/").status_code == 401


def test_an_unknown_or_mangled_token_is_a_401(alice_workspace):
    assert bearer("tl_nothing").get("/api/v1/w/alice-co/posts/").status_code == 401
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token not-a-token")
    assert client.get("/api/v1/w/alice-co/posts/").status_code == 401
    anonymous = APIClient().get("/api/v1/w/alice-co/posts/")
    assert anonymous.status_code == 401
    assert anonymous["WWW-Authenticate"] == 'Bearer realm="api"'


def test_a_token_of_a_member_who_left_is_a_404(alice, bob, alice_workspace):
    client, _ = token_client(bob, alice_workspace)
    Membership.objects.filter(user=bob, workspace=alice_workspace).delete()

    assert client.get("/api/v1/w/alice-co/posts/").status_code == 404


def test_removing_a_member_revokes_their_tokens_there_and_says_so(alice, bob, alice_workspace):
    from apps.accounts.services import membership_remove

    client, _ = token_client(bob, alice_workspace)
    membership_remove(
        membership=Membership.objects.get(user=bob, workspace=alice_workspace),
        actor_membership=Membership.objects.get(user=alice, workspace=alice_workspace),
    )

    assert client.get("/api/v1/w/alice-co/posts/").status_code in (401, 404)
    token = ApiToken.objects.get(user=bob)
    assert token.revoked_at is not None
    event = AuditEvent.objects.get(action="api_token.revoked", workspace=alice_workspace)
    assert (event.actor, event.target) == (alice, "bob@example.com")


def test_last_used_is_written_at_most_once_a_minute(
    alice, alice_workspace, django_assert_num_queries
):
    client, _ = token_client(alice, alice_workspace)
    token = ApiToken.objects.get()
    assert token.last_used_at is None

    start = timezone.now()
    with time_machine.travel(start, tick=False):
        client.get("/api/v1/w/alice-co/posts/")
        token.refresh_from_db()
        assert token.last_used_at == start
    with time_machine.travel(start + timedelta(seconds=20), tick=False):
        # A call 20 s later writes nothing. Queries: the request's savepoint, the token (with
        # user and workspace), the membership, the count of posts (none), the release.
        with django_assert_num_queries(5):
            client.get("/api/v1/w/alice-co/posts/")
        token.refresh_from_db()
        assert token.last_used_at == start
    with time_machine.travel(start + timedelta(seconds=61), tick=False):
        client.get("/api/v1/w/alice-co/posts/")
        token.refresh_from_db()
        assert token.last_used_at == start + timedelta(seconds=61)


def test_members_see_their_own_tokens_and_admins_see_everyones(
    alice, bob, alice_workspace, alice_client
):
    token_client(alice, alice_workspace)
    bob_secret = token_client(bob, alice_workspace)[1]
    bob_token = ApiToken.objects.get(user=bob)

    assert len(alice_client.get(PAGE).context["tokens"]) == 2
    bob_browser = Client()
    bob_browser.force_login(bob)
    assert [t.user for t in bob_browser.get(PAGE).context["tokens"]] == [bob]

    # An owner can revoke a member's token (say, after they left the team's laptop at a café).
    alice_client.post(f"{PAGE}{bob_token.pk}/revoke/")
    assert bearer(bob_secret).get("/api/v1/w/alice-co/posts/").status_code == 401


def test_an_editor_cannot_revoke_someone_elses_token(alice, bob, alice_workspace):
    token_client(alice, alice_workspace)
    alice_token = ApiToken.objects.get(user=alice)
    bob_browser = Client()
    bob_browser.force_login(bob)

    response = bob_browser.post(f"{PAGE}{alice_token.pk}/revoke/")

    assert response.status_code == 403
    alice_token.refresh_from_db()
    assert alice_token.revoked_at is None


def test_charlie_cannot_see_or_revoke_alices_tokens(charlie_client, alice, alice_workspace):
    token_client(alice, alice_workspace)
    token = ApiToken.objects.get()

    assert charlie_client.get(PAGE).status_code == 404
    assert charlie_client.post(f"{PAGE}{token.pk}/revoke/").status_code == 404
    own_url = f"/w/charlie-co/settings/api-tokens/{token.pk}/revoke/"
    assert charlie_client.post(own_url).status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_the_settings_page_has_the_api_tokens_tab(alice_client):
    response = alice_client.get("/w/alice-co/settings/profile/")

    assert PAGE in response.content.decode()
