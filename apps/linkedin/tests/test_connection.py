"""Connecting a workspace to LinkedIn through the sandbox's consent page, over real HTTP."""

import html
import re
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
import requests
from django.core import mail
from django.db import connection as db_connection
from django.utils import timezone

from apps.accounts.models import AuditEvent
from apps.linkedin import selectors, services, tasks
from apps.linkedin.models import LinkedInConnection
from apps.linkedin.sandbox.config import SandboxConfig
from apps.linkedin.tests.conftest import consent_form

pytestmark = pytest.mark.django_db


@pytest.fixture
def use_sandbox(settings):
    """Point the app's LinkedIn settings at a sandbox started by the test."""

    def point(running):
        settings.LINKEDIN_OAUTH_BASE = running.oauth_base
        settings.LINKEDIN_API_BASE = running.api_base
        return running

    return point


@pytest.fixture
def sandbox(start_sandbox, use_sandbox):
    return use_sandbox(start_sandbox(seed=3))


def consent(client, workspace, *, decision="allow"):
    """Click Connect, answer the sandbox's consent page, and follow LinkedIn back."""
    start = client.post(f"/w/{workspace.slug}/settings/linkedin/connect/")
    assert start.status_code == 302
    page = requests.get(start.url, allow_redirects=False, timeout=5)
    if page.status_code == 302:
        location = page.headers["Location"]
    else:
        form = {k: html.unescape(v) for k, v in consent_form(page.text).items()}
        answer = requests.post(
            page.url.split("?")[0],
            data={**form, "decision": decision},
            allow_redirects=False,
            timeout=5,
        )
        location = answer.headers["Location"]
    back = urlsplit(location)
    return client.get(f"{back.path}?{back.query}", follow=True)


def test_connect_sends_the_owner_to_linkedin_with_a_state_bound_to_the_session(
    alice_client, alice_workspace, sandbox
):
    response = alice_client.post(f"/w/{alice_workspace.slug}/settings/linkedin/connect/")
    assert response.url.startswith(f"{sandbox.oauth_base}/authorization?")
    state = alice_client.session[services.STATE_SESSION_KEY]
    assert f"state={state['state']}" in response.url
    assert state["workspace_id"] == alice_workspace.pk


def test_allowing_on_the_consent_page_connects_the_workspace(
    alice_client, alice, alice_workspace, sandbox
):
    page = consent(alice_client, alice_workspace)
    assert "LinkedIn connected as" in page.text
    connection = LinkedInConnection.objects.get(workspace=alice_workspace)
    assert connection.status == LinkedInConnection.Status.CONNECTED
    assert connection.member_urn.startswith("urn:li:person:")
    assert connection.name
    assert "w_member_social" in connection.scopes
    assert connection.access_token.startswith("AQV")
    assert connection.connected_by == alice
    assert AuditEvent.objects.filter(
        action="linkedin.connected", workspace=alice_workspace
    ).exists()
    assert selectors.connection_state(connection).headline == "Connected"


def test_the_token_is_never_stored_in_plain_text(alice_client, alice_workspace, sandbox):
    consent(alice_client, alice_workspace)
    connection = LinkedInConnection.objects.get(workspace=alice_workspace)
    with db_connection.cursor() as cursor:
        cursor.execute(
            "SELECT access_token FROM linkedin_linkedinconnection WHERE id = %s", [connection.pk]
        )
        raw = cursor.fetchone()[0]
    assert connection.access_token not in raw


def test_cancelling_on_linkedin_connects_nothing_and_says_so(
    alice_client, alice_workspace, sandbox
):
    page = consent(alice_client, alice_workspace, decision="cancel")
    assert "You cancelled on LinkedIn" in page.text
    assert not LinkedInConnection.objects.exists()


def test_a_callback_with_a_foreign_state_is_refused(alice_client, alice_workspace, sandbox):
    alice_client.post(f"/w/{alice_workspace.slug}/settings/linkedin/connect/")
    page = alice_client.get("/linkedin/callback?code=abc&state=forged", follow=True)
    assert "does not match a connection you started" in page.text
    assert not LinkedInConnection.objects.exists()


def test_a_state_started_by_another_user_is_refused(alice_client, alice_workspace, bob, sandbox):
    alice_client.post(f"/w/{alice_workspace.slug}/settings/linkedin/connect/")
    state = alice_client.session[services.STATE_SESSION_KEY]["state"]
    alice_client.force_login(bob)  # same browser session, another user
    page = alice_client.get(f"/linkedin/callback?code=abc&state={state}", follow=True)
    assert not LinkedInConnection.objects.exists()
    assert page.status_code == 200


def test_an_editor_can_see_but_not_connect(bob_client, alice_workspace, sandbox):
    page = bob_client.get(f"/w/{alice_workspace.slug}/settings/linkedin/")
    assert "Only owners and admins connect" in page.text
    assert (
        bob_client.post(f"/w/{alice_workspace.slug}/settings/linkedin/connect/").status_code == 403
    )


