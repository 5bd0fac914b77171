"""The reliability suite: 200 posts across 20 workspaces fall due together and are published
by a real Celery worker process to a LinkedIn sandbox process that answers 429s and 500s,
answers too late (after the client's timeout) and drops connections after creating the
post. The sandbox's duplicate refusal is off, so a post sent twice is on LinkedIn twice.
Again and again mid-run the worker is killed with SIGKILL, process group and all, and a new
one starts.

Every post has a first comment, and every workspace a webhook endpoint: each published
post must end with exactly one "post.published" notification per owner, one webhook
delivery and one first comment on LinkedIn, whatever the kills interrupted.

This test process plays beat: it runs the dispatcher and the reaper every half second. The
reaper counts a post as stuck after STUCK_AFTER seconds instead of five minutes, so what the
killed worker held comes back within the run.

Afterwards the database is compared with the sandbox's own records: every post is on
LinkedIn exactly once, or is failed or needs a check with a reason; none is published twice;
none is lost in "scheduled" or "publishing".

Needs PostgreSQL and Redis (the worker is a separate process, so SQLite in memory and the
in-memory broker cannot be shared with it).
"""

import time
from collections import Counter

import pytest
from django.db import connection
from django.db.models import Count
from django.utils import timezone

from apps.content.models import Post, PublishAttempt
from apps.content.publishing import dispatch_due_posts, reap_stuck_posts
from tests.reliability.checks import (
    ENDS,
    fault_name,
    print_side_effects,
    print_summary,
    settled,
    side_effect_counts,
    side_effects_done,
)
from tests.reliability.conftest import ROLE_ERROR, make_due_posts
from tests.reliability.processes import (
    child_env,
    connected_roles,
    database_env,
    expected_role,
    kill_group,
    log_tail,
    purge,
    start_group,
    worker_args,
)

pytestmark = pytest.mark.reliability

POSTS = 200
WORKSPACES = 20
DEADLINE_SECONDS = 150
TICK_SECONDS = 0.5
STUCK_AFTER = 15
# The worker is killed each time this many more posts are published, up to KILLS times.
KILL_EVERY_PUBLISHED = 35
KILLS = 3
# Each published post also brings its event and its first comment to the worker.
WORKER_CONCURRENCY = 4
# Faults armed one wave per tick from the first tick on, all on /rest/posts (creating posts,
# and the reads reconciliation makes).
# Marks the worker's connections in pg_stat_activity, where the test reads who signed in.
WORKER_APP_NAME = "techlead-reliability-worker"
FAULT_WAVES = [
    {"fail_next": {"count": 4, "status": 429, "path_prefix": "/rest/posts"}},
    {"fail_next": {"count": 4, "status": 500, "path_prefix": "/rest/posts"}},
    {"delay_next": {"seconds": 2.0, "count": 2, "path_prefix": "/rest/posts"}},
    {"drop_connection_after_create": {"count": 2}},
    {"fail_next": {"count": 2, "status": 503, "path_prefix": "/rest/posts"}},
] * 3


@pytest.fixture
def due_posts(services, linkedin):
    return make_due_posts(linkedin, posts=POSTS, workspaces=WORKSPACES)


