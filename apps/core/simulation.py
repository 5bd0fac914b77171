"""A day of the capacity model's load, replayed on this machine in compressed time
(`manage.py simulate_day`; the model and its assumptions are in deploy/README.md).

What is replayed, per workspace, from the model's assumptions:

- 3 posts a week on weekdays: a weekday has 0.6 posts per workspace; 5 % of them are due in
  the same minute (09:00), the rest at whole minutes spread over 07:00-19:00.
- 30 comments a post, arriving on LinkedIn (the sandbox) over the hours after publication
  with the sandbox audience's decay; some are inquiries, which become leads and alerts.
- 45 dashboard visits a day within ten working hours (09:00-19:00).

The app does the work as in production: beat's dispatchers (played by this process every
`tick` of real time instead of every minute) claim due posts and due comment scans and
enqueue tasks; real Celery worker processes, one group per queue, run them against the
sandbox over HTTP (or, without Redis, this process runs every task in-process). Comment
scans follow the code's own cadence, compressed with LEADS_SCAN_INTERVAL_SCALE.

Time runs `speedup` times faster than the day it replays, so every rate is `speedup` times
the model's; the deadlines are not compressed: a post is late when it is published 60 real
seconds or more after its scheduled instant, an alert when it is sent 60 s or more after its
comment was stored. What is not replayed: scans of the posts of the 30 days before (the
model's steady state has them; the simulated day starts with none), metric snapshots, mail
other than alerts.
"""

from __future__ import annotations

import contextlib
import heapq
import math
import os
import random
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

SLUG_PREFIX = "sim-"
EMAIL_DOMAIN = "simulation.invalid"
POSTS_A_WEEKDAY = 3 / 5  # per workspace: 3 posts a week, on weekdays
PEAK_SHARE = 0.05  # of a weekday's posts due in the same minute
PEAK_MINUTE = 9 * 60
POSTING_HOURS = (7, 19)
COMMENTS_A_POST = 30
VISITS_A_DAY = 45  # web requests per workspace, within ten working hours
VISIT_HOURS = (9, 19)
DEADLINE_SECONDS = 60.0
VISIT_PATIENCE = 10.0  # seconds a dashboard visit may wait to be served
APPROVED_SCOPES = ["openid", "profile", "email", "w_member_social", "r_member_social"]


@dataclass
class Plan:
    workspaces: int
    speedup: float
    from_hour: float = 0.0
    hours: float = 24.0
    tick: float = 1.0
    seed: int = 0

    def real_seconds(self, sim_minutes_into_day: float) -> float:
        """Real seconds after the start for a sim time of day (minutes since 00:00)."""
        return (sim_minutes_into_day * 60 - self.from_hour * 3600) / self.speedup

    @property
    def duration(self) -> float:
        return self.hours * 3600 / self.speedup

    def inside(self, minute: float) -> bool:
        return self.from_hour * 60 <= minute < (self.from_hour + self.hours) * 60

    def post_minutes(self) -> list[int]:
        """The sim minute of day each post of the day is due at, in the window."""
        rng = random.Random(self.seed)  # noqa: S311 - a reproducible plan, not a secret
        total = max(1, round(self.workspaces * POSTS_A_WEEKDAY))
        peak = max(1, round(total * PEAK_SHARE))
        first, last = POSTING_HOURS[0] * 60, POSTING_HOURS[1] * 60
        minutes = [PEAK_MINUTE] * peak + [rng.randrange(first, last) for _ in range(total - peak)]
        return sorted(m for m in minutes if self.inside(m))

    def visit_minutes(self) -> list[float]:
        rng = random.Random(self.seed + 1)  # noqa: S311
        first, last = VISIT_HOURS[0] * 60, VISIT_HOURS[1] * 60
        visits = (rng.uniform(first, last) for _ in range(self.workspaces * VISITS_A_DAY))
        return sorted(m for m in visits if self.inside(m))


def percentile(values: list[float], share: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, math.ceil(share * len(ordered)) - 1)]