def capability_states(page_text: str) -> dict[str, str]:
    return dict(re.findall(r'data-capability="(\w+)" data-state="(\w+)"', page_text))


def test_a_self_serve_connection_shows_what_works_and_what_needs_linkedins_approval(
    alice_client, alice_workspace, start_sandbox, use_sandbox
):
    use_sandbox(start_sandbox())  # an ordinary self-serve app, the default
    page = consent(alice_client, alice_workspace)
    assert "LinkedIn connected as" in page.text

    page = alice_client.get(f"/w/{alice_workspace.slug}/settings/linkedin/")

    assert capability_states(page.text) == {
        "publishing": "works",
        "first_comment": "works",
        "comment_reading": "needs_approval",
        "analytics": "needs_approval",
        "replies": "needs_approval",
    }
    assert "LinkedIn grants to select developers only" in page.text
    assert "Community Management API" in page.text
    assert "paste or upload comments" in page.text


@pytest.mark.linkedin_approved
def test_an_approved_app_connects_with_every_capability_working(
    alice_client, alice_workspace, start_sandbox, use_sandbox, settings
):
    settings.LINKEDIN_APPROVED_SCOPES = ["r_member_social", "r_member_postAnalytics"]
    use_sandbox(start_sandbox(config=SandboxConfig(approved=True)))
    consent(alice_client, alice_workspace)

    page = alice_client.get(f"/w/{alice_workspace.slug}/settings/linkedin/")

    assert set(capability_states(page.text).values()) == {"works"}
    connection = LinkedInConnection.objects.get()
    assert "r_member_social" in connection.scopes


def test_asking_a_self_serve_app_for_restricted_scopes_fails_the_connect_with_linkedins_words(
    alice_client, alice_workspace, sandbox, settings
):
    settings.LINKEDIN_APPROVED_SCOPES = ["r_member_social"]  # but the app is not approved

    page = consent(alice_client, alice_workspace)

    assert "LinkedIn refused the connection" in page.text
    assert "is not authorized for your application" in html.unescape(page.text)
    assert not LinkedInConnection.objects.exists()


def test_disconnecting_wipes_the_tokens_but_keeps_the_member(
    alice_client, alice_workspace, sandbox
):
    consent(alice_client, alice_workspace)
    alice_client.post(f"/w/{alice_workspace.slug}/settings/linkedin/disconnect/")
    connection = LinkedInConnection.objects.get(workspace=alice_workspace)
    assert (connection.status, connection.access_token, connection.refresh_token) == (
        LinkedInConnection.Status.DISCONNECTED,
        "",
        "",
    )
    assert connection.member_urn.startswith("urn:li:person:")
    page = alice_client.get(f"/w/{alice_workspace.slug}/settings/linkedin/")
    assert "Not connected" in page.text


def test_reconnecting_reuses_the_same_connection(alice_client, alice_workspace, sandbox):
    consent(alice_client, alice_workspace)
    first = LinkedInConnection.objects.get(workspace=alice_workspace)
    alice_client.post(f"/w/{alice_workspace.slug}/settings/linkedin/disconnect/")
    consent(alice_client, alice_workspace)
    again = LinkedInConnection.objects.get(workspace=alice_workspace)
    assert again.pk == first.pk
    assert again.status == LinkedInConnection.Status.CONNECTED


# --- Token lifecycle -----------------------------------------------------------------------


@pytest.fixture
def partner_sandbox(start_sandbox, use_sandbox):
    return use_sandbox(start_sandbox(seed=3, config=SandboxConfig(partner=True)))


def expiring_soon(connection, days=3):
    connection.access_token_expires_at = timezone.now() + timedelta(days=days)
    connection.save()
    return connection


def test_a_token_that_expires_soon_is_refreshed_and_the_refresh_token_kept(
    alice_client, alice_workspace, partner_sandbox
):
    consent(alice_client, alice_workspace)
    connection = expiring_soon(LinkedInConnection.objects.get(workspace=alice_workspace))
    old_access, old_refresh = connection.access_token, connection.refresh_token
    assert old_refresh

    assert services.refresh_access_token(connection=connection) == "refreshed"
    connection.refresh_from_db()
    assert connection.access_token != old_access
    assert connection.refresh_token  # never overwritten with an empty one
    assert connection.access_token_expires_at > timezone.now() + timedelta(days=50)
    # Running it twice does nothing more: the token is fresh now.
    assert services.refresh_access_token(connection=connection) == "skipped"


def test_a_forced_refresh_renews_a_fresh_token_once_however_often_it_is_asked(
    alice_client, alice_workspace, partner_sandbox
):
    consent(alice_client, alice_workspace)
    connection = LinkedInConnection.objects.get(workspace=alice_workspace)
    fresh_access = connection.access_token
    assert services.refresh_access_token(connection=connection) == "skipped"  # not due

    assert services.refresh_access_token(connection=connection, force=True) == "refreshed"
    connection.refresh_from_db()
    assert connection.access_token != fresh_access
    # A double click or a task delivered twice does not refresh again.
    assert services.refresh_access_token(connection=connection, force=True) == "skipped"


