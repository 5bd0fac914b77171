"""The client where LinkedIn's documentation corrected it (linkedin-api.md, December 2026
review), against the sandbox in its default self-serve mode."""

import pytest

from apps.linkedin import client as linkedin_client
from apps.linkedin.sandbox import Clock, SandboxConfig

from .conftest import START

ME = "urn:li:person:sbxDanaDemo1"


@pytest.fixture
def client(linkedin, make_client):
    return make_client(linkedin.sandbox.issue_token())


def test_a_reply_is_posted_as_a_nested_comment_under_the_top_level_comment(linkedin, client):
    post = client.create_post(ME, "Replies are nested comments")
    top = client.create_comment(post, ME, "What about costs?")["$URN"]

    reply = client.create_comment(post, ME, "About half.", parent_comment_urn=top)

    assert reply["parentComment"] == top
    stored = {c["text"]: c["parent_urn"] for c in linkedin.sandbox.comments(post)}
    assert stored == {"What about costs?": None, "About half.": top}


@pytest.mark.parametrize("status", [502, 503, 504])
def test_a_gateway_error_on_create_is_an_unknown_outcome(linkedin, client, status):
    linkedin.sandbox.faults.fail_next(1, status=status, path_prefix="/rest/posts")

    with pytest.raises(linkedin_client.LinkedInUnknownOutcome):
        client.create_post(ME, "Did it go through?")
    assert not linkedin_client.is_retryable(linkedin_client.LinkedInUnknownOutcome("x"))


def test_a_gateway_error_on_a_read_stays_a_transient_error(linkedin, client):
    linkedin.sandbox.faults.fail_next(1, status=503)

    with pytest.raises(linkedin_client.LinkedInTransientError):
        client.userinfo()


def test_deleting_a_post_twice_succeeds_both_times(linkedin, client):
    post = client.create_post(ME, "Here and gone")

    client.delete_post(post)
    client.delete_post(post)

    assert linkedin.sandbox.post(post)["deleted"] is True


def test_the_daily_limit_is_told_apart_from_a_short_throttle(start_sandbox, make_client):
    limited = start_sandbox(
        config=SandboxConfig(daily_member_limit=0), clock=Clock(START, ticking=False)
    )
    daily_client = linkedin_client.LinkedInClient(
        limited.sandbox.issue_token(), oauth_base=limited.oauth_base, api_base=limited.api_base
    )
    with pytest.raises(linkedin_client.LinkedInRateLimited) as daily:
        daily_client.create_post(ME, "One too many")

    throttled = start_sandbox()
    throttled.sandbox.faults.fail_next(1, status=429)
    short_client = linkedin_client.LinkedInClient(
        throttled.sandbox.issue_token(),
        oauth_base=throttled.oauth_base,
        api_base=throttled.api_base,
    )
    with pytest.raises(linkedin_client.LinkedInRateLimited) as short:
        short_client.create_post(ME, "Busy")

    assert daily.value.daily is True
    assert daily.value.retry_after == 35_200  # 2026-09-21 14:13:20 UTC to midnight UTC
    assert short.value.daily is False


def test_the_quota_resets_at_the_next_midnight_utc():
    import datetime as dt

    late = dt.datetime(2026, 12, 4, 23, 59, tzinfo=dt.UTC)
    assert linkedin_client.next_quota_reset(late) == dt.datetime(2026, 12, 5, tzinfo=dt.UTC)


def test_an_unknown_version_is_refused_as_version_sunset(linkedin, make_client):
    sunset = make_client(linkedin.sandbox.issue_token(), version="202510")  # sunset 2026-10-15
    linkedin.sandbox.clock.advance(days=30)

    with pytest.raises(linkedin_client.LinkedInVersionSunset):
        sunset.create_post(ME, "Too old")