def spread(values: list[float]) -> dict:
    rounded = lambda v: None if v is None else round(v, 3)  # noqa: E731
    return {
        "p50": rounded(percentile(values, 0.50)),
        "p95": rounded(percentile(values, 0.95)),
        "p99": rounded(percentile(values, 0.99)),
        "max": rounded(max(values) if values else None),
    }


# --- The world: workspaces, members, LinkedIn connections, the day's posts --------------------


def remove_simulated() -> int:
    """Every workspace and user an earlier run left behind (they are named for it)."""
    from apps.accounts.models import User, Workspace

    removed, _ = Workspace.objects.filter(slug__startswith=SLUG_PREFIX).delete()
    User.objects.filter(email__endswith="@" + EMAIL_DOMAIN).delete()
    return removed


def build_world(plan: Plan, sandbox, start: datetime) -> list:
    """Workspaces with an owner and a LinkedIn connection, and the day's scheduled posts.
    Returns the owners, for the dashboard visits."""
    from apps.accounts.models import Membership, Role, User, Workspace
    from apps.content.models import Post
    from apps.linkedin.models import LinkedInConnection

    count = plan.workspaces
    users = User.objects.bulk_create(
        User(email=f"owner{n}@{EMAIL_DOMAIN}", full_name=f"Simulated Owner {n}")
        for n in range(count)
    )
    workspaces = Workspace.objects.bulk_create(
        Workspace(name=f"Simulated {n}", slug=f"{SLUG_PREFIX}{n}") for n in range(count)
    )
    Membership.objects.bulk_create(
        Membership(workspace=w, user=u, role=Role.OWNER)
        for w, u in zip(workspaces, users, strict=True)
    )
    member = sandbox.config.member
    expires = timezone.now() + timedelta(days=50)
    LinkedInConnection.objects.bulk_create(
        LinkedInConnection(
            workspace=w,
            member_sub=member.sub,
            member_urn=member.urn,
            name=member.name,
            scopes=APPROVED_SCOPES,
            access_token=sandbox.issue_token(APPROVED_SCOPES),
            access_token_expires_at=expires,
        )
        for w in workspaces
    )
    rng = random.Random(plan.seed + 2)  # noqa: S311
    Post.objects.bulk_create(
        Post(
            workspace=workspaces[n % count],
            author=users[n % count],
            text=f"Simulated post {n}: we cut deploy time from {rng.randint(20, 90)} to "
            f"{rng.randint(3, 12)} minutes. What slows your pipeline down?",
            status=Post.Status.SCHEDULED,
            scheduled_at=start + timedelta(seconds=plan.real_seconds(minute)),
        )
        for n, minute in enumerate(plan.post_minutes())
    )
    return list(zip(workspaces, users, strict=True))


# --- LinkedIn's audience: comments arriving on published posts -------------------------------


@dataclass(order=True)
class _Arrival:
    at: float  # time.time() when the comment appears on LinkedIn
    post_urn: str = field(compare=False)
    index: int = field(compare=False)
    comment: object = field(compare=False)


class Audience:
    """Brings each published post up to COMMENTS_A_POST comments: the sandbox's own audience
    (compressed by its audience_speed) writes 5-14; the rest are drawn from the same
    audience model under other seeds and put on the post when their time comes."""

    def __init__(self, sandbox, speedup: float) -> None:
        self.sandbox = sandbox
        self.speedup = speedup
        self.seen: set[str] = set()
        self.arrivals: list[_Arrival] = []

    def follow_new_posts(self) -> None:
        from apps.linkedin.sandbox.audience import AudiencePlan

        with self.sandbox.state.lock:
            rows = [r for r in self.sandbox.state.published_posts() if r["urn"] not in self.seen]
        for row in rows:
            self.seen.add(row["urn"])
            own = len(self.sandbox.audience_plan(row["urn"]).comments)
            extra, seed = [], self.sandbox.seed
            while own + len(extra) < COMMENTS_A_POST:
                seed += 1
                extra += AudiencePlan.for_post(seed, row["urn"]).comments
            for n, comment in enumerate(extra[: COMMENTS_A_POST - own]):
                at = row["created_at"] + comment.offset_seconds / self.speedup
                heapq.heappush(self.arrivals, _Arrival(at, row["urn"], 1000 + n, comment))

    def deliver_due(self, now: float) -> int:
        delivered = 0
        while self.arrivals and self.arrivals[0].at <= now:
            arrival = heapq.heappop(self.arrivals)
            with self.sandbox.state.lock:
                post = self.sandbox.state.post(arrival.post_urn)
                comment_id = f"{abs(hash((arrival.post_urn, arrival.index))) % 10**19:019d}"
                self.sandbox.state.insert_comment(
                    urn=f"urn:li:comment:({post['activity_urn']},{comment_id})",
                    id=comment_id,
                    post_urn=post["urn"],
                    actor=arrival.comment.person.urn,
                    text=arrival.comment.text,
                    created_at=arrival.at,
                    kind=arrival.comment.kind,
                    audience_index=arrival.index,
                )
            delivered += 1
        return delivered


