"""Security hardening: the Content Security Policy, production's HTTPS and cookie settings,
password and session rules, rate limits, and "every state change is a POST with CSRF"."""

import json
import os
import re
import secrets
import subprocess
import sys
import types
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from django.apps import apps
from django.core.cache import cache
from django.test import Client, override_settings
from django.urls import include, path

from apps.accounts.models import Invitation, User
from techlead.settings import base as base_settings
from tests.security_world import build_world, our_routes, url_for

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = ROOT / "templates"


def policy(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    directives = {}
    for part in header.split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


# --- Content Security Policy ---------------------------------------------------------------


@pytest.mark.django_db
def test_pages_are_served_with_an_enforced_policy_that_allows_no_inline_script_or_eval(
    client,
):
    response = client.get("/")
    assert "Content-Security-Policy-Report-Only" not in response
    directives = policy(response)
    assert directives["default-src"] == ["'self'"]
    assert directives["script-src"] == ["'self'"]
    assert directives["object-src"] == ["'none'"]
    assert directives["base-uri"] == ["'none'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert "'self'" in directives["form-action"]
    header = response["Content-Security-Policy"]
    assert "unsafe-inline" not in header
    assert "unsafe-eval" not in header


@pytest.mark.django_db
def test_forms_may_post_on_to_linkedins_sign_in_page_and_nowhere_else(client, settings):
    # Chromium applies form-action to the redirect after "Connect LinkedIn"; the host is
    # read per response, so the sandbox on any port (and production's LinkedIn) is allowed.
    settings.LINKEDIN_OAUTH_BASE = "https://www.linkedin.com/oauth/v2"
    assert policy(client.get("/"))["form-action"] == ["'self'", "https://www.linkedin.com"]
    settings.LINKEDIN_OAUTH_BASE = "http://127.0.0.1:43117/oauth/v2"
    assert policy(client.get("/"))["form-action"] == ["'self'", "http://127.0.0.1:43117"]


@pytest.mark.django_db
def test_htmx_is_told_not_to_inject_styles_or_eval_and_its_indicator_rules_are_in_our_css(
    client,
):
    body = client.get("/").content.decode()
    config = re.search(r'<meta name="htmx-config" content=\'([^\']+)\'>', body)
    assert config, "the htmx-config meta tag is missing"
    assert json.loads(config.group(1)) == {
        "includeIndicatorStyles": False,
        "allowEval": False,
        "allowScriptTags": False,
        "attributesToSettle": ["class", "width", "height"],
    }
    css = (ROOT / "static" / "css" / "app.css").read_text()
    assert ".htmx-indicator" in css
    assert ".htmx-request .htmx-indicator" in css


# What the policy would refuse in a page. Emails are not pages (no CSP in a mail client).
INLINE = {
    "inline <script>": re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE),
    "on*= handler": re.compile(r"<[^>]*\son[a-z]+\s*=", re.IGNORECASE),
    "style attribute": re.compile(r"<[^>]*\sstyle\s*=", re.IGNORECASE),
    "<style> without nonce": re.compile(r"<style(?![^>]*\bnonce=)[^>]*>", re.IGNORECASE),
    "hx-on": re.compile(r"\bhx-on", re.IGNORECASE),
    "javascript: URL": re.compile(r"javascript:", re.IGNORECASE),
}


TEMPLATE_COMMENTS = re.compile(r"{% comment %}.*?{% endcomment %}|{#.*?#}", re.DOTALL)


def without_comments(text: str) -> str:
    """Template comments blanked out (line breaks kept, so line numbers still match)."""
    return TEMPLATE_COMMENTS.sub(lambda match: re.sub(r"[^\n]", " ", match.group()), text)


def page_templates():
    for template in sorted(TEMPLATES.rglob("*.html")):
        if "email" in template.relative_to(TEMPLATES).parts:
            continue
        yield template


def test_templates_hold_no_inline_script_handler_or_style_that_the_policy_would_refuse():
    found = []
    for template in page_templates():
        text = without_comments(template.read_text())
        for what, pattern in INLINE.items():
            for match in pattern.finditer(text):
                line = text.count("\n", 0, match.start()) + 1
                found.append(f"{template.relative_to(ROOT)}:{line}: {what}")
    assert found == [], "move behaviour to static/js/app.js and looks to static/css/app.css"


def test_the_template_scan_catches_what_the_policy_refuses():
    samples = {
        "inline <script>": "<script>alert(1)</script>",
        "on*= handler": '<select onchange="this.form.submit()">',
        "style attribute": '<div style="margin:0">',
        "<style> without nonce": "<style>.a{}</style>",
        "hx-on": '<button hx-on:click="go()">',
        "javascript: URL": '<a href="javascript:go()">',
    }
    for what, sample in samples.items():
        assert INLINE[what].search(sample), what
    assert not INLINE["inline <script>"].search('<script src="/static/js/app.js" defer>')
    assert not INLINE["<style> without nonce"].search('<style nonce="{{ csp_nonce }}">')
    commented = "{% comment %}no inline <style>{% endcomment %}{# or <script> #}"
    assert not any(pattern.search(without_comments(commented)) for pattern in INLINE.values())


def raise_error(request):
    raise RuntimeError("boom")


error_urlpatterns = [path("boom/", raise_error), path("", include("techlead.urls"))]


@pytest.mark.django_db
@override_settings(ROOT_URLCONF=__name__ + "_errors")
def test_the_500_page_keeps_its_own_style_through_the_policy_nonce():
    response = Client(raise_request_exception=False).get("/boom/")
    assert response.status_code == 500
    nonce = re.search(r'<style nonce="([^"]+)">', response.content.decode())
    assert nonce, "the 500 page's <style> has no nonce"
    assert f"'nonce-{nonce.group(1)}'" in policy(response)["style-src"]


# --- Production settings -------------------------------------------------------------------


def production_settings(**overrides: str) -> dict:
    """The settings production would run with, read in a fresh interpreter."""
    keep = ("PATH", "HOME", "LANG", "PYTHONPATH", "VIRTUAL_ENV")
    env = {key: os.environ[key] for key in keep if key in os.environ}
    env.update(
        DJANGO_SETTINGS_MODULE="techlead.settings.prod",
        SECRET_KEY=secrets.token_urlsafe(64),
        ALLOWED_HOSTS="app.example.com",
        FIELD_ENCRYPTION_KEYS=Fernet.generate_key().decode(),
        DATABASE_URL="sqlite:////tmp/unused.sqlite3",
        REDIS_URL="redis://127.0.0.1:6379/15",
        LINKEDIN_CLIENT_ID="security-test-client",
        LINKEDIN_CLIENT_SECRET=secrets.token_urlsafe(24),
        **overrides,
    )
    names = [
        "SESSION_COOKIE_SECURE",
        "CSRF_COOKIE_SECURE",
        "SESSION_COOKIE_HTTPONLY",
        "SECURE_HSTS_SECONDS",
        "SECURE_HSTS_INCLUDE_SUBDOMAINS",
        "SECURE_HSTS_PRELOAD",
        "SECURE_PROXY_SSL_HEADER",
        "SECURE_SSL_REDIRECT",
        "SESSION_COOKIE_AGE",
        "SESSION_SAVE_EVERY_REQUEST",
        "AUTH_PASSWORD_VALIDATORS",
        "ALLAUTH_TRUSTED_PROXY_COUNT",
        "ACCOUNT_EMAIL_VERIFICATION",
        "ACCOUNT_PREVENT_ENUMERATION",
    ]
    code = (
        "import json, django; django.setup(); from django.conf import settings; "
        f"print(json.dumps({{n: getattr(settings, n, None) for n in {names!r}}}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_production_sign_up_does_not_tell_whether_an_address_has_an_account():
    prod = production_settings(ACCOUNT_EMAIL_VERIFICATION="optional")  # an .env cannot undo it
    assert prod["ACCOUNT_EMAIL_VERIFICATION"] == "mandatory"
    assert prod["ACCOUNT_PREVENT_ENUMERATION"] is True


def test_production_sends_cookies_over_https_only_with_hsts_behind_the_proxy():
    prod = production_settings()
    assert prod["SESSION_COOKIE_SECURE"] is True
    assert prod["CSRF_COOKIE_SECURE"] is True
    assert prod["SESSION_COOKIE_HTTPONLY"] is True
    assert prod["SECURE_HSTS_SECONDS"] >= 60 * 60 * 24 * 365
    assert prod["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True
    assert prod["SECURE_HSTS_PRELOAD"] is True
    assert prod["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert prod["SECURE_SSL_REDIRECT"] is True
    # One proxy (the load balancer) in front: rate limits count the client, not the proxy.
    assert prod["ALLAUTH_TRUSTED_PROXY_COUNT"] == 1


def test_production_hsts_preload_redirect_and_proxy_count_are_configurable():
    prod = production_settings(
        SECURE_HSTS_PRELOAD="False", SECURE_SSL_REDIRECT="False", TRUSTED_PROXY_COUNT="2"
    )
    assert prod["SECURE_HSTS_PRELOAD"] is False
    assert prod["SECURE_SSL_REDIRECT"] is False
    assert prod["ALLAUTH_TRUSTED_PROXY_COUNT"] == 2


def test_sessions_end_two_weeks_after_sign_in_and_passwords_are_validated_everywhere():
    prod = production_settings()
    assert prod["SESSION_COOKIE_AGE"] == 60 * 60 * 24 * 14
    assert prod["SESSION_SAVE_EVERY_REQUEST"] is False
    validators = {v["NAME"].rsplit(".", 1)[1] for v in prod["AUTH_PASSWORD_VALIDATORS"]}
    assert validators == {
        "UserAttributeSimilarityValidator",
        "MinimumLengthValidator",
        "CommonPasswordValidator",
        "NumericPasswordValidator",
    }


@pytest.mark.django_db
@override_settings(
    SECURE_SSL_REDIRECT=True, SECURE_PROXY_SSL_HEADER=("HTTP_X_FORWARDED_PROTO", "https")
)
def test_plain_http_is_redirected_and_https_from_the_proxy_is_trusted():
    client = Client()
    insecure = client.get("/")
    assert insecure.status_code == 301
    assert insecure["Location"].startswith("https://")
    assert client.get("/", HTTP_X_FORWARDED_PROTO="https").status_code == 200


@pytest.mark.django_db
@override_settings(ACCOUNT_EMAIL_VERIFICATION="mandatory", ACCOUNT_PREVENT_ENUMERATION=True)
def test_sign_up_with_a_taken_address_looks_exactly_like_a_new_one(alice):
    from django.core import mail

    def sign_up(email):
        password = "a-Long-passw0rd!"
        return Client().post(
            "/accounts/signup/",
            {"email": email, "full_name": "Someone", "password1": password, "password2": password},
        )

    taken, new = sign_up("alice@example.com"), sign_up("someone-new@example.com")

    assert (taken.status_code, taken["Location"]) == (new.status_code, new["Location"])
    assert User.objects.filter(email__iexact="alice@example.com").count() == 1
    # The owner of the taken address is told by mail, where only they can read it.
    assert [m.to for m in mail.outbox].count(["alice@example.com"]) == 1


@pytest.mark.django_db
def test_sign_up_refuses_a_common_password(client):
    response = client.post(
        "/accounts/signup/",
        {"email": "new@example.com", "password1": "password123", "password2": "password123"},
    )
    assert response.status_code == 200
    assert "too common" in response.content.decode()
    assert not User.objects.filter(email="new@example.com").exists()


@pytest.mark.django_db
def test_a_session_is_not_extended_by_using_it(alice_client, alice_workspace):
    assert alice_client.session.get_expiry_age() == 60 * 60 * 24 * 14
    response = alice_client.get("/w/alice-co/leads/")
    assert response.status_code == 200
    assert "sessionid" not in response.cookies  # not re-saved, so not pushed further out


# --- Rate limits ---------------------------------------------------------------------------


@pytest.fixture
def rate_limits():
    """The limits configured in base.py (the test settings switch them off)."""
    cache.clear()
    with override_settings(ACCOUNT_RATE_LIMITS=base_settings.ACCOUNT_RATE_LIMITS):
        yield base_settings.ACCOUNT_RATE_LIMITS
    cache.clear()


@pytest.mark.django_db
def test_sign_in_is_refused_after_five_failures_for_one_address_even_with_the_right_password(
    client, alice, rate_limits
):
    assert rate_limits["login_failed"] == "10/m/ip,5/5m/key"
    for _ in range(5):
        response = client.post("/accounts/login/", {"login": alice.email, "password": "wrong"})
        assert response.status_code == 200
        assert "_auth_user_id" not in client.session
    response = client.post(
        "/accounts/login/", {"login": alice.email, "password": "correct-horse-battery-staple"}
    )
    assert "Too many failed login attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_sign_up_is_limited_per_address(client, rate_limits):
    assert rate_limits["signup"] == "20/m/ip"
    for number in range(20):
        response = client.post("/accounts/signup/", {"email": f"bot{number}@example.com"})
        assert response.status_code == 200  # the form's errors: no password
    response = client.post("/accounts/signup/", {"email": "bot99@example.com"})
    assert response.status_code == 429


@pytest.mark.django_db
def test_password_reset_requests_are_limited_per_email_address(client, alice, rate_limits):
    from django.core import mail

    assert rate_limits["reset_password"] == "20/m/ip,5/m/key"
    for _ in range(5):
        client.post("/accounts/password/reset/", {"email": alice.email})
    assert len(mail.outbox) == 5
    response = client.post("/accounts/password/reset/", {"email": alice.email})
    assert response.status_code == 429
    assert len(mail.outbox) == 5


@pytest.mark.django_db
def test_invitations_are_limited_per_member_and_say_so_in_the_form(
    alice_client, alice_workspace, rate_limits
):
    assert rate_limits["invite_member"] == "20/h/user,100/d/key"
    url = "/w/alice-co/settings/members/invite/"
    for number in range(20):
        response = alice_client.post(url, {"email": f"guest{number}@example.com", "role": "viewer"})
        assert response.status_code == 302
    response = alice_client.post(url, {"email": "guest99@example.com", "role": "viewer"})
    assert response.status_code == 429
    assert "a lot of invitations" in response.content.decode()
    assert Invitation.objects.filter(workspace=alice_workspace).count() == 20

    # A form error does not count against the member: only invitations really asked for do.
    response = alice_client.post(url, {"email": "not an address", "role": "viewer"})
    assert response.status_code == 400


# --- POST with CSRF for every state change -------------------------------------------------


@pytest.mark.django_db
def test_htmx_requests_carry_the_csrf_token_from_the_page(alice, alice_workspace):
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)
    page = client.get("/w/alice-co/settings/members/").content.decode()
    headers = re.search(r"<body hx-headers='([^']+)'>", page)
    assert headers, "the page does not give htmx the CSRF header"
    token = json.loads(headers.group(1))["X-CSRFToken"]

    url = "/w/alice-co/settings/members/invite/"
    data = {"email": "guest@example.com", "role": "viewer"}
    refused = client.post(url, data, HTTP_HX_REQUEST="true")
    assert refused.status_code == 403
    assert not Invitation.objects.filter(email="guest@example.com").exists()

    accepted = client.post(url, data, HTTP_HX_REQUEST="true", HTTP_X_CSRFTOKEN=token)
    assert accepted.status_code == 200
    assert Invitation.objects.filter(email="guest@example.com").exists()


def test_public_and_app_layouts_both_hand_htmx_the_csrf_token():
    for layout in ("base.html", "base_public.html"):
        text = (TEMPLATES / layout).read_text()
        assert """<body hx-headers='{"X-CSRFToken": "{{ csrf_token }}"}'>""" in text, layout


# Tables a GET may write: the session (messages are read and cleared from it).
WRITTEN_BY_READING = {"django_session"}
# Pages that create their settings row, with the defaults, the first time they are shown:
# the same as having it, no user-visible change.
CREATED_WITH_DEFAULTS_ON_FIRST_VIEW = {
    "/w/alice-co/settings/leads/": {"leads.LeadSettings", "leads.AlertSettings"},
    # The workspace's private inbound address is made the first time its page is shown.
    "/w/alice-co/leads/forwarding/": {"leads.InboundAddress"},
}


def database_fingerprint() -> dict[str, int]:
    fingerprint = {}
    for model in apps.get_models():
        if model._meta.db_table in WRITTEN_BY_READING or not model._meta.managed:
            continue
        rows = model._base_manager.order_by("pk").values_list()
        fingerprint[model._meta.label] = hash(tuple(repr(row) for row in rows))
    return fingerprint


@pytest.mark.django_db
def test_no_url_of_ours_changes_anything_when_fetched_with_get(
    alice, alice_workspace, alice_client
):
    alice.is_staff = True  # reaches the staff pages too
    alice.save(update_fields=["is_staff"])
    world = build_world(workspace=alice_workspace, owner=alice)
    checked, changed = [], []
    before = database_fingerprint()
    for route in our_routes():
        url = url_for(route, world)
        if url is None:
            continue
        response = alice_client.get(url)
        after = database_fingerprint()
        written = {label for label in after if after[label] != before.get(label)}
        if written - CREATED_WITH_DEFAULTS_ON_FIRST_VIEW.get(url, set()):
            changed.append((url, response.status_code, sorted(written)))
        checked.append((url, response.status_code))
        before = after
    assert changed == []
    # The walk reached real objects, not a wall of 404s.
    reached = [url for url, status in checked if status in (200, 302, 405)]
    unreached = [c for c in checked if c[0] not in reached]
    assert len(reached) >= 0.9 * len(checked), unreached


@pytest.mark.django_db
@override_settings(ROOT_URLCONF=__name__ + "_writes")
def test_the_get_walk_notices_a_view_that_writes_on_get(
    alice_client, alice_workspace, first_wall_only
):
    before = database_fingerprint()
    alice_client.get("/writes/")
    assert database_fingerprint() != before


def write_on_get(request):
    from django.http import HttpResponse

    workspace = request.user.memberships.get().workspace
    Invitation.objects.create(workspace=workspace, email="guest@example.com")
    return HttpResponse("written")


writes_urlpatterns = [path("writes/", write_on_get), path("", include("techlead.urls"))]


@pytest.fixture(autouse=True)
def _register_test_urlconfs():
    # override_settings(ROOT_URLCONF=...) needs importable modules; register these lists.
    for suffix, patterns in (("_errors", error_urlpatterns), ("_writes", writes_urlpatterns)):
        module = types.ModuleType(__name__ + suffix)
        module.urlpatterns = patterns
        module.handler500 = "apps.core.views.server_error"
        sys.modules[__name__ + suffix] = module
    yield
    for suffix in ("_errors", "_writes"):
        sys.modules.pop(__name__ + suffix, None)
