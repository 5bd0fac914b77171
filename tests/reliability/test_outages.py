"""Outages around publishing: Redis killed and started again (its queue lost, as a Redis
without its disk loses it), the worker's database connection cut for seconds, and two beat
processes running at once the whole time, while LinkedIn answers some calls with 429 and 500.

The worker is a real Celery process; it reaches PostgreSQL through a TCP proxy this test
cuts, and a Redis of this test's own that it kills. Two real Celery beat processes (with the
dispatchers every second instead of every minute) do what beat does: this test process only
watches. The sandbox's duplicate refusal is off and it counts what it holds, so a post sent
twice is seen.

Afterwards: every post on LinkedIn exactly once or ended with a reason, none published twice,
none lost or stuck (post, event or first comment), and per published post exactly one
notification per owner, one webhook delivery and one first comment on LinkedIn.

Needs PostgreSQL, Redis and redis-server (skipped with the reason otherwise)."""

import time
from collections import Counter
from urllib.parse import urlsplit

import pytest
from django.db import connection
from django.db.models import Count

from apps.content.models import FirstComment, Post
from apps.notifications.models import OutboxEvent
from tests.reliability.checks import (
    ENDS,
    fault_name,
    print_side_effects,
    settled,
    side_effect_counts,
    side_effects_done,
)
from tests.reliability.conftest import ROLE_ERROR, make_due_posts
from tests.reliability.processes import (
    DatabaseProxy,
    beat_args,
    child_env,
    connected_roles,
    database_env,
    expected_role,
    kill_group,
    log_tail,
    redis_server,
    start_group,
    worker_args,
)

pytestmark = pytest.mark.reliability

POSTS = 60
WORKSPACES = 6
# A cap, not the run's length: the run ends once everything settled (about 50 s on a quiet
# machine: most of it the outages and the sweeps' 30 s grace for what the outage lost).
DEADLINE_SECONDS = 150
STUCK_AFTER = 10
BEATS = 2
WORKER_CONCURRENCY = 4
# A worker that exits during an outage is started again after this long, as systemd's
# RestartSec would (deploy/systemd: 5 s; shorter here to keep the run short), at most twice.
RESTART_DELAY_SECONDS = 1
MAX_WORKER_RESTARTS = 2
# Redis is killed once this many posts are published, and started again after REDIS_DOWN.
REDIS_KILL_AT_PUBLISHED = 10
REDIS_DOWN_SECONDS = 8
# The database is cut once Redis is back and this many are published, for DATABASE_DOWN.
DATABASE_CUT_AT_PUBLISHED = 30
DATABASE_DOWN_SECONDS = 6
FAULT_WAVES = [
    {"fail_next": {"count": 3, "status": 429, "path_prefix": "/rest/posts"}},
    {"fail_next": {"count": 3, "status": 500, "path_prefix": "/rest/posts"}},
]
TICK_SECONDS = 0.5
# Mark the children's connections in pg_stat_activity, where the test reads who signed in.
WORKER_APP_NAME = "techlead-outages-worker"
BEAT_APP_NAME = "techlead-outages-beat"


@pytest.fixture
def due_posts(services, linkedin):
    return make_due_posts(linkedin, posts=POSTS, workspaces=WORKSPACES)


@pytest.fixture
def own_redis(services, tmp_path):
    with redis_server(tmp_path) as server:
        yield server


@pytest.fixture
def database_proxy(services):
    proxy = DatabaseProxy(
        connection.settings_dict.get("HOST") or "127.0.0.1",
        int(connection.settings_dict.get("PORT") or 5432),
    )
    yield proxy
    proxy.close()


def through(proxy: DatabaseProxy, url: str) -> str:
    parts = urlsplit(url)
    credentials = parts.netloc.rpartition("@")[0]
    netloc = f"{credentials}@127.0.0.1:{proxy.port}" if credentials else f"127.0.0.1:{proxy.port}"
    return parts._replace(netloc=netloc).geturl()


