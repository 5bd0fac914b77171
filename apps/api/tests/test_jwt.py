"""JWT for app clients: obtain, refresh with rotation, revoke, and the end of every app
sign-in when the password changes. The workspace still comes from the URL."""

import time
from datetime import timedelta

import pytest
import time_machine
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, generate_totp_secret, hotp_value
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken

from apps.accounts.models import AuditEvent
from apps.accounts.tests.factories import TEST_PASSWORD
from apps.content.models import Post

pytestmark = pytest.mark.django_db

OBTAIN = "/api/v1/auth/token/"
REFRESH = "/api/v1/auth/token/refresh/"
REVOKE = "/api/v1/auth/token/revoke/"
POSTS = "/api/v1/w/alice-co/posts/"


def sign_in(email="alice@example.com", password=TEST_PASSWORD, **extra) -> dict:
    response = APIClient().post(OBTAIN, {"email": email, "password": password, **extra})
    assert response.status_code == 200, response.json()
    return response.json()


def with_access(access: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {access}")
    return client


def test_alice_signs_in_and_reads_her_workspace(alice_workspace, draft):
    tokens = sign_in()

    response = with_access(tokens["access"]).get(POSTS)

    assert response.status_code == 200
    assert response.json()["count"] == 1


def test_a_jwt_is_scoped_to_the_user_and_membership_still_decides(
    charlie_workspace, alice_workspace
):
    tokens = sign_in("charlie@example.com")

    assert with_access(tokens["access"]).get(POSTS).status_code == 404
    assert with_access(tokens["access"]).get("/api/v1/w/charlie-co/posts/").status_code == 200


def test_an_editor_with_a_jwt_still_cannot_approve(alice_workspace, draft):
    tokens = sign_in("bob@example.com")

    response = with_access(tokens["access"]).post(f"{POSTS}{draft.pk}/approve/")

    assert response.status_code == 403
    draft.refresh_from_db()
    assert draft.status == Post.Status.DRAFT


def test_me_lists_the_users_workspaces(alice_workspace, charlie_workspace):
    tokens = sign_in("bob@example.com")

    response = with_access(tokens["access"]).get("/api/v1/me/")

    assert response.json()["email"] == "bob@example.com"
    assert response.json()["workspaces"] == [
        {"slug": "alice-co", "name": "Alice Co", "role": "editor"}
    ]


def test_a_wrong_password_is_a_401(alice_workspace):
    response = APIClient().post(OBTAIN, {"email": "alice@example.com", "password": "nope"})

    assert response.status_code == 401
    assert response.json()["code"] == "no_active_account"
    assert "access" not in response.json()


def test_missing_credentials_are_a_400_naming_the_fields(db):
    response = APIClient().post(OBTAIN, {})

    assert response.status_code == 400
    assert set(response.json()["fields"]) == {"email", "password"}


def test_an_unverified_email_cannot_sign_in(alice_workspace, alice):
    alice.emailaddress_set.update(verified=False)

    response = APIClient().post(OBTAIN, {"email": "alice@example.com", "password": TEST_PASSWORD})

    assert response.status_code == 401
    assert response.json()["code"] == "email_not_verified"


def test_two_factor_accounts_need_the_code(alice_workspace, alice):
    secret = generate_totp_secret()
    TOTP.activate(alice, secret)

    without = APIClient().post(OBTAIN, {"email": "alice@example.com", "password": TEST_PASSWORD})
    assert without.status_code == 400
    assert list(without.json()["fields"]) == ["otp"]

    wrong = APIClient().post(
        OBTAIN, {"email": "alice@example.com", "password": TEST_PASSWORD, "otp": "000000"}
    )
    assert wrong.status_code == 401

    code = format_hotp_value(hotp_value(secret, int(time.time()) // 30))
    assert "access" in sign_in(otp=code)


def test_access_tokens_last_five_minutes(alice_workspace):
    tokens = sign_in()

    with time_machine.travel(timezone.now() + timedelta(minutes=6)):
        response = with_access(tokens["access"]).get(POSTS)

    assert response.status_code == 401
    assert response.json()["code"] == "token_not_valid"


def test_refresh_rotates_and_the_old_refresh_token_is_blacklisted(alice_workspace):
    first = sign_in()

    response = APIClient().post(REFRESH, {"refresh": first["refresh"]})

    assert response.status_code == 200
    second = response.json()
    assert second["refresh"] != first["refresh"]
    assert with_access(second["access"]).get(POSTS).status_code == 200
    reused = APIClient().post(REFRESH, {"refresh": first["refresh"]})
    assert reused.status_code == 401
    assert APIClient().post(REFRESH, {"refresh": second["refresh"]}).status_code == 200


def test_refresh_tokens_last_seven_days(alice_workspace):
    tokens = sign_in()

    with time_machine.travel(timezone.now() + timedelta(days=7, minutes=1)):
        response = APIClient().post(REFRESH, {"refresh": tokens["refresh"]})

    assert response.status_code == 401


def test_an_access_token_is_not_a_refresh_token(alice_workspace):
    tokens = sign_in()

    assert APIClient().post(REFRESH, {"refresh": tokens["access"]}).status_code == 401
    assert APIClient().post(REFRESH, {"refresh": "garbage"}).status_code == 401


def test_sign_out_revokes_the_refresh_token(alice_workspace):
    tokens = sign_in()

    response = APIClient().post(REVOKE, {"refresh": tokens["refresh"]})

    assert response.status_code == 204
    assert APIClient().post(REFRESH, {"refresh": tokens["refresh"]}).status_code == 401


def test_changing_the_password_ends_every_app_sign_in(alice_workspace, alice):
    phone, laptop = sign_in(), sign_in()
    browser = Client()
    browser.force_login(alice)

    response = browser.post(
        "/accounts/password/change/",
        {
            "oldpassword": TEST_PASSWORD,
            "password1": "a-new-long-passphrase-9",
            "password2": "a-new-long-passphrase-9",
        },
    )

    assert response.status_code == 302
    assert BlacklistedToken.objects.count() == OutstandingToken.objects.count() == 2
    for tokens in (phone, laptop):
        assert APIClient().post(REFRESH, {"refresh": tokens["refresh"]}).status_code == 401
        refused = with_access(tokens["access"]).get(POSTS)
        assert refused.status_code == 401
        assert refused.json()["code"] == "password_changed"
    assert AuditEvent.objects.filter(action="api.app_sessions_revoked", actor=alice).exists()
    assert "access" in sign_in(password="a-new-long-passphrase-9")


def test_a_password_set_elsewhere_also_ends_refresh_tokens(alice_workspace, alice):
    # E.g. by staff in the admin, where no allauth signal fires: the hash in the token decides.
    tokens = sign_in()
    alice.set_password("another-long-passphrase-7")
    alice.save()

    response = APIClient().post(REFRESH, {"refresh": tokens["refresh"]})

    assert response.status_code == 401
    assert response.json()["code"] == "password_changed"


def test_a_deleted_users_refresh_token_is_a_401_not_a_500(alice_workspace, bob):
    tokens = sign_in("bob@example.com")
    bob.delete()

    assert APIClient().post(REFRESH, {"refresh": tokens["refresh"]}).status_code == 401


def test_sign_out_all_apps_from_the_settings_page(alice_workspace, alice_client):
    tokens = sign_in()

    page = alice_client.get("/w/alice-co/settings/api-tokens/")
    assert page.context["app_sessions"] == 1
    alice_client.post("/w/alice-co/settings/api-tokens/sign-out-apps/")

    assert APIClient().post(REFRESH, {"refresh": tokens["refresh"]}).status_code == 401
    assert alice_client.get("/w/alice-co/settings/api-tokens/").context["app_sessions"] == 0