def test_posts_falling_due_together_through_faults_and_a_killed_worker_are_published_once(
    services, linkedin, due_posts, settings, tmp_path, monkeypatch
):
    # The worker process takes every task here: undo the root conftest's inline worker.
    monkeypatch.undo()
    from apps.content.publishing import sweep_first_comments
    from apps.notifications.outbox import sweep as sweep_events

    settings.PUBLISH_STUCK_AFTER_SECONDS = STUCK_AFTER
    settings.PUBLISH_RECONCILE_DELAY_SECONDS = 0
    settings.PUBLISH_RECONCILE_CONFIRM_SECONDS = 1
    settings.WEBHOOKS_ALLOW_LOCAL = True
    purge(services)
    # The worker connects as production's does: as the app's role with row-level security
    # on (CI), so the policies bind the process that publishes.
    env = child_env(
        **database_env(connection, WORKER_APP_NAME),
        REDIS_URL=settings.REDIS_URL,
        TEST_REDIS_URL=settings.CELERY_BROKER_URL,
        LINKEDIN_API_BASE=linkedin.api_base,
        LINKEDIN_OAUTH_BASE=linkedin.oauth_base,
        LINKEDIN_TIMEOUT_SECONDS="1.0",
        PUBLISH_RETRY_BASE_SECONDS="0.2",
        PUBLISH_RETRY_MAX_SECONDS="2.0",
        PUBLISH_RECONCILE_DELAY_SECONDS="0",
        PUBLISH_RECONCILE_CONFIRM_SECONDS="1",
        # An event or first comment a killed worker held comes back within the run.
        SIDE_EFFECT_LEASE_SECONDS=str(STUCK_AFTER),
        WEBHOOKS_ALLOW_LOCAL="1",
        DATABASE_POOL_MIN="1",
        DATABASE_POOL_MAX="4",
    )
    log = tmp_path / "worker.log"
    ids = [post.pk for post in due_posts]
    ours = Post.objects.filter(pk__in=ids)
    waves = list(FAULT_WAVES)
    faults = Counter()
    kills = 0
    started = time.monotonic()
    worker = start_group(
        worker_args("reliability-1", concurrency=WORKER_CONCURRENCY), env=env, log=log
    )
    worker_roles = set()
    try:
        statuses = Counter()
        last_change, last_statuses = time.monotonic(), None
        while time.monotonic() - started < DEADLINE_SECONDS:
            worker_roles |= connected_roles(connection, WORKER_APP_NAME)
            dispatch_due_posts()
            reap_stuck_posts(now=timezone.now())
            sweep_events()
            sweep_first_comments()
            if waves:
                wave = waves.pop(0)
                linkedin.faults(**wave)
                for kind, armed in wave.items():
                    faults[fault_name(kind, armed)] += armed.get("count", 1)
            statuses = Counter(dict(ours.order_by().values_list("status").annotate(n=Count("pk"))))
            next_kill_at = KILL_EVERY_PUBLISHED * (kills + 1)
            if kills < KILLS and statuses[Post.Status.PUBLISHED] >= next_kill_at:
                # Hold two calls past the client's timeout, then kill the worker mid-call.
                linkedin.faults(delay_next={"seconds": 2.0, "count": 2, "path_prefix": "/rest"})
                faults["delay 2.0s"] += 2
                time.sleep(0.4)
                kill_group(worker)
                kills += 1
                worker = start_group(
                    worker_args(f"reliability-{kills + 1}", concurrency=WORKER_CONCURRENCY),
                    env=env,
                    log=log,
                )
            assert worker.poll() is None, f"the worker exited:\n{log_tail(log)}"
            if statuses != last_statuses:
                last_change, last_statuses = time.monotonic(), statuses
            if (
                not waves
                and settled(statuses, idle=time.monotonic() - last_change)
                and side_effects_done(ids)
            ):
                break
            time.sleep(TICK_SECONDS)
        elapsed = time.monotonic() - started
    finally:
        kill_group(worker)
    linkedin.clear_faults()

    on_linkedin = linkedin.posts()
    by_text = Counter(post["commentary"] for post in on_linkedin)
    urns = {post["urn"]: post["commentary"] for post in on_linkedin}
    posts = list(ours)
    attempts = Counter(
        PublishAttempt.objects.filter(post_id__in=ids).values_list("outcome", flat=True)
    )
    print_summary(posts, attempts, faults, kills, elapsed, len(on_linkedin))
    print(f"  the worker signed in to PostgreSQL as: {', '.join(sorted(worker_roles))}")

    # The worker's connections signed in as the app's role (with row-level security on),
    # never as the suite's superuser, and its start-up check found nothing to complain of.
    assert worker_roles == {expected_role(connection)}
    assert ROLE_ERROR not in log.read_text(errors="replace")
    assert kills >= 1
    assert elapsed < DEADLINE_SECONDS, f"not settled in time: {dict(statuses)}"
    # None published twice, and nothing on LinkedIn that is not one of ours.
    assert [text for text, n in by_text.items() if n > 1] == []
    assert set(by_text) <= {post.text for post in posts}
    # None lost: every post reached an end state.
    lost = [(p.pk, p.status, p.status_reason) for p in posts if p.status not in ENDS]
    assert lost == []
    for post in posts:
        if post.status == Post.Status.PUBLISHED:
            # On LinkedIn exactly once, under the URN we recorded.
            assert urns.get(post.linkedin_urn) == post.text, (post.pk, post.linkedin_urn)
            assert by_text[post.text] == 1
        else:
            # Failed or needs a check: says why, and is on LinkedIn at most once.
            assert post.status_reason, (post.pk, post.status)
            assert by_text[post.text] <= 1
    # A post the app calls failed is not on LinkedIn after all.
    failed_but_live = [
        (p.pk, p.status_reason) for p in posts if p.status == Post.Status.FAILED and by_text[p.text]
    ]
    assert failed_but_live == []
    # Exactly once around publishing too: per published post one notification per owner,
    # one webhook delivery and one first comment on LinkedIn; none for the rest.
    published = [p for p in posts if p.status == Post.Status.PUBLISHED]
    effects = side_effect_counts(linkedin, posts)
    print_side_effects(effects, len(published))
    for post in posts:
        want = 1 if post.status == Post.Status.PUBLISHED else 0
        assert effects[post.pk] == (want, want, want), (post.pk, post.status, effects[post.pk])
