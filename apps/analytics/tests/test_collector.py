import time
from datetime import timedelta

import pytest
from django.utils import timezone

from apps.analytics import collector
from apps.analytics.models import MetricSnapshot
from apps.content.models import Post
from apps.linkedin.client import LinkedInClient
from apps.linkedin.models import LinkedInConnection
from apps.linkedin.sandbox import Clock, SandboxConfig, running_sandbox

pytestmark = pytest.mark.django_db

ALL = ["openid", "profile", "w_member_social", "r_member_social", "r_member_postAnalytics"]


@pytest.fixture
def linkedin(settings):
    clock = Clock(start=time.time(), ticking=False)
    # The collector reads analytics and social metadata: an app LinkedIn approved for them.
    with running_sandbox(seed=8, clock=clock, config=SandboxConfig(approved=True)) as running:
        settings.LINKEDIN_API_BASE = running.api_base
        yield running


def publish(workspace, author, linkedin, scopes=ALL):
    member = linkedin.sandbox.config.member
    connection = LinkedInConnection.objects.create(
        workspace=workspace,
        member_sub=member.sub,
        member_urn=member.urn,
        name=member.name,
        scopes=scopes,
        access_token=linkedin.sandbox.issue_token(scopes),
        access_token_expires_at=timezone.now() + timedelta(days=50),
    )
    text = "Three ways our Kafka consumers fell behind. Which one do you know?"
    urn = LinkedInClient(connection.access_token).create_post(member.urn, text)
    return Post.objects.create(
        workspace=workspace,
        author=author,
        text=text,
        hook=text,
        status=Post.Status.PUBLISHED,
        linkedin_urn=urn,
        published_at=timezone.now(),
    )


def test_snapshots_follow_the_audience_and_keep_the_latest_on_the_post(
    alice, alice_workspace, linkedin
):
    post = publish(alice_workspace, alice, linkedin)
    linkedin.sandbox.clock.advance(hours=6)
    assert collector.collect(workspace_id=alice_workspace.pk, post_ids=[post.pk]) == 1
    linkedin.sandbox.clock.advance(hours=24)
    collector.collect(workspace_id=alice_workspace.pk, post_ids=[post.pk])
    first, second = MetricSnapshot.objects.order_by("pk")
    assert second.impressions > first.impressions > 0
    assert second.reactions >= first.reactions
    post.refresh_from_db()
    assert (post.impressions, post.reactions) == (second.impressions, second.reactions)


def test_a_reading_after_imported_figures_is_no_longer_marked_imported(
    alice, alice_workspace, linkedin
):
    post = publish(alice_workspace, alice, linkedin)
    # What analytics.importing leaves on a post whose figures came from LinkedIn's export.
    Post.objects.filter(pk=post.pk).update(figures_imported=True)
    linkedin.sandbox.clock.advance(hours=6)
    collector.collect(workspace_id=alice_workspace.pk, post_ids=[post.pk])
    post.refresh_from_db()
    assert post.figures_imported is False
    assert post.metrics_at == MetricSnapshot.objects.get(post=post).captured_at


def test_without_analytics_permission_social_metadata_gives_reactions_only(
    alice, alice_workspace, linkedin
):
    post = publish(
        alice_workspace,
        alice,
        linkedin,
        scopes=["openid", "profile", "w_member_social", "r_member_social"],
    )
    linkedin.sandbox.clock.advance(hours=12)
    collector.collect(workspace_id=alice_workspace.pk, post_ids=[post.pk])
    snapshot = MetricSnapshot.objects.get()
    assert snapshot.source == "social_metadata"
    assert snapshot.impressions is None
    assert snapshot.reactions > 0


@pytest.mark.parametrize(
    ("age", "interval"),
    [
        (timedelta(hours=3), timedelta(hours=1)),
        (timedelta(days=3), timedelta(hours=6)),
        (timedelta(days=20), timedelta(days=1)),
        (timedelta(days=60), timedelta(days=7)),
        (timedelta(days=100), None),
    ],
)
def test_the_snapshot_cadence_slows_with_age(age, interval):
    assert collector.snapshot_interval(age) == interval


def test_the_dispatcher_claims_each_due_post_once(
    alice, alice_workspace, linkedin, monkeypatch, django_capture_on_commit_callbacks
):
    from apps.analytics import tasks

    post = publish(alice_workspace, alice, linkedin)
    sent = []
    monkeypatch.setattr(tasks.collect_workspace_metrics, "delay", lambda *args: sent.append(args))
    with django_capture_on_commit_callbacks(execute=True):
        assert collector.dispatch_snapshots() == 1
        assert collector.dispatch_snapshots() == 0
    assert sent == [(alice_workspace.pk, [post.pk])]
