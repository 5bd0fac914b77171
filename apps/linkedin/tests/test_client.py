"""The client against a sandbox over real HTTP: one test per error path in the contract."""

import datetime as dt
import logging
import socket

import pytest

from apps.linkedin.client import (
    LinkedInAuthError,
    LinkedInClient,
    LinkedInDuplicateError,
    LinkedInNotFound,
    LinkedInOAuthError,
    LinkedInPermissionError,
    LinkedInRateLimited,
    LinkedInTransientError,
    LinkedInUnknownOutcome,
    LinkedInValidationError,
    LinkedInVersionSunset,
    escape_little_text,
    is_retryable,
    parse_scopes,
)
from apps.linkedin.sandbox import Clock, SandboxConfig

from .conftest import ALL_SCOPES, REDIRECT_URI, START, authorize

# These tests exercise what an approved app may read; test_self_serve.py covers the default.
pytestmark = pytest.mark.linkedin_approved

ME = "urn:li:person:sbxDanaDemo1"
EVERYTHING = ALL_SCOPES.split()


@pytest.fixture
def client(linkedin, make_client):
    return make_client(linkedin.sandbox.issue_token(EVERYTHING))


def client_for(running, token=None, **options) -> LinkedInClient:
    return LinkedInClient(
        token, oauth_base=running.oauth_base, api_base=running.api_base, **options
    )


# Happy paths


def test_connecting_walks_the_consent_screen_and_exchanges_the_code(linkedin, make_client):
    url = make_client().authorization_url("state-1", REDIRECT_URI, ["openid", "w_member_social"])
    assert url.startswith(f"{linkedin.oauth_base}/authorization?response_type=code")
    assert "scope=openid%20w_member_social" in url
    code = authorize(linkedin, scope="openid profile email w_member_social")["code"]

    grant = make_client().exchange_code(code, REDIRECT_URI)

    assert grant.scopes == ["openid", "profile", "email", "w_member_social"]
    assert grant.expires_in == 5183999
    assert grant.refresh_token is None
    assert grant.id_token
    assert make_client(grant.access_token).userinfo()["sub"] == "sbxDanaDemo1"
    assert make_client().introspect(grant.access_token)["status"] == "active"


def test_a_partner_app_refreshes_and_keeps_its_refresh_token(start_sandbox):
    running = start_sandbox(config=SandboxConfig(partner=True))
    grant = client_for(running).exchange_code(authorize(running)["code"], REDIRECT_URI)

    refreshed = client_for(running).refresh(grant.refresh_token)

    assert grant.refresh_token_expires_in == 31535999
    assert refreshed.access_token != grant.access_token
    assert refreshed.refresh_token == grant.refresh_token


def test_a_post_is_created_read_found_commented_measured_and_deleted(linkedin, client):
    urn = client.create_post(ME, "Lessons from a Kubernetes migration (part 1) #k8s")
    linkedin.sandbox.clock.advance(days=2)

    assert client.get_post(urn)["commentary"] == "Lessons from a Kubernetes migration (part 1) #k8s"
    assert [p["id"] for p in client.find_posts_by_author(ME)["elements"]] == [urn]
    comment = client.create_comment(urn, ME, "Part 2 is coming \\o/ (soon)")
    assert comment["message"]["text"] == "Part 2 is coming \\o/ (soon)"
    comments = client.list_comments(urn, start=0, count=100)
    assert comments["paging"]["total"] == len(comments["elements"]) > 1
    assert client.social_metadata(urn)["entity"] == urn
    impressions = client.member_post_analytics(post_urn=urn, metric="IMPRESSION")
    assert impressions["elements"][0]["count"] > 0
    daily = client.member_post_analytics(
        metric="COMMENT",
        aggregation="DAILY",
        start=dt.date(2026, 9, 21),
        end=dt.date(2026, 9, 24),
    )
    assert len(daily["elements"]) == 3
    client.delete_post(urn)
    with pytest.raises(LinkedInNotFound):
        client.get_post(urn)


def test_ugc_post_urns_are_accepted(start_sandbox):
    running = start_sandbox(config=SandboxConfig(created_post_kind="ugcPost"))
    client = client_for(running, running.sandbox.issue_token())

    assert client.create_post(ME, "A video someday").startswith("urn:li:ugcPost:")


# 401