def test_redis_killed_the_database_cut_and_two_beats_publish_each_post_once_with_its_effects(
    services, linkedin, due_posts, own_redis, database_proxy, settings, tmp_path, monkeypatch
):
    monkeypatch.undo()  # the worker process takes every task, not the root conftest's inline one
    settings.WEBHOOKS_ALLOW_LOCAL = True
    # Worker and beats connect as production's do: as the app's role with row-level
    # security on (CI). The worker through the proxy this test cuts, beat directly.
    worker_db = database_env(connection, WORKER_APP_NAME)
    beat_db = database_env(connection, BEAT_APP_NAME)
    common = {
        "REDIS_URL": own_redis.url,
        "TEST_REDIS_URL": own_redis.url,
        "LINKEDIN_API_BASE": linkedin.api_base,
        "LINKEDIN_OAUTH_BASE": linkedin.oauth_base,
        "LINKEDIN_TIMEOUT_SECONDS": "1.0",
        "PUBLISH_RETRY_BASE_SECONDS": "0.2",
        "PUBLISH_RETRY_MAX_SECONDS": "2.0",
        "PUBLISH_STUCK_AFTER_SECONDS": str(STUCK_AFTER),
        "PUBLISH_RECONCILE_DELAY_SECONDS": "0",
        "PUBLISH_RECONCILE_CONFIRM_SECONDS": "1",
        "SIDE_EFFECT_LEASE_SECONDS": str(STUCK_AFTER),
        "WEBHOOKS_ALLOW_LOCAL": "1",
        "DATABASE_POOL_MIN": "1",
        "DATABASE_POOL_MAX": "4",
    }
    worker_db["DATABASE_URL"] = through(database_proxy, worker_db["DATABASE_URL"])
    worker_env = child_env(**common, **worker_db)
    beat_env = child_env(**common, **beat_db)
    worker_log, beat_log = tmp_path / "worker.log", tmp_path / "beat.log"
    ids = [post.pk for post in due_posts]
    ours = Post.objects.filter(pk__in=ids)
    faults = Counter()
    for wave in FAULT_WAVES:
        linkedin.faults(**wave)
        for kind, armed in wave.items():
            faults[fault_name(kind, armed)] += armed.get("count", 1)

    started = time.monotonic()
    worker = start_group(
        worker_args("outages", concurrency=WORKER_CONCURRENCY), env=worker_env, log=worker_log
    )
    beats = [
        start_group(beat_args(tmp_path / f"beat-{n}.schedule"), env=beat_env, log=beat_log)
        for n in range(BEATS)
    ]
    redis_kills, redis_back_at, cut_until = 0, None, None
    statuses, last_change, last_statuses = Counter(), time.monotonic(), None
    roles = {WORKER_APP_NAME: set(), BEAT_APP_NAME: set()}
    restarts: list = []  # the worker's exits during an outage, each started again
    try:
        while time.monotonic() - started < DEADLINE_SECONDS:
            now = time.monotonic()
            for name, seen in roles.items():
                seen |= connected_roles(connection, name)
            statuses = Counter(dict(ours.order_by().values_list("status").annotate(n=Count("pk"))))
            published = statuses[Post.Status.PUBLISHED]
            if not redis_kills and published >= REDIS_KILL_AT_PUBLISHED:
                own_redis.kill()
                redis_kills, redis_back_at = 1, now + REDIS_DOWN_SECONDS
            if redis_back_at and now >= redis_back_at:
                own_redis.start()
                redis_back_at = None
            if (
                redis_kills
                and redis_back_at is None
                and not database_proxy.cuts
                and published >= DATABASE_CUT_AT_PUBLISHED
            ):
                database_proxy.cut()
                cut_until = now + DATABASE_DOWN_SECONDS
            if cut_until and now >= cut_until:
                database_proxy.restore()
                cut_until = None
            if worker.poll() is not None:
                # kombu's Redis transport can die on an acknowledgement that lands while
                # the broker is gone ("'NoneType' object has no attribute 'hostname'", seen
                # in CI): the worker's main process exits. Production's supervisor starts it
                # again (systemd Restart=on-failure, compose restart: unless-stopped); so
                # does this test, once an outage has begun and at most twice. What must
                # hold across it is below: each post once, with its effects.
                exited = f"the worker exited:\n{log_tail(worker_log)}"
                assert redis_kills, exited  # before any outage: a real failure
                assert len(restarts) < MAX_WORKER_RESTARTS, exited
                restarts.append(log_tail(worker_log).strip().splitlines()[-1:])
                time.sleep(RESTART_DELAY_SECONDS)
                worker = start_group(
                    worker_args("outages", concurrency=WORKER_CONCURRENCY),
                    env=worker_env,
                    log=worker_log,
                )
            assert all(b.poll() is None for b in beats), f"a beat exited:\n{log_tail(beat_log)}"
            if statuses != last_statuses:
                last_change, last_statuses = now, statuses
            if (
                database_proxy.cuts
                and cut_until is None
                and settled(statuses, idle=now - last_change)
                and side_effects_done(ids)
            ):
                break
            time.sleep(TICK_SECONDS)
        elapsed = time.monotonic() - started
    finally:
        for process in [worker, *beats]:
            kill_group(process)
        database_proxy.restore()
    linkedin.clear_faults()

    on_linkedin = linkedin.posts()
    by_text = Counter(post["commentary"] for post in on_linkedin)
    urns = {post["urn"]: post["commentary"] for post in on_linkedin}
    posts = list(ours.select_related("workspace"))
    final = Counter(post.status for post in posts)
    duplicates = [text for text, n in by_text.items() if n > 1]
    lost = [(p.pk, p.status) for p in posts if p.status not in ENDS]
    stuck_events = OutboxEvent.objects.exclude(status=OutboxEvent.Status.DELIVERED).count()
    stuck_comments = FirstComment.objects.filter(
        post_id__in=ids, status__in=(FirstComment.Status.PENDING, FirstComment.Status.POSTING)
    ).count()
    published = [p for p in posts if p.status == Post.Status.PUBLISHED]
    effects = side_effect_counts(linkedin, posts)
    print(
        f"\noutages: {len(posts)} posts in {WORKSPACES} workspaces settled in {elapsed:.1f} s; "
        f"Redis killed {redis_kills}x for {REDIS_DOWN_SECONDS} s, database cut "
        f"{database_proxy.cuts}x for {DATABASE_DOWN_SECONDS} s, {BEATS} beats at once"
    )
    print("  LinkedIn faults armed: " + ", ".join(f"{f}={n}" for f, n in sorted(faults.items())))
    print("  final status: " + ", ".join(f"{s}={n}" for s, n in sorted(final.items())))
    print(
        f"  sandbox holds {len(on_linkedin)} posts; duplicates={len(duplicates)}, "
        f"lost={len(lost)}, stuck events={stuck_events}, stuck first comments={stuck_comments}"
    )
    print_side_effects(effects, len(published))
    print(f"  worker restarted by the test, as its supervisor would: {len(restarts)}x {restarts}")
    for name, seen in roles.items():
        print(f"  {name} signed in to PostgreSQL as: {', '.join(sorted(seen))}")

    assert (redis_kills, database_proxy.cuts) == (1, 1)
    # Worker and beats signed in as the app's role (with row-level security on), never as
    # the suite's superuser, and their start-up checks found nothing to complain of.
    assert roles == {name: {expected_role(connection)} for name in roles}
    assert ROLE_ERROR not in worker_log.read_text(errors="replace")
    assert ROLE_ERROR not in beat_log.read_text(errors="replace")
    # The outages reached the worker while it worked, not a worker with nothing to do.
    seen_by_worker = worker_log.read_text(errors="replace")
    assert "Connection refused" in seen_by_worker  # the broker was gone
    assert "server closed the connection" in seen_by_worker  # and then the database
    assert elapsed < DEADLINE_SECONDS, f"not settled in time: {dict(statuses)}"
    assert duplicates == []
    assert set(by_text) <= {post.text for post in posts}
    assert lost == []
    assert (stuck_events, stuck_comments) == (0, 0)
    for post in posts:
        if post.status == Post.Status.PUBLISHED:
            assert urns.get(post.linkedin_urn) == post.text, (post.pk, post.linkedin_urn)
        else:
            assert post.status_reason, (post.pk, post.status)
            assert by_text[post.text] <= 1
    assert [p.pk for p in posts if p.status == Post.Status.FAILED and by_text[p.text]] == []
    for post in posts:
        want = 1 if post.status == Post.Status.PUBLISHED else 0
        assert effects[post.pk] == (want, want, want), (post.pk, post.status, effects[post.pk])
