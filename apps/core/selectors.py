"""Health of the platform's shared parts, for /healthz and the staff pages."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.utils import timezone

from apps.core.models import Heartbeat


@dataclass
class Check:
    ok: bool
    detail: str


def check_database() -> Check:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        return Check(True, connection.vendor)
    except Exception as exc:  # health checks report, they do not raise
        return Check(False, f"{type(exc).__name__}: {exc}")


def check_cache() -> Check:
    try:
        cache.set("healthz", "ok", 10)
        if cache.get("healthz") != "ok":
            return Check(False, "value written was not read back")
        return Check(True, cache.__class__.__name__)
    except Exception as exc:
        return Check(False, f"{type(exc).__name__}: {exc}")


def check_broker() -> Check:
    from techlead.celery import app

    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
            return Check(
                True,
                conn.transport_cls
                if isinstance(conn.transport_cls, str)
                else conn.transport.driver_type,
            )
    except Exception as exc:
        return Check(False, f"{type(exc).__name__}: {exc}")


def heartbeat_age_seconds(name: str = "beat") -> float | None:
    last = Heartbeat.objects.filter(name=name).values_list("last_seen_at", flat=True).first()
    if last is None:
        return None
    return (timezone.now() - last).total_seconds()


def check_heartbeat() -> Check:
    age = heartbeat_age_seconds()
    if age is None:
        return Check(False, "no heartbeat recorded yet")
    limit = settings.HEARTBEAT_MAX_AGE_SECONDS
    return Check(age <= limit, f"{age:.0f}s ago (limit {limit}s)")


@dataclass
class RoleWarning:
    """Row-level security does not hold the app's own database connection: the advice for
    the operator and why, one sentence each (apps/core/rls.py)."""

    advice: str
    problems: list[str]

    @property
    def text(self) -> str:
        return " ".join([*self.problems, self.advice])


def database_role_warning() -> RoleWarning | None:
    """None when the app's connection is bound by the policies, or when row-level security
    is not in use (SQLite, or turned off). One query on PostgreSQL with it on. A database
    that does not answer is the database check's to report, not this one's."""
    from apps.core import rls

    try:
        problems = rls.role_problems()
    except Exception:  # health checks report, they do not raise
        return None
    return RoleWarning(rls.advice(), problems) if problems else None


def platform_health() -> dict[str, Check]:
    return {
        "database": check_database(),
        "cache": check_cache(),
        "broker": check_broker(),
        "beat": check_heartbeat(),
    }


# --- Beat and the workers ------------------------------------------------------------------
# Beat pings every queue each minute (the "worker-heartbeat-<queue>" entries); the worker that
# takes a ping writes "worker:<queue>". Beat's own record is django_celery_beat's: when it last
# sent each entry, written to the database every three minutes (its scheduler's sync).
WORKER_HEARTBEAT_PREFIX = "worker:"
BEAT_SYNC_SECONDS = 180


@dataclass
class Process:
    """Beat, or the workers of one queue: how long since it last proved alive, and whether
    that is too long. "unknown": the workers cannot be judged while beat sends no pings."""

    kind: str  # "beat" or "workers"
    name: str  # "beat" or the queue's name
    age_seconds: float | None  # None: never seen
    state: str  # "ok", "silent" or "unknown"

    @property
    def silent(self) -> bool:
        return self.state == "silent"

    @property
    def age_minutes(self) -> int | None:
        return None if self.age_seconds is None else round(self.age_seconds / 60)


def _beat_age_seconds(now, heartbeat_ages: list[float]) -> float | None:
    """Since beat last sent anything: its own record, or a ping a worker has just taken
    (pings expire within a minute, so a fresh one was sent a minute ago at most)."""
    from django.db.models import Max
    from django_celery_beat.models import PeriodicTask

    sent = PeriodicTask.objects.filter(enabled=True).aggregate(last=Max("last_run_at"))["last"]
    ages = [*heartbeat_ages, *([(now - sent).total_seconds()] if sent else [])]
    return min(ages) if ages else None


def background_processes(*, now=None, heartbeats: dict | None = None) -> list[Process]:
    """Beat first, then each queue's workers. Two queries, or one given the heartbeats
    already read (name: last seen)."""
    now = now or timezone.now()
    limit = settings.HEARTBEAT_MAX_AGE_SECONDS
    if heartbeats is None:
        heartbeats = dict(Heartbeat.objects.values_list("name", "last_seen_at"))
    seen = {name: (now - last).total_seconds() for name, last in heartbeats.items()}
    beat_age = _beat_age_seconds(now, [seen[n] for n in seen if n == "beat" or _is_worker(n)])
    beat_silent = beat_age is None or beat_age > limit + BEAT_SYNC_SECONDS
    processes = [Process("beat", "beat", beat_age, "silent" if beat_silent else "ok")]
    for queue in settings.TASK_QUEUES:
        age = seen.get(WORKER_HEARTBEAT_PREFIX + queue)
        stale = age is None or age > limit
        state = "unknown" if beat_silent else ("silent" if stale else "ok")
        processes.append(Process("workers", queue, age, state))
    return processes


def _is_worker(name: str) -> bool:
    return name.startswith(WORKER_HEARTBEAT_PREFIX)
