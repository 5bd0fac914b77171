"""Benchmark: the dashboard (the workspace's home page) under gunicorn, with 5,000 published
posts, 100,000 metric snapshots and 20,000 leads in one workspace.

Not a timed assertion: its figures go into the benchmark report (tests/bench/conftest.py),
each beside the figure it is compared with in the same run. Everything runs in child
processes, so this test needs no test database: `manage.py migrate` builds a temporary
SQLite file, a small script (written from here into tmp_path) fills it with bulk_create from
a seeded random, and gunicorn (one worker, one thread, DEBUG off) serves the app from that
file. The baseline is a trivial view of the
same app in the same process: GET /accounts/login/, a plain template render. After 5 warm-up
requests each, 50 timed requests each alternate between the two, timed on the client with
time.perf_counter() over loopback; the figures are p50 and p99 of each and the ratios of the
p50s and of the p99s (goal for the p50s: at most 3x, reported, not asserted). The first
dashboard request, before any warm-up, is reported too. Those later visits may be served
from the dashboard's cache; so a second gunicorn with the cache off (DASHBOARD_CACHE_SECONDS=0)
then times 20 visits that each compute everything afresh, the cost right after new metrics
or a new lead.

Where DATABASE_URL names PostgreSQL, the app is served from a fresh PostgreSQL database beside
it (its name plus "_bench_dashboard", dropped afterwards), the production case; otherwise from a
temporary SQLite file. The report names which.
"""

import math
import os
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
import requests

from tests.reliability.processes import ROOT, free_port, kill_group, log_tail, start_group

pytestmark = pytest.mark.bench

# BENCH_DASHBOARD_SCALE=10 (PostgreSQL only): ten times the data, and 1,000 other workspaces
# around it, built in the database (tests/bench/dashboard_at_scale.py); issue 22's goals
# there: computed afresh at most 5x the login page, from the cache at most 2x.
SCALE = int(os.environ.get("BENCH_DASHBOARD_SCALE", "1"))
POSTS = 5_000 * SCALE
SNAPSHOTS = 100_000 * SCALE
LEADS = 20_000 * SCALE
OTHER_WORKSPACES = 1_000 if SCALE > 1 else 0
WARMUP = 5
TIMED = 50
TIMED_FRESH = 20  # each costs most of a second
GOAL_RATIO = 3.0
CACHED_GOAL_AT_SCALE = 2.0
FRESH_GOAL_AT_SCALE = 5.0
# One dashboard answer may take this long before the run gives up (it cannot finish in
# budget otherwise); the report says so, and the test fails.
REQUEST_TIMEOUT = float(os.environ.get("BENCH_DASHBOARD_TIMEOUT_SECONDS", "60"))
SLUG = "bench-dashboard"
EMAIL = "bench-dashboard@example.com"
PASSWORD = "bench-dashboard-password-1"
ON_POSTGRES = os.environ.get("DATABASE_URL", "").startswith(("postgres", "pgsql"))
DATABASE_NOTE = " [PostgreSQL]" if ON_POSTGRES else " [SQLite temporary file]"

