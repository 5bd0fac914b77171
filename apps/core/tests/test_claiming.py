"""Dispatchers claim due rows in bounded batches; on PostgreSQL rows another dispatcher holds
are skipped (SKIP LOCKED), never waited for and never claimed twice."""

import threading
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.utils import timezone

from apps.content.models import Post
from apps.core.claiming import claim_due
from conftest import service_required

pytestmark = pytest.mark.django_db


def make_posts(workspace, author, n):
    return Post.objects.bulk_create(
        [
            Post(
                workspace=workspace,
                author=author,
                text=f"Post {i}",
                status=Post.Status.PUBLISHED,
                published_at=timezone.now() - timedelta(hours=1),
            )
            for i in range(n)
        ]
    )


def claim(now, limit):
    due = Post.objects.filter(status=Post.Status.PUBLISHED, next_comment_scan_at__isnull=True)
    return claim_due(
        due,
        field="next_comment_scan_at",
        columns=("workspace_id", "next_comment_scan_at"),
        following=lambda row: now + timedelta(minutes=10),
        limit=limit,
    )


def test_a_dispatcher_claims_at_most_its_batch_and_the_next_round_takes_the_rest(
    alice, alice_workspace
):
    posts = make_posts(alice_workspace, alice, 7)
    now = timezone.now()

    first, second, third = claim(now, 5), claim(now, 5), claim(now, 5)

    assert (len(first), len(second), third) == (5, 2, [])
    assert {row[0] for row in first + second} == {post.pk for post in posts}
    assert all(row[1] == alice_workspace.pk for row in first + second)
    assert Post.objects.filter(next_comment_scan_at=now + timedelta(minutes=10)).count() == 7


@pytest.mark.django_db(transaction=True)
def test_rows_another_dispatcher_holds_are_skipped_without_waiting(alice, alice_workspace):
    if connection.vendor != "postgresql":
        service_required("PostgreSQL", "SKIP LOCKED needs it (set DATABASE_URL)")
    posts = make_posts(alice_workspace, alice, 6)
    held_ids = {post.pk for post in posts[:3]}
    holding, release = threading.Event(), threading.Event()

    def other_dispatcher():
        try:
            with transaction.atomic():
                list(Post.objects.filter(pk__in=held_ids).select_for_update())
                holding.set()
                release.wait(30)
        finally:
            connection.close()

    thread = threading.Thread(target=other_dispatcher)
    thread.start()
    try:
        assert holding.wait(10)
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = '2s'")  # a wait would fail, not hang
        claimed = claim(timezone.now(), 100)
    finally:
        release.set()
        thread.join(10)

    assert {row[0] for row in claimed} == {post.pk for post in posts[3:]}
