import re
from datetime import time, timedelta

import pytest
from django.utils import timezone

from apps.content.models import Post, PostingSlot
from apps.linkedin.models import LinkedInConnection
from apps.linkedin.sandbox import SandboxConfig, running_sandbox

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def sandbox(settings):
    with running_sandbox(seed=9, config=SandboxConfig(approved=True)) as running:
        settings.LINKEDIN_OAUTH_BASE = running.oauth_base
        settings.LINKEDIN_API_BASE = running.api_base
        yield running


def test_an_owner_queues_a_post_sees_it_in_the_calendar_and_watches_it_publish(
    page, screenshot, sandbox, alice, alice_workspace, monkeypatch
):
    member = sandbox.sandbox.config.member
    LinkedInConnection.objects.create(
        workspace=alice_workspace,
        member_sub=member.sub,
        member_urn=member.urn,
        name=member.name,
        scopes=["openid", "profile", "w_member_social", "r_member_social"],
        access_token=sandbox.sandbox.issue_token(),
        access_token_expires_at=timezone.now() + timedelta(days=40),
    )
    tomorrow = timezone.localtime(timezone.now(), alice_workspace_tz(alice_workspace)) + timedelta(
        days=1
    )
    PostingSlot.objects.create(
        workspace=alice_workspace, weekday=tomorrow.weekday(), local_time=time(9, 0)
    )
    post = Post.objects.create(
        workspace=alice_workspace,
        author=alice,
        status=Post.Status.APPROVED,
        hook="Kafka is not a database.",
        text="Kafka is not a database.\n\nIt is a log. Treat it like one.\n\nAgree?",
    )

    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(alice.email)
    page.get_by_label("Password:").fill("correct-horse-battery-staple")
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_url("**/w/alice-co/")

    page.goto(f"/w/alice-co/content/{post.pk}/")
    page.get_by_role("button", name=re.compile("Add to queue")).click()
    assert page.get_by_text("Queued for the next free slot.").is_visible()
    post.refresh_from_db()
    assert post.status == Post.Status.SCHEDULED

    page.goto("/w/alice-co/calendar/")
    assert page.get_by_text("Kafka is not a database.").first.is_visible()
    screenshot(page, "calendar")

    # Time passes: the post is due, and the dispatcher runs as beat would run it.
    Post.objects.filter(pk=post.pk).update(scheduled_at=timezone.now() - timedelta(seconds=1))
    from apps.content import publishing, tasks

    monkeypatch.setattr(tasks.publish_post, "delay", lambda *args: tasks.publish_post.apply(args))
    assert publishing.dispatch_due_posts() == 1

    page.goto(f"/w/alice-co/content/{post.pk}/")
    assert page.get_by_text("Published", exact=True).first.is_visible()
    assert page.get_by_role("link", name="Open on LinkedIn").is_visible()
    screenshot(page, "published")
    post.refresh_from_db()
    assert sandbox.sandbox.post(post.linkedin_urn)["commentary"] == post.text


def alice_workspace_tz(workspace):
    import zoneinfo

    return zoneinfo.ZoneInfo(workspace.timezone)
