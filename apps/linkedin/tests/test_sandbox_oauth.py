"""The sandbox's OAuth and OIDC endpoints against linkedin-api.md §1 and §2."""

import base64
import json

import pytest

from apps.linkedin.sandbox import Clock, RegisteredApp, SandboxConfig

from .conftest import ALL_SCOPES, REDIRECT_URI, START, authorize, exchange, http

DAY = 86400


def authorization_params(**overrides):
    params = {
        "response_type": "code",
        "client_id": "sandbox-client",
        "redirect_uri": REDIRECT_URI,
        "state": "abc",
        "scope": "openid profile w_member_social",
    }
    return {**params, **overrides}


def test_the_consent_screen_names_the_app_the_scopes_and_offers_allow_and_cancel(linkedin):
    page = http.get(f"{linkedin.oauth_base}/authorization", params=authorization_params())

    assert page.status_code == 200
    assert page.headers["Content-Type"].startswith("text/html")
    assert "TechLead AutoPilot (sandbox)" in page.text
    assert "w_member_social" in page.text
    assert page.text.count('<form method="post" action="/oauth/v2/authorization">') == 2
    assert 'value="allow">Allow</button>' in page.text
    assert 'value="cancel">Cancel</button>' in page.text


def test_allow_redirects_back_with_a_code_and_the_state(linkedin):
    answer = authorize(linkedin, state="xyz-123")

    assert answer["state"] == "xyz-123"
    assert answer["code"]


def test_cancel_redirects_back_with_user_cancelled_authorize(linkedin):
    answer = authorize(linkedin, decision="cancel", state="xyz")

    assert answer["error"] == "user_cancelled_authorize"
    assert answer["error_description"]
    assert answer["state"] == "xyz"
    assert "code" not in answer


def test_an_unknown_client_id_shows_an_error_page_and_never_redirects(linkedin):
    page = http.get(
        f"{linkedin.oauth_base}/authorization",
        params=authorization_params(client_id="someone-else"),
        allow_redirects=False,
    )

    assert page.status_code == 400
    assert "Location" not in page.headers
    assert "client_id" in page.text


def test_a_redirect_uri_off_loopback_shows_an_error_page_and_never_redirects(linkedin):
    page = http.get(
        f"{linkedin.oauth_base}/authorization",
        params=authorization_params(redirect_uri="https://evil.example.com/callback"),
        allow_redirects=False,
    )

    assert page.status_code == 400
    assert "Location" not in page.headers


def test_a_scope_linkedin_does_not_know_redirects_with_unauthorized_scope_error(linkedin):
    page = http.get(
        f"{linkedin.oauth_base}/authorization",
        params=authorization_params(scope="openid w_everything"),
        allow_redirects=False,
    )

    assert page.status_code == 302
    assert "error=unauthorized_scope_error" in page.headers["Location"]


def test_the_exchange_answers_with_the_contract_shape_and_comma_separated_scopes(linkedin):
    code = authorize(linkedin, scope="openid profile email w_member_social")["code"]

    answer = exchange(linkedin, code)

    assert answer.status_code == 200
    body = answer.json()
    assert body["expires_in"] == 5183999
    assert body["scope"] == "openid,profile,email,w_member_social"
    assert body["token_type"] == "Bearer"
    assert body["access_token"].startswith("AQV")
    assert "refresh_token" not in body
    assert "refresh_token_expires_in" not in body
    claims = json.loads(base64.urlsafe_b64decode(body["id_token"].split(".")[1] + "=="))
    assert claims["iss"] == "https://www.linkedin.com/oauth"
    assert claims["aud"] == "sandbox-client"
    assert claims["exp"] == claims["iat"] + 3600
    assert claims["email_verified"] == "true"
    assert claims["locale"] == "en_DE"


def test_there_is_no_id_token_without_openid(linkedin):
    code = authorize(linkedin, scope="w_member_social")["code"]

    assert "id_token" not in exchange(linkedin, code).json()


def test_a_self_serve_app_asking_for_restricted_scopes_is_refused_with_unauthorized_scope_error(
    linkedin,
):
    answer = authorize(linkedin, scope=ALL_SCOPES, state="abc")

    assert answer == {
        "error": "unauthorized_scope_error",
        "error_description": 'Scope "r_member_social" is not authorized for your application',
        "state": "abc",
    }


@pytest.mark.linkedin_approved
def test_an_approved_app_is_granted_the_restricted_scopes(linkedin):
    code = authorize(linkedin, scope=ALL_SCOPES)["code"]

    assert exchange(linkedin, code).json()["scope"] == (
        "openid,profile,email,w_member_social,r_member_social,r_member_postAnalytics"
    )


def test_one_app_can_be_approved_while_the_sandbox_is_self_serve(start_sandbox):
    approved = RegisteredApp("sandbox-client", "sandbox-secret", approved=True)
    running = start_sandbox(config=SandboxConfig(apps=(approved,)))

    assert "code" in authorize(running, scope=ALL_SCOPES)


def test_a_code_works_once(linkedin):
    code = authorize(linkedin)["code"]
    assert exchange(linkedin, code).status_code == 200

    second = exchange(linkedin, code)

    assert second.status_code == 400
    assert second.json()["error"] == "invalid_request"
    assert second.json()["error_description"].startswith("Unable to retrieve access token")


