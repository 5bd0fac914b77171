"""Every capability state, decided from a connection, the settings and the facts given."""

from datetime import timedelta

import pytest
from django.utils import timezone

from apps.linkedin import capabilities
from apps.linkedin.models import LinkedInConnection

pytestmark = pytest.mark.django_db

SELF_SERVE = ["openid", "profile", "email", "w_member_social"]
RESTRICTED = ["r_member_social", "r_member_postAnalytics"]


@pytest.fixture
def connection(alice_workspace):
    def make(scopes=SELF_SERVE, **fields):
        values = {
            "member_sub": "sbxDanaDemo1",
            "member_urn": "urn:li:person:sbxDanaDemo1",
            "name": "Dana Demo",
            "scopes": scopes,
            "access_token": "AQVtoken",
            "access_token_expires_at": timezone.now() + timedelta(days=50),
        }
        return LinkedInConnection.objects.create(workspace=alice_workspace, **values | fields)

    return make


def states(decided) -> dict[str, str]:
    return {capability.key: capability.state for capability in decided}


def test_a_self_serve_connection_publishes_and_needs_approval_to_read(connection):
    decided = capabilities.decide(connection=connection())

    assert states(decided) == {
        "publishing": "works",
        "first_comment": "works",
        "comment_reading": "needs_approval",
        "analytics": "needs_approval",
        "replies": "needs_approval",
    }
    assert "r_member_social" in decided.comment_reading.detail
    assert "select developers only" in decided.comment_reading.detail
    assert "Community Management API" in decided.analytics.detail
    assert decided.comment_reading.state_label == "Needs LinkedIn approval"


def test_imported_comments_and_analytics_are_using_import(connection):
    decided = capabilities.decide(
        connection=connection(), comments_imported=True, analytics_imported=True
    )

    assert decided.comment_reading.state == "using_import"
    assert "forwarded LinkedIn notification e-mails" in decided.comment_reading.detail
    assert decided.analytics.state == "using_import"
    assert "XLSX" in decided.analytics.detail
    assert decided.replies.state == "using_import"
    assert decided.publishing.state == "works"


@pytest.mark.parametrize(
    ("fields", "words"),
    [
        ({"status": LinkedInConnection.Status.DISCONNECTED}, "not connected"),
        ({"access_token_expires_at": timezone.now() - timedelta(minutes=1)}, "expired"),
        (
            {
                "status": LinkedInConnection.Status.NEEDS_RECONNECT,
                "status_reason": "LinkedIn refused the stored authorization while publishing.",
            },
            "refused the stored authorization",
        ),
    ],
)
def test_a_dead_connection_needs_reconnect_for_everything_it_does(
    connection, settings, fields, words
):
    settings.LINKEDIN_APPROVED_SCOPES = RESTRICTED
    decided = capabilities.decide(connection=connection([*SELF_SERVE, *RESTRICTED], **fields))

    assert set(states(decided).values()) == {"needs_reconnect"}
    assert words in decided.publishing.detail


def test_no_connection_needs_reconnect_to_publish_but_import_still_reads_comments():
    decided = capabilities.decide(connection=None, comments_imported=True)

    assert decided.publishing.state == "needs_reconnect"
    assert decided.comment_reading.state == "using_import"
    assert decided.replies.state == "needs_reconnect"


def test_an_approved_app_whose_token_lacks_the_scope_needs_reconnect(connection, settings):
    settings.LINKEDIN_APPROVED_SCOPES = RESTRICTED

    decided = capabilities.decide(connection=connection(SELF_SERVE))

    assert decided.comment_reading.state == "needs_reconnect"
    assert "approved for r_member_social" in decided.comment_reading.detail
    assert decided.analytics.state == "needs_reconnect"
    assert decided.replies.state == "needs_reconnect"


def test_an_approved_app_with_every_scope_granted_works_everywhere(connection, settings):
    settings.LINKEDIN_APPROVED_SCOPES = RESTRICTED

    decided = capabilities.decide(connection=connection([*SELF_SERVE, *RESTRICTED]))

    assert set(states(decided).values()) == {"works"}


def test_a_token_without_permission_to_post_needs_reconnect_to_publish(connection):
    decided = capabilities.decide(connection=connection(["openid", "profile"]))

    assert decided.publishing.state == "needs_reconnect"
    assert "w_member_social" in decided.publishing.detail
    assert decided.first_comment.state == "needs_reconnect"


def test_linkedin_refusing_to_read_comments_means_approval_is_missing(connection, settings):
    settings.LINKEDIN_APPROVED_SCOPES = RESTRICTED

    decided = capabilities.decide(
        connection=connection([*SELF_SERVE, *RESTRICTED]), comment_reading_refused=True
    )

    assert decided.comment_reading.state == "needs_approval"
    assert decided.analytics.state == "works"