POPULATE = f"""
import datetime as dt
import random
from decimal import Decimal

import django

django.setup()

from allauth.account.models import EmailAddress
from django.utils import timezone

from apps.accounts.models import Membership, Role, User, Workspace
from apps.analytics.models import MetricSnapshot
from apps.content.models import Framework, Post
from apps.leads.models import Comment, Commenter, Lead

POSTS, SNAPSHOTS, LEADS = {POSTS}, {SNAPSHOTS}, {LEADS}
rng = random.Random(20260407)
now = timezone.now()

user = User.objects.create_user(email={EMAIL!r}, password={PASSWORD!r}, full_name="Bench Owner")
EmailAddress.objects.create(user=user, email={EMAIL!r}, verified=True, primary=True)
workspace = Workspace.objects.create(name="Bench dashboard", slug={SLUG!r})
Membership.objects.create(workspace=workspace, user=user, role=Role.OWNER)

frameworks = [choice for choice, _label in Framework.choices]
posts = []
for n in range(POSTS):
    published = now - dt.timedelta(seconds=rng.randrange(180 * 86400))
    impressions = rng.randrange(200, 20000)
    posts.append(
        Post(
            workspace=workspace,
            author=user,
            text=f"Benchmark post {{n}}: we cut deploy time from {{n % 90 + 10}} to 8 minutes.",
            hook=f"We cut deploy time from {{n % 90 + 10}} to 8 minutes.",
            framework=frameworks[n % len(frameworks)],
            template_key=f"bench-template-{{n % 12}}",
            status=Post.Status.PUBLISHED,
            published_at=published,
            impressions=impressions,
            members_reached=impressions * 7 // 10,
            reactions=rng.randrange(0, 300),
            comment_count=rng.randrange(0, 60),
            reshares=rng.randrange(0, 20),
            metrics_at=min(now, published + dt.timedelta(days=3)),
        )
    )
posts = Post.objects.bulk_create(posts, batch_size=1000)

per_post = SNAPSHOTS // POSTS
snapshots = []
for post in posts:
    for k in range(per_post):
        share = (k + 1) / per_post
        snapshots.append(
            MetricSnapshot(
                workspace=workspace,
                post=post,
                captured_at=min(now, post.published_at + dt.timedelta(hours=3 * (k + 1))),
                impressions=int(post.impressions * share),
                members_reached=int(post.members_reached * share),
                reactions=int(post.reactions * share),
                comments=int(post.comment_count * share),
                reshares=int(post.reshares * share),
                source="analytics",
            )
        )
    if len(snapshots) >= 10000:
        MetricSnapshot.objects.bulk_create(snapshots, batch_size=1000)
        snapshots = []
MetricSnapshot.objects.bulk_create(snapshots, batch_size=1000)

commenters = Commenter.objects.bulk_create(
    (
        Commenter(workspace=workspace, actor_urn=f"urn:li:person:bench{{n}}", name=f"Person {{n}}")
        for n in range(LEADS)
    ),
    batch_size=1000,
)
statuses = [s for s, _label in Lead.Status.choices]
weights = [40, 20, 15, 10, 10, 5]
leads = []
comments = []
for n, commenter in enumerate(commenters):
    post = posts[rng.randrange(POSTS)]
    commented = min(now, post.published_at + dt.timedelta(minutes=rng.randrange(1, 4000)))
    status = rng.choices(statuses, weights)[0]
    leads.append(
        Lead(
            workspace=workspace,
            commenter=commenter,
            status=status,
            score=rng.randrange(30, 100),
            value_eur=Decimal(rng.randrange(500, 20000)) if rng.random() < 0.6 else None,
            created_at=commented,
            status_changed_at=min(now, commented + dt.timedelta(days=rng.randrange(0, 20))),
            # What leads.services.attribute_comment keeps: the post of the first comment.
            source_post=post,
            first_commented_at=commented,
        )
    )
    comments.append((post, commenter, commented))
leads = Lead.objects.bulk_create(leads, batch_size=1000)
Comment.objects.bulk_create(
    (
        Comment(
            workspace=workspace,
            post=post,
            commenter=commenter,
            lead=lead,
            urn=f"urn:li:comment:(bench,{{n}})",
            text="How did you get there? We are stuck at 40 minutes.",
            commented_at=commented,
            score=lead.score,
        )
        for n, ((post, commenter, commented), lead) in enumerate(zip(comments, leads))
    ),
    batch_size=1000,
)
print(
    "populated",
    Post.objects.count(),
    MetricSnapshot.objects.count(),
    Lead.objects.count(),
    Comment.objects.count(),
)
"""