# --- Workers ---------------------------------------------------------------------------------

# One group per queue, as deploy/compose.yml runs them, sized for a 2-core machine.
WORKER_GROUPS = (
    ("publishing", ["--pool=prefork", "--concurrency=2"]),
    ("scans", ["--pool=threads", "--concurrency=8"]),
    ("alerts", ["--pool=threads", "--concurrency=4"]),
    ("metrics,mail,celery", ["--pool=threads", "--concurrency=2"]),
)


@contextlib.contextmanager
def celery_workers(env: dict[str, str], log_dir: Path):
    processes = []
    try:
        for queues, pool in WORKER_GROUPS:
            name = queues.split(",")[0]
            log = (log_dir / f"worker-{name}.log").open("ab")
            processes.append(
                subprocess.Popen(
                    [
                        sys.executable,
                        "-m",
                        "celery",
                        "-A",
                        "techlead",
                        "worker",
                        *pool,
                        "-Q",
                        queues,
                        "-n",
                        f"sim-{name}@%h",
                        "--loglevel=WARNING",
                        "--without-gossip",
                        "--without-mingle",
                        "--without-heartbeat",
                    ],
                    cwd=settings.BASE_DIR,
                    env=env,
                    stdin=subprocess.DEVNULL,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
            )
        yield processes
    finally:
        for process in processes:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
        for process in processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)


# --- The run ---------------------------------------------------------------------------------


def _beat_round() -> None:
    """What beat runs every minute in production, for posts and comment scans."""
    from apps.content.publishing import dispatch_due_posts
    from apps.leads.ingestion import dispatch_scans

    dispatch_due_posts()
    dispatch_scans()


def _visit(client: Client, slug: str, user) -> float:
    client.force_login(user)
    started = time.perf_counter()
    answer = client.get(reverse("dashboard", kwargs={"workspace_slug": slug}))
    elapsed = time.perf_counter() - started
    if answer.status_code != 200:
        raise RuntimeError(f"The dashboard answered {answer.status_code} for {slug}")
    return elapsed