def test_a_refresh_answer_without_a_refresh_token_keeps_the_stored_one(
    alice_client, alice_workspace, partner_sandbox, monkeypatch
):
    from apps.linkedin.client import LinkedInClient, TokenGrant

    consent(alice_client, alice_workspace)
    connection = expiring_soon(LinkedInConnection.objects.get(workspace=alice_workspace))
    stored_refresh = connection.refresh_token
    monkeypatch.setattr(
        LinkedInClient,
        "refresh",
        lambda self, token: TokenGrant(access_token="AQVnew", expires_in=5183999, scopes=[]),
    )
    assert services.refresh_access_token(connection=connection) == "refreshed"
    connection.refresh_from_db()
    assert (connection.access_token, connection.refresh_token) == ("AQVnew", stored_refresh)


def test_a_dead_refresh_token_marks_needs_reconnect_and_tells_the_owner_once(
    alice_client, alice_workspace, partner_sandbox, django_capture_on_commit_callbacks
):
    consent(alice_client, alice_workspace)
    connection = expiring_soon(LinkedInConnection.objects.get(workspace=alice_workspace))
    partner_sandbox.sandbox.revoke_token(connection.refresh_token)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        assert services.refresh_access_token(connection=connection) == "needs_reconnect"
        assert services.mark_needs_reconnect(connection=connection, reason="again") is False
    connection.refresh_from_db()
    assert connection.status == LinkedInConnection.Status.NEEDS_RECONNECT
    assert [m.to for m in mail.outbox] == [["alice@example.com"]]
    assert "/settings/linkedin/" in mail.outbox[0].body
    assert selectors.connection_state(connection).headline == "Needs reconnect"


def test_a_linkedin_outage_during_refresh_never_disconnects(
    alice_client, alice_workspace, partner_sandbox
):
    consent(alice_client, alice_workspace)
    connection = expiring_soon(LinkedInConnection.objects.get(workspace=alice_workspace))
    partner_sandbox.sandbox.faults.fail_next(3, status=503, path_prefix="/oauth/v2/accessToken")

    assert services.refresh_access_token(connection=connection) == "retry_later"
    connection.refresh_from_db()
    assert connection.status == LinkedInConnection.Status.CONNECTED
    assert connection.refresh_token
    assert "LinkedInOAuthError" in connection.last_refresh_error


def test_the_refresh_dispatcher_fans_out_only_due_connections(
    alice_client, alice_workspace, partner_sandbox, monkeypatch
):
    consent(alice_client, alice_workspace)
    sent = []
    monkeypatch.setattr(tasks.refresh_token, "delay", lambda *args: sent.append(args))
    assert tasks.refresh_expiring_tokens() == 0
    connection = expiring_soon(LinkedInConnection.objects.get(workspace=alice_workspace))
    assert tasks.refresh_expiring_tokens() == 1
    assert sent == [(connection.pk, alice_workspace.pk)]


def test_the_refresh_task_rescopes_to_its_workspace(
    alice_client, alice_workspace, charlie_workspace, partner_sandbox
):
    consent(alice_client, alice_workspace)
    connection = expiring_soon(LinkedInConnection.objects.get(workspace=alice_workspace))
    assert tasks.refresh_token(connection.pk, charlie_workspace.pk) == "gone"
    assert tasks.refresh_token(connection.pk, alice_workspace.pk) == "refreshed"


@pytest.mark.parametrize(("days_left", "threshold"), [(13.5, 14), (6.5, 7), (0.5, 1)])
def test_without_a_refresh_token_owners_are_reminded_before_expiry_once(
    alice_client, alice_workspace, sandbox, days_left, threshold, django_capture_on_commit_callbacks
):
    consent(alice_client, alice_workspace)
    connection = LinkedInConnection.objects.get(workspace=alice_workspace)
    assert connection.refresh_token == ""  # a self-serve app gets none
    connection.access_token_expires_at = timezone.now() + timedelta(days=days_left)
    connection.save()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.send_expiry_reminders() == 1
        assert tasks.send_expiry_reminders() == 0
    assert len(mail.outbox) == 1
    assert "disconnects in" in mail.outbox[0].subject
    connection.refresh_from_db()
    assert threshold in connection.expiry_reminders_sent


def test_no_reminder_while_expiry_is_far_away(alice_client, alice_workspace, sandbox):
    consent(alice_client, alice_workspace)
    assert tasks.send_expiry_reminders() == 0
    state = selectors.connection_state(LinkedInConnection.objects.get())
    assert state.detail.startswith("Expires in 59 days") or state.detail.startswith(
        "Expires in 60 days"
    )