@pytest.mark.parametrize(
    ("spoil", "code"),
    [
        (lambda sandbox, token: sandbox.expire_token(token), "EXPIRED_ACCESS_TOKEN"),
        (lambda sandbox, token: sandbox.revoke_token(token), "REVOKED_ACCESS_TOKEN"),
    ],
)
def test_an_expired_or_revoked_token_raises_an_auth_error_with_its_code(
    linkedin, make_client, spoil, code
):
    token = linkedin.sandbox.issue_token()
    spoil(linkedin.sandbox, token)

    with pytest.raises(LinkedInAuthError) as raised:
        make_client(token).create_post(ME, "Hello")

    assert raised.value.code == code
    assert raised.value.status == 401
    assert not is_retryable(raised.value)


def test_an_invalid_token_raises_an_auth_error_with_invalid_access_token(make_client):
    with pytest.raises(LinkedInAuthError) as raised:
        make_client("AQVmadeup").userinfo()

    assert raised.value.code == "INVALID_ACCESS_TOKEN"


def test_a_brand_new_token_may_be_rejected_as_revoked_for_a_few_seconds(start_sandbox):
    running = start_sandbox()
    running.sandbox.faults.token_activation_lag(0.6)
    grant = client_for(running).exchange_code(authorize(running)["code"], REDIRECT_URI)

    with pytest.raises(LinkedInAuthError) as raised:
        client_for(running, grant.access_token).userinfo()
    patient = client_for(running, grant.access_token, activation_grace_seconds=5)

    assert raised.value.code == "REVOKED_ACCESS_TOKEN"
    assert patient.userinfo()["sub"] == "sbxDanaDemo1"


# 403, 404, 422


def test_reading_comments_without_r_member_social_raises_a_permission_error(linkedin, make_client):
    client = make_client(linkedin.sandbox.issue_token(["openid", "profile", "w_member_social"]))
    urn = client.create_post(ME, "Share-only app")

    with pytest.raises(LinkedInPermissionError) as raised:
        client.list_comments(urn)

    assert raised.value.code == "ACCESS_DENIED"
    assert not is_retryable(raised.value)


def test_a_duplicate_raises_a_duplicate_error_naming_the_earlier_post(client):
    first = client.create_post(ME, "Same text")

    with pytest.raises(LinkedInDuplicateError) as raised:
        client.create_post(ME, "Same text")

    assert raised.value.existing_urn == first
    assert not is_retryable(raised.value)


def test_a_post_for_someone_else_raises_a_permission_error(client):
    with pytest.raises(LinkedInPermissionError):
        client.create_post("urn:li:person:someoneElse", "Not mine to post")


def test_a_comment_the_sandbox_rejects_raises_a_validation_error(linkedin, client):
    urn = client.create_post(ME, "Comment target")

    with pytest.raises(LinkedInValidationError) as raised:
        client.create_comment(urn, ME, "x" * 1251)

    assert raised.value.status == 422


def test_commentary_over_3000_characters_once_escaped_is_refused_before_any_call(linkedin, client):
    fits = "a" * 2990 + "(" * 5  # 3000 characters once each ( is escaped
    too_long = "a" * 2990 + "(" * 6  # 2996 as written, 3002 escaped

    client.create_post(ME, fits)
    with pytest.raises(LinkedInValidationError, match=r"3002 characters.*3000"):
        client.create_post(ME, too_long)

    assert len(linkedin.sandbox.posts()) == 1


# 400, 426


def test_a_missing_version_raises_a_validation_error_with_version_missing(linkedin, make_client):
    no_version = make_client(linkedin.sandbox.issue_token(), version="")

    with pytest.raises(LinkedInValidationError) as raised:
        no_version.create_post(ME, "Hello")

    assert raised.value.code == "VERSION_MISSING"


def test_a_sunset_version_raises_version_sunset(linkedin, make_client):
    client = make_client(linkedin.sandbox.issue_token(), version="202504")

    with pytest.raises(LinkedInVersionSunset) as raised:
        client.create_post(ME, "Hello")

    assert raised.value.status == 426
    assert "20250401" in str(raised.value)
    assert not is_retryable(raised.value)


# 429, 5xx, timeouts and dropped connections


def test_a_daily_limit_raises_rate_limited_with_retry_after(start_sandbox):
    running = start_sandbox(
        config=SandboxConfig(daily_member_limit=1), clock=Clock(START, ticking=False)
    )
    client = client_for(running, running.sandbox.issue_token())
    client.create_post(ME, "The only post today")

    with pytest.raises(LinkedInRateLimited) as raised:
        client.create_post(ME, "One too many")

    assert raised.value.retry_after == 35200
    assert is_retryable(raised.value)


def test_a_server_error_raises_a_retryable_transient_error(linkedin, client):
    linkedin.sandbox.faults.fail_next(1, status=500)

    with pytest.raises(LinkedInTransientError) as raised:
        client.create_post(ME, "Hello")

    assert raised.value.status == 500
    assert is_retryable(raised.value)
    assert linkedin.sandbox.posts() == []


