"""Stuck work is visible: a post left in "publishing" past its window and an event not
delivered show on the workspace health page, the staff overview and the admin, with their
age and what to do."""

from datetime import timedelta

import pytest
from django.utils import timezone

from apps.content.models import Post
from apps.notifications.models import OutboxEvent
from apps.staffops import selectors

pytestmark = pytest.mark.django_db


@pytest.fixture
def stuck(alice, alice_workspace):
    hour_ago = timezone.now() - timedelta(hours=1)
    post = Post.objects.create(
        workspace=alice_workspace,
        author=alice,
        text="Stuck post",
        hook="Stuck post",
        status=Post.Status.PUBLISHING,
        claimed_at=hour_ago,
        attempt_started_at=hour_ago,
    )
    event = OutboxEvent.objects.create(
        workspace=alice_workspace,
        event="post.published",
        key="post.published:stuck",
        created_at=hour_ago,
        last_error="ConnectionError: CRM down",
    )
    return post, event


def test_the_health_page_shows_a_post_stuck_in_publishing_instead_of_nothing_is_stuck(
    alice_client, stuck
):
    page = alice_client.get("/w/alice-co/health/").text
    assert "Nothing is stuck" not in page
    assert "Stuck in publishing for 1" in page
    assert "A notification not delivered for 1" in page
    assert "ConnectionError: CRM down" in page


def test_the_health_page_says_nothing_is_stuck_when_nothing_is(alice_client, alice_workspace):
    assert "Nothing is stuck" in alice_client.get("/w/alice-co/health/").text


def test_the_staff_overview_counts_stuck_posts_and_undelivered_events_with_their_age(stuck):
    overview = selectors.overview()
    assert overview.stuck_publishing == 1
    assert overview.stuck_publishing_age == pytest.approx(3600, abs=60)
    assert overview.undelivered_events == 1
    assert overview.undelivered_events_age == pytest.approx(3600, abs=60)


def test_the_staff_overview_page_and_the_admin_show_stuck_work(root_client, stuck):
    page = root_client.get("/staff/overview/").text
    assert "Stuck in publishing" in page
    assert "Events not delivered" in page
    workspaces = root_client.get("/admin/accounts/workspace/?problems=stuck").text
    assert "Alice Co" in workspaces
    events = root_client.get("/admin/notifications/outboxevent/?status__exact=pending").text
    assert "post.published:stuck" in events
