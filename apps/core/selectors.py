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


def platform_health() -> dict[str, Check]:
    return {
        "database": check_database(),
        "cache": check_cache(),
        "broker": check_broker(),
        "beat": check_heartbeat(),
    }