def run(plan: Plan, *, use_workers: bool, log_dir: Path, say=print) -> dict:
    """Replay the day; returns the report (see `report_lines`)."""
    from apps.linkedin.sandbox import Sandbox, SandboxConfig
    from apps.linkedin.sandbox.server import running_sandbox
    from techlead.celery import app

    log_dir.mkdir(parents=True, exist_ok=True)
    config = SandboxConfig(
        approved=True,
        daily_member_limit=10**9,
        daily_app_limit=10**9,
        audience_speed=plan.speedup,
    )
    sandbox = Sandbox(":memory:", seed=plan.seed, config=config)
    scale = 1 / plan.speedup
    wall_started = time.monotonic()
    with (
        running_sandbox(sandbox) as linkedin,
        override_settings(
            LINKEDIN_API_BASE=linkedin.api_base,
            LINKEDIN_OAUTH_BASE=linkedin.oauth_base,
            LEADS_SCAN_INTERVAL_SCALE=scale,
        ),
    ):
        removed = remove_simulated()
        if removed:
            say(f"Removed {removed} rows an earlier simulation left behind.")
        setup_started = time.monotonic()
        # The day starts a little after setup, so the first minutes are not already due.
        start = timezone.now() + timedelta(seconds=5 + plan.workspaces / 200)
        owners = build_world(plan, sandbox, start)
        if not use_workers:
            # A worker loads the classifier once, at its first scan; do it before the day.
            from apps.leads.classifier import get_model

            get_model()
        say(
            f"Set up {plan.workspaces} workspaces in {time.monotonic() - setup_started:.1f} s; "
            f"replaying {plan.hours:g} h from {plan.from_hour:02g}:00 at {plan.speedup:g}x "
            f"({plan.duration:.0f} s) with "
            + ("Celery worker processes per queue." if use_workers else "in-process workers.")
        )
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": os.environ.get(
                "DJANGO_SETTINGS_MODULE", "techlead.settings.dev"
            ),
            "LINKEDIN_API_BASE": linkedin.api_base,
            "LINKEDIN_OAUTH_BASE": linkedin.oauth_base,
            "LEADS_SCAN_INTERVAL_SCALE": repr(scale),
        }
        eager = app.conf.task_always_eager
        app.conf.task_always_eager = not use_workers
        workers = celery_workers(env, log_dir) if use_workers else contextlib.nullcontext()
        try:
            if use_workers:
                _purge_queues(app)  # tasks an earlier run left would be served first
            with workers:
                figures = _replay(plan, sandbox, owners, start, say)
        finally:
            app.conf.task_always_eager = eager
            if use_workers:
                _purge_queues(app)  # scans still queued for posts about to be removed
        report = measure(plan, start, figures)
        report["setup"] = {
            "workers": "celery processes per queue (Redis)" if use_workers else "in-process",
            "database": _database_name(),
            "wall_seconds": round(time.monotonic() - wall_started, 1),
            "cpu_cores": os.cpu_count(),
            # The machine is shared: the 1-minute load average at the end says how much.
            "load_average_at_end": round(os.getloadavg()[0], 2),
        }
    return report


def _purge_queues(app) -> None:
    with app.connection_for_write() as broker:
        for queue in settings.TASK_QUEUES:
            broker.default_channel.queue_purge(queue)


def _database_name() -> str:
    if connection.vendor == "postgresql":
        version = connection.pg_version  # e.g. 150012
        return f"PostgreSQL {version // 10000}.{version % 10000}"
    import sqlite3

    return f"{connection.vendor} {sqlite3.sqlite_version}"


def _replay(plan: Plan, sandbox, owners, start: datetime, say) -> dict:
    from apps.core import metrics
    from apps.leads.selectors import comment_scans_due

    audience = Audience(sandbox, plan.speedup)
    visits = [(plan.real_seconds(m), n % len(owners)) for n, m in enumerate(plan.visit_minutes())]
    visits.reverse()  # popped from the end: earliest first
    client = Client(HTTP_HOST="localhost")
    visit_seconds: list[float] = []
    skipped_visits = 0
    scan_lags: list[float] = []
    queue_peaks: dict[str, list] = {}
    t0 = start.timestamp()
    end = t0 + plan.duration
    next_report = t0
    while True:
        now = time.time()
        if now >= end:
            break
        _beat_round()
        audience.follow_new_posts()
        audience.deliver_due(time.time())
        scan_lags.append(comment_scans_due()[1])
        # What /metrics would show of each queue: a backlog of claimed scans waits there.
        for queue, (depth, age) in metrics.queue_figures().items():
            worst = queue_peaks.setdefault(queue, [0, 0.0])
            worst[0], worst[1] = max(worst[0], depth), max(worst[1], age or 0.0)
        # Dashboard visits due by now, until the next round is due; one waiting longer than
        # VISIT_PATIENCE is counted as skipped, not served late (the person would have left).
        tick_end = now + plan.tick
        while visits and t0 + visits[-1][0] <= time.time():
            if time.time() - (t0 + visits[-1][0]) > VISIT_PATIENCE:
                visits.pop()
                skipped_visits += 1
                continue
            if time.time() > tick_end:
                break
            workspace, user = owners[visits.pop()[1]]
            visit_seconds.append(_visit(client, workspace.slug, user))
        if now >= next_report:
            sim = plan.from_hour * 3600 + (now - t0) * plan.speedup
            say(
                f"  {int(sim // 3600) % 24:02d}:{int(sim % 3600 // 60):02d} sim: "
                f"scan lag {scan_lags[-1]:.1f} s, dashboard visits {len(visit_seconds)}"
            )
            next_report = now + max(10.0, plan.duration / 12)
        time.sleep(max(0.0, tick_end - time.time()))
    # The last posts and alerts of the day may still be in flight: a minute more for them.
    settle_until = time.time() + DEADLINE_SECONDS
    while time.time() < settle_until and _work_in_flight():
        _beat_round()
        time.sleep(plan.tick)
    skipped_visits += len(visits)
    return {
        "visit_seconds": visit_seconds,
        "visits_skipped": skipped_visits,
        "scan_lags": scan_lags,
        "queue_peaks": queue_peaks,
        "comments_on_linkedin": _comments_on_linkedin(sandbox),
    }


