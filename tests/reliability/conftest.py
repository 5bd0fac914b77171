"""The `reliability` marker, registered here as well as in pyproject.toml so that this folder
runs under --strict-markers on its own (registering a marker twice is harmless), and the
fixtures every reliability test starts from: the services and a LinkedIn sandbox process."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from apps.content.models import Post
from apps.core.rls import UNBOUND
from apps.linkedin.models import LinkedInConnection
from conftest import service_required
from tests.reliability.processes import POST_SCOPES, purge, sandbox_process


def pytest_configure(config):
    config.addinivalue_line(
        "markers",
        "reliability: publishing under faults with a real worker process (PostgreSQL and Redis)",
    )


# What a worker or beat logs at start when its connection is not bound by the policies
# (techlead/startup.py): a child connected as the superuser with row-level security on.
ROLE_ERROR = UNBOUND


@pytest.fixture
def services(transactional_db):
    """PostgreSQL and Redis, or a skip saying which is missing (a failure with
    REQUIRE_SERVICES=1): the worker is a separate process, so SQLite in memory and the
    in-memory broker cannot be shared with it. Yields the test broker, emptied afterwards."""
    if connection.vendor != "postgresql":
        service_required(
            "PostgreSQL", f"the worker process needs a shared database, not {connection.vendor}"
        )
    if not settings.REDIS_URL:
        service_required("Redis", "REDIS_URL is not set; the worker process needs a broker")
    import redis

    broker = redis.Redis.from_url(settings.CELERY_BROKER_URL, socket_timeout=2)
    try:
        broker.ping()
    except redis.exceptions.ConnectionError as error:
        service_required("Redis", str(error))
    yield broker
    purge(broker)
    broker.close()


@pytest.fixture
def linkedin(services, tmp_path):
    with sandbox_process(
        tmp_path, daily_member_limit=100_000, duplicate_window_seconds=0
    ) as running:
        yield running


def make_due_posts(linkedin, *, posts: int, workspaces: int) -> list:
    """`posts` posts due now, spread over `workspaces` workspaces each connected to the
    sandbox with an owner and a webhook endpoint; every post has a first comment."""
    from apps.accounts.models import Role
    from apps.accounts.tests.factories import MembershipFactory, UserFactory, WorkspaceFactory
    from apps.linkedin.sandbox import Member

    member = Member()  # the member the sandbox process signs everyone in as
    due = timezone.now() - timedelta(seconds=1)
    due_posts = []
    from apps.webhooks.models import WebhookEndpoint

    for w in range(workspaces):
        owner = UserFactory()
        workspace = WorkspaceFactory()
        MembershipFactory(workspace=workspace, user=owner, role=Role.OWNER)
        LinkedInConnection.objects.create(
            workspace=workspace,
            member_sub=member.sub,
            member_urn=member.urn,
            name=member.name,
            scopes=POST_SCOPES,
            access_token=linkedin.issue_token(POST_SCOPES),
            access_token_expires_at=timezone.now() + timedelta(days=50),
        )
        # Nothing listens on the discard port: deliveries are queued and counted, not sent.
        WebhookEndpoint.objects.create(
            workspace=workspace, url="http://127.0.0.1:9/hook", events=["post.published"]
        )
        due_posts += [
            Post(
                workspace=workspace,
                author=owner,
                # Unique per post: LinkedIn refuses the same text twice as a duplicate.
                text=f"Post {p} of workspace {w}: we cut deploy time from {40 + p} to 8 "
                f"minutes for client {w}. What slows your pipeline down?",
                first_comment=f"Slides for post {p} of workspace {w}",
                status=Post.Status.SCHEDULED,
                scheduled_at=due,
            )
            for p in range(posts // workspaces)
        ]
    return Post.objects.bulk_create(due_posts)
