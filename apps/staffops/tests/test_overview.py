"""The staff overview: totals across tenants, staff only, a fixed number of queries."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from apps.accounts.tests.factories import WorkspaceFactory
from apps.content.models import Post
from apps.core.models import Heartbeat
from apps.leads.models import Commenter, Lead
from apps.linkedin.models import LinkedInConnection
from apps.staffops import selectors

OVERVIEW = reverse("staff_overview")


def post(workspace, status, **fields):
    return Post.objects.create(workspace=workspace, text=f"{status}", status=status, **fields)


def test_overview_totals_across_all_workspaces(alice_workspace, charlie_workspace):
    now = timezone.now()
    paused = WorkspaceFactory(posting_paused=True)
    LinkedInConnection.objects.create(
        workspace=alice_workspace, member_sub="a", member_urn="urn:li:person:a", access_token="t"
    )
    LinkedInConnection.objects.create(
        workspace=charlie_workspace,
        member_sub="c",
        member_urn="urn:li:person:c",
        status=LinkedInConnection.Status.NEEDS_RECONNECT,
    )
    post(alice_workspace, Post.Status.PUBLISHED, published_at=now - timedelta(hours=2))
    post(charlie_workspace, Post.Status.PUBLISHED, published_at=now - timedelta(days=3))
    post(charlie_workspace, Post.Status.PUBLISHED, published_at=now - timedelta(days=30))
    post(alice_workspace, Post.Status.FAILED)
    post(charlie_workspace, Post.Status.NEEDS_CHECK)
    post(alice_workspace, Post.Status.SCHEDULED, scheduled_at=now - timedelta(minutes=4))
    post(paused, Post.Status.SCHEDULED, scheduled_at=now - timedelta(hours=5))  # on purpose
    commenter = Commenter.objects.create(workspace=alice_workspace, actor_urn="urn:li:person:x")
    Lead.objects.create(workspace=alice_workspace, commenter=commenter)
    Heartbeat.objects.create(name="beat", last_seen_at=now - timedelta(seconds=30))

    overview = selectors.overview(now=now)

    assert (overview.workspaces, overview.workspaces_paused) == (3, 1)
    assert (overview.linkedin_active, overview.linkedin_needs_reconnect) == (1, 1)
    assert (overview.published_24h, overview.published_7d) == (1, 2)
    assert (overview.failed, overview.needs_check) == (1, 1)
    assert overview.due_posts == 1
    assert 235 <= overview.queue_lag_seconds <= 245
    assert overview.leads_this_week == 1
    assert [(b.name, round(b.age_seconds)) for b in overview.heartbeats] == [("beat", 30)]


def test_overview_with_nothing_due_has_no_lag(db):
    assert selectors.overview().queue_lag_seconds is None


def test_staff_see_the_overview_page_in_a_fixed_number_of_queries(
    root_client, alice_workspace, django_assert_max_num_queries
):
    Heartbeat.objects.create(name="dispatcher", last_seen_at=timezone.now())
    # user (the session comes from the cache), 7 totals, comment scans overdue, beat's last send (no
    # transaction: the page may ask LinkedIn), and with row-level security on PostgreSQL the
    # database role's check (apps/core/rls.py)
    with django_assert_max_num_queries(11):
        response = root_client.get(OVERVIEW)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Staff overview" in html
    assert "dispatcher" in html
    assert "Queue lag" in html


def test_overview_is_for_staff_only(alice_client, client):
    assert alice_client.get(OVERVIEW).status_code == 302
    client.logout()
    response = client.get(OVERVIEW)
    assert response.status_code == 302
    assert "/admin/login/" in response.url


def test_admin_index_links_to_the_overview(root_client):
    response = root_client.get(reverse("admin:index"))
    assert OVERVIEW in response.content.decode()


def test_heartbeat_admin_shows_each_heartbeats_age(root_client):
    Heartbeat.objects.create(name="beat", last_seen_at=timezone.now() - timedelta(seconds=600))
    response = root_client.get(reverse("admin:core_heartbeat_changelist"))
    html = response.content.decode()
    assert "600 s ago" in html or "601 s ago" in html
    assert "staff-state bad" in html  # older than HEARTBEAT_MAX_AGE_SECONDS