def _comments_on_linkedin(sandbox) -> int:
    with sandbox.state.lock:
        urns = [row["urn"] for row in sandbox.state.published_posts()]
    return sum(len(sandbox.comments(urn)) for urn in urns)


def _work_in_flight() -> bool:
    from apps.content.models import Post
    from apps.notifications.models import Delivery

    posts = Post.objects.filter(
        workspace__slug__startswith=SLUG_PREFIX,
        status__in=(Post.Status.SCHEDULED, Post.Status.PUBLISHING),
    ).exists()
    deliveries = Delivery.objects.filter(
        workspace__slug__startswith=SLUG_PREFIX,
        status__in=(Delivery.Status.PENDING, Delivery.Status.SENDING),
    ).exists()
    return posts or deliveries or _alerts_waiting() > 0


def _alerts_waiting() -> int:
    """Leads whose alert has not gone out yet: their event waits for its task."""
    from apps.notifications.models import Event, OutboxEvent

    return OutboxEvent.objects.filter(
        workspace__slug__startswith=SLUG_PREFIX,
        event=Event.LEAD_DETECTED,
        status=OutboxEvent.Status.PENDING,
    ).count()


def measure(plan: Plan, start: datetime, figures: dict) -> dict:
    """The day's outcome, read back from the database."""
    from apps.content.models import Post
    from apps.leads.models import Comment
    from apps.notifications.models import Channel, Delivery, Event

    posts = list(
        Post.objects.filter(workspace__slug__startswith=SLUG_PREFIX).values_list(
            "status", "scheduled_at", "published_at"
        )
    )
    delays = [
        (published - scheduled).total_seconds()
        for status, scheduled, published in posts
        if status == Post.Status.PUBLISHED and published
    ]
    late_posts = sum(1 for d in delays if d >= DEADLINE_SECONDS)
    unpublished = len(posts) - len(delays)

    comments_stored = Comment.objects.filter(workspace__slug__startswith=SLUG_PREFIX).count()
    alerts = list(
        Delivery.objects.filter(
            workspace__slug__startswith=SLUG_PREFIX,
            event=Event.LEAD_DETECTED,
        )
        .exclude(channel=Channel.IN_APP)
        .values_list(
            "status",
            "sent_at",
            "notification__dedupe_key",
            "notification__created_at",
        )
    )
    lead_comments: dict[int, list[datetime]] = {}
    for lead_id, ingested in Comment.objects.filter(
        workspace__slug__startswith=SLUG_PREFIX, lead__isnull=False
    ).values_list("lead_id", "ingested_at"):
        lead_comments.setdefault(lead_id, []).append(ingested)
    latencies, unsent, held = [], 0, 0
    for status, sent_at, key, made_at in alerts:
        if status == Delivery.Status.HELD:
            held += 1  # the member's own quiet hours or daily cap: by design, not late
            continue
        lead_id = int(key.removeprefix("lead:")) if key.removeprefix("lead:").isdigit() else None
        before = [t for t in lead_comments.get(lead_id, []) if t <= made_at]
        if status != Delivery.Status.SENT or not sent_at or not before:
            unsent += 1
            continue
        latencies.append((sent_at - max(before)).total_seconds())
    late_alerts = sum(1 for latency in latencies if latency >= DEADLINE_SECONDS)
    # Leads stored whose alert task had not run by the end: not sent in time either.
    waiting = _alerts_waiting()

    visits = figures["visit_seconds"]
    lags = figures["scan_lags"]
    return {
        "plan": {
            "workspaces": plan.workspaces,
            "speedup": plan.speedup,
            "window": f"{plan.from_hour:02g}:00 + {plan.hours:g} h",
            "real_seconds": round(plan.duration, 1),
            "day_started_at": start.astimezone(UTC).isoformat(timespec="seconds"),
        },
        "posts": {
            "scheduled": len(posts),
            "published": len(delays),
            "late": late_posts,
            "unpublished": unpublished,
            "seconds_after_due": spread(delays),
        },
        "comments": {
            "on_linkedin": figures["comments_on_linkedin"],
            "stored": comments_stored,
            "scan_lag_seconds": spread(lags),
        },
        "alerts": {
            "sent": len(latencies),
            "late": late_alerts,
            "unsent": unsent,
            "leads_still_waiting_for_their_alert": waiting,
            "held_by_member_rules": held,
            "seconds_after_stored": spread(latencies),
        },
        "dashboard": {
            "planned": len(visits) + figures["visits_skipped"],
            "served": len(visits),
            "skipped": figures["visits_skipped"],
            "milliseconds": {k: v and round(v * 1000, 1) for k, v in spread(visits).items()},
        },
        "queues": {
            queue: {"max_waiting": depth, "max_oldest_age_seconds": round(age, 1)}
            for queue, (depth, age) in sorted(figures["queue_peaks"].items())
        },
        "verdict": {
            "every_post_within_its_minute": late_posts == 0 and unpublished == 0,
            "every_alert_within_60_s": late_alerts == 0 and unsent == 0 and waiting == 0,
        },
    }