def test_a_code_expires_after_thirty_minutes(start_sandbox):
    running = start_sandbox(clock=Clock(start=START, ticking=False))
    code = authorize(running)["code"]
    running.sandbox.clock.advance(minutes=31)

    assert exchange(running, code).json()["error"] == "invalid_request"


def test_a_different_redirect_uri_at_exchange_is_invalid_redirect_uri(linkedin):
    code = authorize(linkedin)["code"]

    answer = exchange(linkedin, code, redirect_uri="http://localhost:8000/other")

    assert answer.status_code == 400
    assert answer.json()["error"] == "invalid_redirect_uri"


def test_a_remembered_consent_skips_the_consent_screen(linkedin):
    authorize(linkedin, scope="openid profile")

    again = http.get(
        f"{linkedin.oauth_base}/authorization",
        params=authorization_params(scope="openid profile"),
        allow_redirects=False,
    )

    assert again.status_code == 302
    assert "code=" in again.headers["Location"]


def refresh(running, refresh_token):
    return http.post(
        f"{running.oauth_base}/accessToken",
        data={
            "grant_type": "refresh_token",
            "refresh_token": refresh_token,
            "client_id": "sandbox-client",
            "client_secret": "sandbox-secret",
        },
        timeout=5,
    )


def partner_sandbox(start_sandbox):
    return start_sandbox(config=SandboxConfig(partner=True), clock=Clock(START, ticking=False))


def test_a_partner_app_gets_a_refresh_token_for_365_days(start_sandbox):
    running = partner_sandbox(start_sandbox)

    body = exchange(running, authorize(running)["code"]).json()

    assert body["refresh_token"]
    assert body["refresh_token_expires_in"] == 31535999


def test_refreshing_does_not_reset_the_refresh_token_time_to_live(start_sandbox):
    running = partner_sandbox(start_sandbox)
    first = exchange(running, authorize(running)["code"]).json()
    running.sandbox.clock.advance(days=59)

    body = refresh(running, first["refresh_token"]).json()

    assert body["access_token"] != first["access_token"]
    assert body["expires_in"] == 5183999
    assert body["refresh_token"] == first["refresh_token"]
    assert body["refresh_token_expires_in"] == 31535999 - 59 * DAY


def test_near_the_end_the_access_token_is_capped_at_the_refresh_token_expiry(start_sandbox):
    running = partner_sandbox(start_sandbox)
    first = exchange(running, authorize(running)["code"]).json()
    running.sandbox.clock.advance(days=360)

    body = refresh(running, first["refresh_token"]).json()

    assert body["expires_in"] == body["refresh_token_expires_in"] == 31535999 - 360 * DAY


def test_an_expired_refresh_token_is_invalid_grant(start_sandbox):
    running = partner_sandbox(start_sandbox)
    first = exchange(running, authorize(running)["code"]).json()
    running.sandbox.clock.advance(days=366)

    answer = refresh(running, first["refresh_token"])

    assert answer.status_code == 400
    assert answer.json()["error"] == "invalid_grant"


def introspect(running, token):
    return http.post(
        f"{running.oauth_base}/introspectToken",
        data={"client_id": "sandbox-client", "client_secret": "sandbox-secret", "token": token},
        timeout=5,
    ).json()


def test_introspection_reports_active_revoked_and_expired_tokens(linkedin):
    sandbox = linkedin.sandbox
    active = sandbox.issue_token(["openid", "w_member_social"])
    revoked = sandbox.issue_token()
    sandbox.revoke_token(revoked)
    expired = sandbox.issue_token(expires_in=60)
    sandbox.clock.advance(61)

    body = introspect(linkedin, active)
    assert body["active"] is True
    assert body["status"] == "active"
    assert body["scope"] == "openid,w_member_social"
    assert body["auth_type"] == "3L"
    assert body["expires_at"] > body["created_at"]
    assert introspect(linkedin, revoked)["status"] == "revoked"
    assert introspect(linkedin, expired)["status"] == "expired"
    assert introspect(linkedin, expired)["active"] is False
    assert introspect(linkedin, "not-a-token") == {"active": False}


def test_userinfo_needs_no_version_and_shows_email_only_with_the_email_scope(linkedin):
    with_email = linkedin.sandbox.issue_token(["openid", "profile", "email"])
    without_email = linkedin.sandbox.issue_token(["openid", "profile"])

    full = http.get(
        f"{linkedin.api_base}/v2/userinfo", headers={"Authorization": f"Bearer {with_email}"}
    )
    partial = http.get(
        f"{linkedin.api_base}/v2/userinfo", headers={"Authorization": f"Bearer {without_email}"}
    )

    assert full.status_code == 200
    assert full.json() == {
        "sub": "sbxDanaDemo1",
        "name": "Dana Demo",
        "given_name": "Dana",
        "family_name": "Demo",
        "picture": "https://media.licdn.com/dms/image/sandbox/dana-demo.jpg",
        "locale": {"country": "DE", "language": "en"},
        "email": "dana.demo@example.com",
        "email_verified": True,
    }
    assert "email" not in partial.json()


def test_me_is_forbidden_with_only_the_openid_scopes(linkedin):
    token = linkedin.sandbox.issue_token(["openid", "profile", "email", "w_member_social"])

    answer = http.get(f"{linkedin.api_base}/v2/me", headers={"Authorization": f"Bearer {token}"})

    assert answer.status_code == 403
    assert answer.json()["message"] == "Not enough permissions to access: me.GET.NO_VERSION"