def percentile(samples: list[float], q: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(samples)
    return ordered[max(0, math.ceil(q / 100 * len(ordered)) - 1)]


@pytest.fixture
def database_url(tmp_path):
    """The database the served app uses: a fresh one on DATABASE_URL's PostgreSQL server, or a
    SQLite file."""
    if not ON_POSTGRES:
        yield f"sqlite:///{tmp_path / 'bench.sqlite3'}"
        return
    import psycopg
    from psycopg import sql

    server = urlsplit(os.environ["DATABASE_URL"])
    name = (server.path.lstrip("/") or "techlead") + "_bench_dashboard"
    admin_url = urlunsplit(server._replace(scheme="postgresql", path="/postgres"))

    def run(statement):
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(statement)

    run(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
    run(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield urlunsplit(server._replace(path=f"/{name}"))
    finally:
        run(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def app_env(database_url: str) -> dict[str, str]:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "techlead.settings.dev",
        "DATABASE_URL": database_url,
        "DEBUG": "false",
        "ALLOWED_HOSTS": "127.0.0.1",
        "PYTHONUNBUFFERED": "1",
        # The populate script lives in tmp_path: the project must be importable from there.
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
    }
    env.pop("REQUIRE_SERVICES", None)
    return env


def run_step(args: list[str], env: dict[str, str], timeout: float) -> str:
    done = subprocess.run(
        args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )
    assert done.returncode == 0, f"{args}\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return done.stdout


def wait_until_serving(base: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert process.poll() is None, f"gunicorn exited:\n{log_tail(log)}"
        try:
            requests.get(f"{base}/accounts/login/", timeout=30)
            return
        except requests.RequestException:
            time.sleep(0.2)
    raise AssertionError(f"gunicorn did not answer within 60 s:\n{log_tail(log)}")


def log_in(http: requests.Session, base: str) -> None:
    page = http.get(f"{base}/accounts/login/", timeout=10)
    assert page.status_code == 200, page.status_code
    answer = http.post(
        f"{base}/accounts/login/",
        data={
            "login": EMAIL,
            "password": PASSWORD,
            "csrfmiddlewaretoken": http.cookies["csrftoken"],
        },
        headers={"Referer": f"{base}/accounts/login/"},
        timeout=10,
        allow_redirects=False,
    )
    assert answer.status_code == 302, answer.text[:2000]
    assert "sessionid" in http.cookies, answer.headers


def timed_get(http: requests.Session, url: str, needle: str) -> float:
    started = time.perf_counter()
    answer = http.get(url, timeout=REQUEST_TIMEOUT, allow_redirects=False)
    elapsed = time.perf_counter() - started
    assert answer.status_code == 200, (url, answer.status_code, answer.text[:1000])
    assert needle in answer.text, (url, answer.text[:1000])
    return elapsed * 1000


def test_dashboard_under_gunicorn(tmp_path, database_url, bench_report):
    env = app_env(database_url)
    python = sys.executable

    if SCALE > 1 and not ON_POSTGRES:
        pytest.skip("the dashboard at scale is built with PostgreSQL's generate_series")
    started = time.perf_counter()
    run_step([python, "manage.py", "migrate", "--noinput"], env, timeout=300)
    script = tmp_path / "populate.py"
    if SCALE > 1:
        from tests.bench.dashboard_at_scale import populate

        # The account through the ORM (password hash, verified address), the rest in SQL.
        script.write_text(POPULATE.split("frameworks = ")[0], encoding="utf-8")
        run_step([python, str(script)], env, timeout=600)
        counts = populate(
            urlunsplit(urlsplit(database_url)._replace(scheme="postgresql")),
            slug=SLUG,
            posts=POSTS,
            snapshots_per_post=SNAPSHOTS // POSTS,
            leads=LEADS,
            other_workspaces=OTHER_WORKSPACES,
            other_posts=POSTS // OTHER_WORKSPACES,
            other_leads=LEADS // OTHER_WORKSPACES,
        )
        print("populated", counts)
    else:
        script.write_text(POPULATE, encoding="utf-8")
        print(run_step([python, str(script)], env, timeout=600).strip())
        if ON_POSTGRES:
            from tests.bench.dashboard_at_scale import vacuum_analyze

            # As at ten times the size: the tables as autovacuum leaves them long before a
            # visit, not straight after a bulk insert with no statistics.
            vacuum_analyze(urlunsplit(urlsplit(database_url)._replace(scheme="postgresql")))
    print(f"database built in {time.perf_counter() - started:.1f} s{DATABASE_NOTE}")

    scale = f" [{POSTS:,} posts, {SNAPSHOTS:,} snapshots, {LEADS:,} leads; gunicorn 1x1]"
    if OTHER_WORKSPACES:
        scale = scale.replace("; gunicorn", f"; {OTHER_WORKSPACES:,} other workspaces; gunicorn")
    note = scale.strip(" []") + "; " + DATABASE_NOTE.strip(" []")

    # As served: later visits may come from the dashboard's cache while nothing it counts
    # changes (DASHBOARD_CACHE_SECONDS), the first computes everything.
    first, dashboard_ms, baseline_ms = time_dashboard(env, tmp_path, TIMED, bench_report, note)
    print(f"dashboard first request: {first:.0f} ms")
    dash_p50, dash_p99 = percentile(dashboard_ms, 50), percentile(dashboard_ms, 99)
    base_p50, base_p99 = percentile(baseline_ms, 50), percentile(baseline_ms, 99)
    bench_report.add(
        "dashboard p50",
        dash_p50,
        "ms",
        "GET /accounts/login/ p50",
        base_p50,
        ratio_goal=f"<= {GOAL_RATIO if SCALE == 1 else CACHED_GOAL_AT_SCALE:.0f}",
        note=note + f"; n={TIMED} each",
    )
    bench_report.add("dashboard p99", dash_p99, "ms", "GET /accounts/login/ p99", base_p99)
    bench_report.add("dashboard, first request", first, "ms", "GET /accounts/login/ p50", base_p50)

    # The worst case, every visit computing afresh (the cache off): what a visit costs right
    # after new metrics or a new lead.
    _first, fresh_ms, fresh_baseline_ms = time_dashboard(
        env | {"DASHBOARD_CACHE_SECONDS": "0"}, tmp_path, TIMED_FRESH, bench_report, note
    )
    bench_report.add(
        "dashboard p50, computed afresh each visit",
        percentile(fresh_ms, 50),
        "ms",
        "GET /accounts/login/ p50",
        percentile(fresh_baseline_ms, 50),
        ratio_goal=None if SCALE == 1 else f"<= {FRESH_GOAL_AT_SCALE:.0f}",
        note=note + f"; n={TIMED_FRESH} each",
    )


def time_dashboard(env, tmp_path, timed, bench_report, note) -> tuple[float, list, list]:
    """Serve the app with gunicorn (1 worker, 1 thread) and time the dashboard against the
    login page, alternating: the first dashboard request, then `timed` of each after warm-up."""
    python = sys.executable
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = tmp_path / f"gunicorn-{port}.log"
    gunicorn = None
    try:
        gunicorn = start_group(
            [
                python,
                "-m",
                "gunicorn",
                "techlead.wsgi:application",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                "1",
                "--threads",
                "1",
                "--timeout",
                "120",
            ],
            env=env,
            log=log,
        )
        wait_until_serving(base, gunicorn, log)
        with requests.Session() as http, requests.Session() as anonymous:
            # Logged in, the login page would redirect; the baseline asks with a fresh session.
            log_in(http, base)
            dashboard_url = f"{base}/w/{SLUG}/"
            baseline_url = f"{base}/accounts/login/"
            try:
                first = timed_get(http, dashboard_url, "<html")
            except requests.Timeout:
                bench_report.add(
                    f"dashboard first request (timeout {REQUEST_TIMEOUT:.0f} s)",
                    None,
                    "ms",
                    note=note,
                )
                pytest.fail(f"the dashboard gave no answer within {REQUEST_TIMEOUT:.0f} s")
            for _ in range(WARMUP):
                timed_get(http, dashboard_url, "<html")
                timed_get(anonymous, baseline_url, "<html")
            dashboard_ms: list[float] = []
            baseline_ms: list[float] = []
            for _ in range(timed):
                dashboard_ms.append(timed_get(http, dashboard_url, "<html"))
                baseline_ms.append(timed_get(anonymous, baseline_url, "<html"))
    finally:
        kill_group(gunicorn)
    return first, dashboard_ms, baseline_ms