def report_lines(report: dict) -> list[str]:
    plan, posts, comments = report["plan"], report["posts"], report["comments"]
    alerts, dashboard, setup = report["alerts"], report["dashboard"], report["setup"]
    verdict = report["verdict"]

    def p(figures, unit="s"):
        return ", ".join(f"{k} {v}{unit}" for k, v in figures.items() if v is not None) or "-"

    return [
        f"Simulated day: {plan['workspaces']} workspaces, {plan['window']} at "
        f"{plan['speedup']:g}x ({plan['real_seconds']} s), {setup['workers']}, "
        f"{setup['database']}, {setup['cpu_cores']} cores (load {setup['load_average_at_end']}), "
        f"{setup['wall_seconds']} s in all",
        f"Posts: {posts['published']} of {posts['scheduled']} published, "
        f"{posts['late']} late (60 s or more), {posts['unpublished']} not published; "
        f"after due: {p(posts['seconds_after_due'])}",
        f"Comments: {comments['stored']} stored of {comments['on_linkedin']} on LinkedIn; "
        f"scan lag: {p(comments['scan_lag_seconds'])}",
        f"Alerts: {alerts['sent']} sent, {alerts['late']} late, {alerts['unsent']} not sent, "
        f"{alerts['leads_still_waiting_for_their_alert']} leads still waiting for theirs, "
        f"{alerts['held_by_member_rules']} held by the member's quiet hours or cap; "
        f"stored to sent: {p(alerts['seconds_after_stored'])}",
        "Queues, worst seen: "
        + (
            "; ".join(
                f"{q} {v['max_waiting']} waiting, oldest {v['max_oldest_age_seconds']} s"
                for q, v in report["queues"].items()
            )
            or "- (tasks ran in-process)"
        ),
        f"Dashboard: {dashboard['served']} of {dashboard['planned']} visits served "
        f"({dashboard['skipped']} skipped); {p(dashboard['milliseconds'], ' ms')}",
        "Every post within its minute: "
        + ("yes" if verdict["every_post_within_its_minute"] else "NO")
        + "; every alert within 60 s: "
        + ("yes" if verdict["every_alert_within_60_s"] else "NO"),
    ]
