"""Claiming on PostgreSQL: two dispatchers race over the same 50 due posts, then two workers
run every enqueued publish task at the same moment. Each post is claimed once and ends up on
LinkedIn (the in-process sandbox) exactly once.

Each thread has its own database connection (Django gives every thread its own) and closes
it when done; the test is transactional so the threads see each other's commits.
"""

import threading
import time
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from apps.content import publishing, tasks
from apps.content.models import Post
from apps.linkedin.models import LinkedInConnection
from apps.linkedin.sandbox import SandboxConfig, running_sandbox
from conftest import service_required

POSTS = 50
WORKSPACES = 5
SCOPES = ["openid", "profile", "email", "w_member_social", "r_member_social"]


@pytest.fixture
def postgres(transactional_db):
    if connection.vendor != "postgresql":
        service_required(
            "PostgreSQL", f"the claiming race needs row locks; DATABASE_URL is {connection.vendor}"
        )


@pytest.fixture
def linkedin(settings):
    config = SandboxConfig(daily_member_limit=10_000, approved=True)  # reads the posts finder
    with running_sandbox(seed=5, config=config) as running:
        settings.LINKEDIN_OAUTH_BASE = running.oauth_base
        settings.LINKEDIN_API_BASE = running.api_base
        settings.LINKEDIN_TIMEOUT_SECONDS = 5.0
        yield running


@pytest.fixture
def due_posts(postgres, linkedin):
    from apps.accounts.models import Role
    from apps.accounts.tests.factories import MembershipFactory, UserFactory, WorkspaceFactory

    member = linkedin.sandbox.config.member
    posts = []
    for w in range(WORKSPACES):
        owner = UserFactory()
        workspace = WorkspaceFactory()
        MembershipFactory(workspace=workspace, user=owner, role=Role.OWNER)
        LinkedInConnection.objects.create(
            workspace=workspace,
            member_sub=member.sub,
            member_urn=member.urn,
            name=member.name,
            scopes=SCOPES,
            access_token=linkedin.sandbox.issue_token(SCOPES),
            access_token_expires_at=timezone.now() + timedelta(days=50),
        )
        for p in range(POSTS // WORKSPACES):
            posts.append(
                Post.objects.create(
                    workspace=workspace,
                    author=owner,
                    text=f"Race post {p} of workspace {w}: what slows your pipeline down?",
                    status=Post.Status.SCHEDULED,
                    scheduled_at=timezone.now() - timedelta(minutes=1),
                )
            )
    return posts


@pytest.fixture
def enqueued(monkeypatch):
    """Publish and reconcile tasks, recorded thread-safely instead of sent to a broker."""
    lock = threading.Lock()
    calls = {"publish": [], "reconcile": []}

    def record(kind):
        def add(*args, **kwargs):
            with lock:
                calls[kind].append(args if kind == "publish" else tuple(args[0]))
            time.sleep(0.002)  # as long as a broker round trip, so the dispatchers interleave

        return add

    monkeypatch.setattr(tasks.publish_post, "delay", record("publish"))
    monkeypatch.setattr(tasks.reconcile_post, "apply_async", record("reconcile"))
    return calls


def in_two_threads(work):
    """Run `work(index)` in two threads started together; returns their results in order."""
    barrier = threading.Barrier(2)
    results: list = [None, None]
    errors: list[BaseException] = []

    def run(index):
        try:
            connection.ensure_connection()  # connected before the start, so both start even
            barrier.wait(timeout=10)
            results[index] = work(index)
        except BaseException as error:  # re-raised in the main thread
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a thread hung"
    if errors:
        raise errors[0]
    return results


def test_two_dispatchers_and_two_workers_racing_publish_each_post_exactly_once(
    due_posts, linkedin, enqueued
):
    now = timezone.now()

    claimed = in_two_threads(lambda i: publishing.dispatch_due_posts(now=now))

    calls = enqueued["publish"]
    assert sum(claimed) == POSTS
    assert len(calls) == POSTS
    assert len({post_id for post_id, _ws, _claim in calls}) == POSTS
    assert {post_id for post_id, _ws, _claim in calls} == {post.pk for post in due_posts}
    assert Post.objects.filter(status=Post.Status.PUBLISHING).count() == POSTS
    # A third dispatcher finds nothing left to claim.
    assert publishing.dispatch_due_posts(now=now) == 0

    # Both workers run every task, call by call at the same moment, as if the broker had
    # delivered each message twice.
    barrier = threading.Barrier(2)

    def work(_index):
        outcomes = []
        for post_id, workspace_id, claim in calls:
            barrier.wait(timeout=30)
            outcomes.append(
                publishing.publish(post_id=post_id, workspace_id=workspace_id, claim=claim)
            )
        return outcomes

    first, second = in_two_threads(work)
    outcomes = list(zip(first, second, strict=True))
    losers = sorted({pair[1 - pair.index("published")] for pair in outcomes if "published" in pair})
    print(f"claims per dispatcher {claimed}; losing workers' outcomes {losers}")
    assert all(pair.count("published") == 1 for pair in outcomes), outcomes

    on_linkedin = linkedin.sandbox.posts()
    assert len(on_linkedin) == POSTS
    assert len({post["commentary"] for post in on_linkedin}) == POSTS
    by_urn = {post["urn"]: post for post in on_linkedin}
    for post in Post.objects.filter(pk__in=[p.pk for p in due_posts]):
        assert post.status == Post.Status.PUBLISHED, (post.pk, post.status, post.status_reason)
        assert post.publish_attempts == 1
        assert by_urn[post.linkedin_urn]["commentary"] == post.text
        assert list(post.attempts.values_list("outcome", flat=True)) == ["published"]

    # A losing worker that found the call already started asked for a check; by the time the
    # check runs the post is published, so it does nothing.
    for post_id, workspace_id in enqueued["reconcile"]:
        assert publishing.reconcile(post_id=post_id, workspace_id=workspace_id) == ("nothing to do")
    assert len(linkedin.sandbox.posts()) == POSTS
