"""Lists cost the same number of queries for 2 rows as for 20; the tenancy scan reads our
viewsets the way WorkspaceScopedViewSet scopes them."""

import pytest
from django.utils import timezone

from apps.content.models import Post
from apps.notifications.services import notify
from tests.tenancy_guard import find_unscoped_queries_in_source

from .conftest import make_lead

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("rows", [2, 20])
def test_listing_posts_is_a_fixed_number_of_queries(
    alice_api, alice, bob, alice_workspace, django_assert_num_queries, rows
):
    for n in range(rows):
        Post.objects.create(
            workspace=alice_workspace,
            author=alice if n % 2 else bob,
            approved_by=alice,
            text=f"Post {n}",
            approved_at=timezone.now(),
        )
    # savepoint, token, its first "last used", membership, count, the page (authors
    # joined), release
    with django_assert_num_queries(7):
        assert alice_api.get("/api/v1/w/alice-co/posts/").json()["count"] == rows


@pytest.mark.parametrize("rows", [2, 20])
def test_listing_leads_is_a_fixed_number_of_queries(
    alice_api, alice_workspace, django_assert_num_queries, rows
):
    for n in range(rows):
        make_lead(alice_workspace, name=f"Lead{n}", score=50 + n)
    # savepoint, token, its first "last used", membership, count, the page (commenters
    # joined), release
    with django_assert_num_queries(7):
        assert alice_api.get("/api/v1/w/alice-co/leads/").json()["count"] == rows


@pytest.mark.parametrize("rows", [2, 20])
def test_listing_notifications_is_a_fixed_number_of_queries(
    alice_api, alice, alice_workspace, django_assert_num_queries, rows
):
    for n in range(rows):
        notify(workspace=alice_workspace, event="post.failed", title=f"N{n}", users=[alice])
    # savepoint, token, its first "last used", membership, count, the page, release
    with django_assert_num_queries(7):
        assert alice_api.get("/api/v1/w/alice-co/notifications/").json()["count"] == rows


def test_the_scan_accepts_a_scoped_viewsets_queryset_and_still_catches_a_stray_query():
    source = (
        "from apps.accounts.tenancy import WorkspaceScopedViewSet\n"
        "from apps.content.models import Post\n"
        "class PostViewSet(WorkspaceScopedViewSet):\n"
        "    queryset = Post.objects.select_related('author')\n"
        "    def extra(self):\n"
        "        return Post.objects.all()\n"
        "class NotScoped:\n"
        "    queryset = Post.objects.all()\n"
    )

    problems = find_unscoped_queries_in_source(source, "apps/example/example_api.py")

    assert sorted(problems) == [
        "apps/example/example_api.py:6: Post.objects in PostViewSet.extra",
        "apps/example/example_api.py:8: Post.objects in NotScoped",
    ]
