"""Rate limits per token, per user and for signing in; the browser session with CSRF; errors
always as JSON."""

import pytest
from django.test import Client
from rest_framework.test import APIClient

from apps.accounts.models import Role
from apps.accounts.tests.factories import TEST_PASSWORD

from .conftest import POST_TEXT, token_client

pytestmark = pytest.mark.django_db

POSTS = "/api/v1/w/alice-co/posts/"


@pytest.fixture
def rates(settings):
    def set_rates(**rates):
        framework = dict(settings.REST_FRAMEWORK)
        framework["DEFAULT_THROTTLE_RATES"] = {**framework["DEFAULT_THROTTLE_RATES"], **rates}
        settings.REST_FRAMEWORK = framework

    return set_rates


def test_a_token_over_its_rate_gets_429_with_retry_after(rates, alice, alice_workspace):
    rates(token="3/minute")
    client, _ = token_client(alice, alice_workspace)

    answers = [client.get(POSTS).status_code for _ in range(4)]

    assert answers == [200, 200, 200, 429]
    limited = client.get(POSTS)
    assert limited.json()["code"] == "throttled"
    assert int(limited["Retry-After"]) > 0


def test_the_limit_is_per_token(rates, alice, alice_workspace):
    rates(token="2/minute")
    first, _ = token_client(alice, alice_workspace)
    second, _ = token_client(alice, alice_workspace, role=Role.VIEWER)

    assert [first.get(POSTS).status_code for _ in range(3)] == [200, 200, 429]
    assert second.get(POSTS).status_code == 200


def test_a_user_is_limited_across_all_their_tokens_and_sessions(rates, alice, alice_workspace):
    rates(user="3/minute")
    first, _ = token_client(alice, alice_workspace)
    second, _ = token_client(alice, alice_workspace, role=Role.VIEWER)
    browser = APIClient()
    browser.force_login(alice)

    answers = [c.get(POSTS).status_code for c in (first, second, browser, first)]

    assert answers == [200, 200, 200, 429]


def test_other_users_are_not_limited_by_alice(rates, alice, bob, alice_workspace):
    rates(user="1/minute")
    alice_api, _ = token_client(alice, alice_workspace)
    bob_api, _ = token_client(bob, alice_workspace)

    assert [alice_api.get(POSTS).status_code, alice_api.get(POSTS).status_code] == [200, 429]
    assert bob_api.get(POSTS).status_code == 200


def test_signing_in_is_limited_per_address(rates, alice_workspace):
    rates(sign_in="2/minute")
    wrong = {"email": "alice@example.com", "password": "guess"}

    answers = [APIClient().post("/api/v1/auth/token/", wrong).status_code for _ in range(3)]

    assert answers == [401, 401, 429]
    right = {"email": "alice@example.com", "password": TEST_PASSWORD}
    assert APIClient().post("/api/v1/auth/token/", right).status_code == 429


def test_the_browser_session_works_and_needs_csrf_for_writes(alice, alice_workspace):
    browser = APIClient(enforce_csrf_checks=True)
    browser.force_login(alice)

    assert browser.get(POSTS).status_code == 200
    refused = browser.post(POSTS, {"text": POST_TEXT})
    assert refused.status_code == 403
    assert "CSRF" in refused.json()["detail"]


def test_with_the_csrf_token_the_browser_may_write(alice, alice_workspace):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(alice)
    page = browser.get("/w/alice-co/settings/api-tokens/")
    csrf = page.cookies["csrftoken"].value

    response = browser.post(
        POSTS, {"text": POST_TEXT}, content_type="application/json", HTTP_X_CSRFTOKEN=csrf
    )

    assert response.status_code == 201


def test_token_requests_need_no_csrf(alice_api):
    assert alice_api.post(POSTS, {"text": POST_TEXT}).status_code == 201


def test_a_body_that_is_not_json_is_a_json_400(alice_api):
    response = alice_api.post(POSTS, "{not json", content_type="application/json")

    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"
    assert response.json()["detail"].startswith("JSON parse error")


def test_a_json_array_instead_of_an_object_is_a_400(alice_api):
    response = alice_api.post(POSTS, [1, 2], format="json")

    assert response.status_code == 400
    assert response.json()["fields"]["non_field_errors"]


def test_null_bytes_are_refused_not_stored(alice_api):
    response = alice_api.post(POSTS, {"text": "Hello\x00world"})

    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["text"]
