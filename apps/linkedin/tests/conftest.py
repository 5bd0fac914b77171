"""Sandboxes on loopback ports, fresh for every test, and helpers to talk to them."""

import html
import re
from contextlib import ExitStack
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from apps.linkedin.client import LinkedInClient
from apps.linkedin.sandbox import Clock, SandboxConfig, running_sandbox

REDIRECT_URI = "http://localhost:8000/linkedin/callback"
# What an ordinary app may ask for, and what only an approved app may
# (tests that use the latter carry @pytest.mark.linkedin_approved).
SELF_SERVE_SCOPES = "openid profile email w_member_social"
ALL_SCOPES = "openid profile email w_member_social r_member_social r_member_postAnalytics"
VERSION = "202603"  # live from 2026-03-15 to 2027-03-15 in LinkedIn's table
# 2026-09-21 14:13:20 UTC: a fixed moment so expiry and audience tests are exact.
START = 1_790_000_000


class _PatientSession(requests.Session):
    """A session whose calls time out after 5 s unless told otherwise, so no test hangs."""

    def request(self, method, url, **kwargs):
        kwargs.setdefault("timeout", 5)
        return super().request(method, url, **kwargs)


http = _PatientSession()


@pytest.fixture
def start_sandbox():
    """Start a sandbox server with the given `Sandbox(...)` options; stopped after the test."""
    with ExitStack() as stack:

        def start(**options):
            return stack.enter_context(running_sandbox(**options))

        yield start


def approved_app_requested(request) -> bool:
    """Whether the test says it needs an app LinkedIn approved for the restricted scopes."""
    return request.node.get_closest_marker("linkedin_approved") is not None


@pytest.fixture
def linkedin(start_sandbox, request):
    """A sandbox on a stopped clock, so nothing moves unless a test advances it.

    A self-serve app unless the test is marked `linkedin_approved`."""
    config = SandboxConfig(approved=approved_app_requested(request))
    return start_sandbox(seed=7, clock=Clock(start=START, ticking=False), config=config)


@pytest.fixture
def make_client(linkedin):
    def make(access_token=None, **options):
        return LinkedInClient(
            access_token, oauth_base=linkedin.oauth_base, api_base=linkedin.api_base, **options
        )

    return make


def rest_headers(token: str | None, version: str | None = VERSION) -> dict[str, str]:
    headers = {"X-Restli-Protocol-Version": "2.0.0"}
    if version:
        headers["LinkedIn-Version"] = version
    if token:
        headers["Authorization"] = f"Bearer {token}"
    return headers


def post_body(commentary: str, author: str = "urn:li:person:sbxDanaDemo1") -> dict:
    return {
        "author": author,
        "commentary": commentary,
        "visibility": "PUBLIC",
        "distribution": {
            "feedDistribution": "MAIN_FEED",
            "targetEntities": [],
            "thirdPartyDistributionChannels": [],
        },
        "lifecycleState": "PUBLISHED",
        "isReshareDisabledByAuthor": False,
    }


def consent_form(html: str) -> dict[str, str]:
    """The hidden fields of the consent screen's forms."""
    return dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', html))


def authorize(running, *, scope: str = SELF_SERVE_SCOPES, decision: str = "allow", state="s1"):
    """Walk the consent screen like a browser; returns the redirect's query parameters."""
    params = {
        "response_type": "code",
        "client_id": "sandbox-client",
        "redirect_uri": REDIRECT_URI,
        "state": state,
        "scope": scope,
    }
    page = requests.get(
        f"{running.oauth_base}/authorization", params=params, allow_redirects=False, timeout=5
    )
    if page.status_code == 302:  # consent remembered
        location = page.headers["Location"]
    else:
        form = {k: html.unescape(v) for k, v in consent_form(page.text).items()}
        answer = requests.post(
            f"{running.oauth_base}/authorization",
            data={**form, "decision": decision},
            allow_redirects=False,
            timeout=5,
        )
        location = answer.headers["Location"]
    assert location.startswith(REDIRECT_URI)
    return {key: values[0] for key, values in parse_qs(urlsplit(location).query).items()}


def exchange(running, code: str, redirect_uri: str = REDIRECT_URI) -> requests.Response:
    return requests.post(
        f"{running.oauth_base}/accessToken",
        data={
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": redirect_uri,
            "client_id": "sandbox-client",
            "client_secret": "sandbox-secret",
        },
        timeout=5,
    )
