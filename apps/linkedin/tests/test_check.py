"""`manage.py linkedin_check` and the staff overview's LinkedIn row, against the sandbox."""

import datetime as dt
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from apps.linkedin import check
from apps.linkedin.models import LinkedInConnection
from apps.linkedin.sandbox import Clock, SandboxConfig

pytestmark = pytest.mark.django_db

SELF_SERVE = ["openid", "profile", "email", "w_member_social"]
ALL = [*SELF_SERVE, "r_member_social", "r_member_postAnalytics"]


@pytest.fixture
def point_at(settings):
    def point(running):
        settings.LINKEDIN_OAUTH_BASE = running.oauth_base
        settings.LINKEDIN_API_BASE = running.api_base
        return running

    return point


def connect(workspace, running, scopes=SELF_SERVE):
    member = running.sandbox.config.member
    return LinkedInConnection.objects.create(
        workspace=workspace,
        member_sub=member.sub,
        member_urn=member.urn,
        name=member.name,
        scopes=scopes,
        access_token=running.sandbox.issue_token(scopes),
        access_token_expires_at=timezone.now() + timedelta(days=50),
    )


def run(*args) -> str:
    out = StringIO()
    call_command("linkedin_check", *args, stdout=out)
    return out.getvalue()


def test_the_pinned_version_is_live_today_and_not_past_202605():
    from django.conf import settings

    level, words = check.version_status(settings.LINKEDIN_API_VERSION, today=dt.date(2026, 12, 4))

    assert level == "ok"
    assert settings.LINKEDIN_API_VERSION < "202605"  # before the member post statistics change
    assert "is live until 2027-03-15" in words


def test_a_sunset_version_and_one_close_to_sunset_are_flagged():
    assert check.version_status("202611", today=dt.date(2026, 12, 4))[0] == "bad"  # no such
    assert check.version_status("202511", today=dt.date(2026, 12, 4))[0] == "bad"
    assert check.version_status("202601", today=dt.date(2026, 12, 4))[0] == "warn"


def test_a_self_serve_workspace_is_reported_with_its_scopes_and_capabilities(
    alice_workspace, start_sandbox, point_at
):
    running = point_at(start_sandbox())
    connect(alice_workspace, running)

    out = run("--workspace", alice_workspace.slug)

    assert "LinkedIn check: ok" in out
    assert "LinkedIn-Version 202603 is live until 2027-03-15" in out
    assert "reading posts answered 403" in out
    assert "Asks for  openid profile email w_member_social" in out
    assert "Granted   openid profile email w_member_social" in out
    assert "Publishing      Works" in out
    assert "Comment reading Needs LinkedIn approval" in out


@pytest.mark.linkedin_approved
def test_an_approved_workspace_reads_posts_and_every_capability_works(
    alice_workspace, start_sandbox, point_at, settings
):
    settings.LINKEDIN_APPROVED_SCOPES = ["r_member_social", "r_member_postAnalytics"]
    running = point_at(start_sandbox(config=SandboxConfig(approved=True)))
    connect(alice_workspace, running, ALL)

    out = run("--workspace", alice_workspace.slug)

    assert "approved for r_member_social" in out
    assert "Needs" not in out


def test_a_version_linkedin_no_longer_serves_fails_the_check(
    alice_workspace, start_sandbox, point_at, settings
):
    settings.LINKEDIN_API_VERSION = "202510"  # sunset 2026-10-15
    december = dt.datetime(2026, 12, 4, tzinfo=dt.UTC).timestamp()
    point_at(start_sandbox(clock=Clock(start=december, ticking=False)))

    with pytest.raises(CommandError, match="426 NONEXISTENT_VERSION"):
        run()


def test_without_a_workspace_the_check_says_what_it_could_not_check(start_sandbox, point_at):
    point_at(start_sandbox())

    result = check.check()

    assert result.level == "ok"
    assert "permissions were not checked" in result.call_words
