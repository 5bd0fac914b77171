"""The capability selector gathers its facts from leads and analytics, and the pages show
the states in words without claiming a permission problem that is something else."""

from datetime import timedelta

import pytest
from django.utils import timezone

from apps.analytics.capabilities import workspace_capabilities
from apps.analytics.models import MetricSnapshot
from apps.content.models import Post
from apps.leads.models import Comment, Commenter, InboundMessage
from apps.linkedin.models import LinkedInConnection

pytestmark = pytest.mark.django_db

SELF_SERVE = ["openid", "profile", "email", "w_member_social"]


@pytest.fixture
def connected(alice_workspace):
    return LinkedInConnection.objects.create(
        workspace=alice_workspace,
        member_sub="sbxDanaDemo1",
        member_urn="urn:li:person:sbxDanaDemo1",
        name="Dana Demo",
        scopes=SELF_SERVE,
        access_token="AQVtoken",
        access_token_expires_at=timezone.now() + timedelta(days=50),
    )


def published(workspace, author, **fields):
    return Post.objects.create(
        workspace=workspace,
        author=author,
        text="A post",
        hook="A post",
        status=Post.Status.PUBLISHED,
        linkedin_urn="urn:li:share:7000000000000000001",
        published_at=timezone.now() - timedelta(hours=1),
        **fields,
    )


def test_an_emailed_comment_makes_comment_reading_using_import(alice, alice_workspace, connected):
    assert workspace_capabilities(workspace=alice_workspace).comment_reading.state == (
        "needs_approval"
    )
    post = published(alice_workspace, alice)
    commenter = Commenter.objects.create(
        workspace=alice_workspace, actor_urn="urn:li:person:x", name="Ada Lovelace"
    )
    Comment.objects.create(
        workspace=alice_workspace,
        post=post,
        commenter=commenter,
        urn="email:1",
        text="How much would this cost us?",
        source=Comment.Source.EMAIL,
    )

    decided = workspace_capabilities(workspace=alice_workspace)

    assert decided.comment_reading.state == "using_import"
    assert decided.replies.state == "using_import"
    assert decided.analytics.state == "needs_approval"


def test_a_tested_forwarding_route_makes_comment_reading_using_import(alice_workspace, connected):
    InboundMessage.objects.create(
        workspace=alice_workspace, raw="Subject: test", status=InboundMessage.Status.TEST
    )

    assert workspace_capabilities(workspace=alice_workspace).comment_reading.state == (
        "using_import"
    )


def test_imported_figures_make_analytics_using_import(alice, alice_workspace, connected):
    post = published(alice_workspace, alice)
    MetricSnapshot.objects.create(
        workspace=alice_workspace, post=post, impressions=900, source=MetricSnapshot.Source.IMPORT
    )

    assert workspace_capabilities(workspace=alice_workspace).analytics.state == "using_import"


def test_the_dashboard_says_a_new_post_has_no_figures_yet_not_that_permission_is_missing(
    alice_client, alice, alice_workspace, connected
):
    published(alice_workspace, alice)

    page = alice_client.get("/w/alice-co/?days=7").content.decode()

    assert 'data-awaiting-figures="1"' in page
    assert "1 post has no figures yet" in page
    assert "did not let the app read" not in page
    assert "data-analytics-state" not in page


def test_the_dashboard_names_the_analytics_state_for_posts_measured_without_impressions(
    alice_client, alice, alice_workspace, connected
):
    published(alice_workspace, alice, metrics_at=timezone.now(), reactions=4)

    page = alice_client.get("/w/alice-co/?days=7").content.decode()

    assert 'data-analytics-state="needs_approval"' in page
    assert "Needs LinkedIn approval" in page
    assert "Community Management API" in page


def test_the_health_and_leads_pages_show_the_states(alice_client, alice_workspace, connected):
    health = alice_client.get("/w/alice-co/health/").content.decode()
    leads = alice_client.get("/w/alice-co/leads/").content.decode()

    assert 'data-capability="publishing" data-state="works"' in health
    assert 'data-capability="analytics" data-state="needs_approval"' in health
    assert 'data-capability="comment_reading" data-state="needs_approval"' in leads
    assert 'data-capability="replies" data-state="needs_approval"' in leads
    assert 'data-capability="publishing"' not in leads


def test_the_demo_label_shows_when_the_sandbox_plays_an_approved_app(
    alice_client, alice_workspace, connected, settings
):
    settings.LINKEDIN_SANDBOX_MODE = "approved"

    page = alice_client.get("/w/alice-co/settings/linkedin/").content.decode()

    assert "LinkedIn sandbox — approved app mode" in page