def test_a_refused_connection_raises_a_retryable_transient_error_even_for_a_create():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    client = LinkedInClient("AQVx", api_base=f"http://127.0.0.1:{closed_port}", timeout=2)

    with pytest.raises(LinkedInTransientError) as raised:
        client.create_post(ME, "Hello")

    assert is_retryable(raised.value)


def test_a_timeout_on_create_raises_unknown_outcome_and_the_post_exists(linkedin, make_client):
    client = make_client(linkedin.sandbox.issue_token(), timeout=0.3)
    linkedin.sandbox.faults.delay_next(1.0)

    with pytest.raises(LinkedInUnknownOutcome) as raised:
        client.create_post(ME, "Slow LinkedIn day")

    assert not is_retryable(raised.value)
    assert [post["commentary"] for post in linkedin.sandbox.posts()] == ["Slow LinkedIn day"]


def test_a_timeout_on_a_read_is_a_transient_error(linkedin, make_client):
    client = make_client(linkedin.sandbox.issue_token(["openid"]), timeout=0.3)
    linkedin.sandbox.faults.delay_next(1.0)

    with pytest.raises(LinkedInTransientError):
        client.userinfo()


def test_a_connection_dropped_after_create_raises_unknown_outcome_and_the_post_exists(
    linkedin, client
):
    linkedin.sandbox.faults.drop_connection_after_create()

    with pytest.raises(LinkedInUnknownOutcome):
        client.create_post(ME, "Did it go out?")

    [post] = linkedin.sandbox.posts()
    assert post["commentary"] == "Did it go out?"
    assert [p["id"] for p in client.find_posts_by_author(ME)["elements"]] == [post["urn"]]


# The token endpoint


def test_a_used_code_raises_an_oauth_error_that_needs_reauthorization(linkedin, make_client):
    code = authorize(linkedin)["code"]
    make_client().exchange_code(code, REDIRECT_URI)

    with pytest.raises(LinkedInOAuthError) as raised:
        make_client().exchange_code(code, REDIRECT_URI)

    assert raised.value.error == "invalid_request"
    assert raised.value.needs_reauthorization
    assert not is_retryable(raised.value)


def test_a_dead_refresh_token_raises_invalid_grant(make_client):
    with pytest.raises(LinkedInOAuthError) as raised:
        make_client().refresh("AQXnot-a-refresh-token")

    assert raised.value.error == "invalid_grant"
    assert raised.value.needs_reauthorization


def test_a_token_endpoint_outage_is_transient_and_never_needs_reauthorization(
    linkedin, make_client
):
    linkedin.sandbox.faults.fail_next(1, status=503, path_prefix="/oauth/")

    with pytest.raises(LinkedInOAuthError) as raised:
        make_client().refresh("AQXwhatever")

    assert raised.value.transient
    assert not raised.value.needs_reauthorization
    assert is_retryable(raised.value)


# Secrets stay secret


def test_tokens_never_appear_in_logs_or_error_messages(linkedin, make_client, caplog):
    caplog.set_level(logging.DEBUG)
    token = linkedin.sandbox.issue_token()
    linkedin.sandbox.revoke_token(token)
    client = make_client(token)

    with pytest.raises(LinkedInAuthError) as raised:
        client.create_post(ME, "Hello")
    with pytest.raises(LinkedInOAuthError) as oauth_raised:
        client.refresh("AQXsecret-refresh-value")

    for secret in (token, "AQXsecret-refresh-value", "sandbox-secret"):
        assert secret not in caplog.text
        assert secret not in str(raised.value)
        assert secret not in str(oauth_raised.value)
        assert secret not in repr(client)
    assert "401" in caplog.text


# Pure helpers


def test_escaping_escapes_every_reserved_character_and_backslashes_but_keeps_mentions():
    text = (
        "a\\b |{}@[]()<>#*_~ hi @[Ada Lovelace](urn:li:person:ada1) @[Acme](urn:li:organization:9)"
    )

    assert escape_little_text(text) == (
        "a\\\\b \\|\\{\\}\\@\\[\\]\\(\\)\\<\\>\\#\\*\\_\\~ hi "
        "@[Ada Lovelace](urn:li:person:ada1) @[Acme](urn:li:organization:9)"
    )


def test_scopes_parse_from_commas_or_spaces():
    assert parse_scopes("openid,profile,w_member_social") == [
        "openid",
        "profile",
        "w_member_social",
    ]
    assert parse_scopes("openid profile  email") == ["openid", "profile", "email"]
    assert parse_scopes(None) == []
