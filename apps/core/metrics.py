"""Metrics for operators, exported at /metrics for Prometheus (deploy/README.md, "Metrics").

Two kinds of figures, kept apart on purpose:

- Counted where the work happens (publish outcomes, alert latency). A post is published by a
  worker process and the scrape is answered by a web process, possibly on another host, so
  these are kept in Redis (one hash per metric, HINCRBYFLOAT) where every process adds to the
  same figures. Without Redis (`make run`, tests) they are kept in this process: what the
  process that answers the scrape knows, which with eager tasks is everything.
- Read on each scrape (queue depth and age, scan lag): the broker's lists and one indexed
  query, so a scrape tells the state at that moment and nothing has to be kept up to date.

Request latency comes from django-prometheus' middleware (its `django_http_*` metrics).
Recording never raises: a metric that cannot be written must not fail a publish or an alert.
"""

from __future__ import annotations

import json
import logging
import os
import threading
import time
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from prometheus_client.core import (
    CounterMetricFamily,
    GaugeMetricFamily,
    HistogramMetricFamily,
)
from prometheus_client.registry import Collector, CollectorRegistry
from prometheus_client.utils import floatToGoString

logger = logging.getLogger(__name__)

KEY_PREFIX = "techlead:metrics:"
PUBLISH_OUTCOMES = "publish_outcomes"
ALERT_LATENCY = "alert_latency:"
# Seconds from a comment stored to its alert sent; the goal is 60 s (README, Performance).
ALERT_LATENCY_BUCKETS = (1.0, 2.0, 5.0, 10.0, 15.0, 30.0, 45.0, 60.0, 120.0, 300.0, 600.0)

# The names the endpoint exports (besides django-prometheus' own); the Grafana dashboard in
# deploy/grafana/ uses them and a test checks it uses nothing else.
EXPORTED = (
    "techlead_publish_outcomes_total",
    "techlead_alert_latency_seconds_bucket",
    "techlead_alert_latency_seconds_sum",
    "techlead_alert_latency_seconds_count",
    "techlead_queue_depth",
    "techlead_queue_oldest_age_seconds",
    "techlead_comment_scan_lag_seconds",
    "techlead_comment_scans_due",
)


# --- Where counted figures are kept ---------------------------------------------------------


class _LocalStore:
    """This process's figures, for a deployment without Redis."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._hashes: dict[str, dict[str, float]] = {}

    def add(self, key: str, amounts: dict[str, float]) -> None:
        with self._lock:
            fields = self._hashes.setdefault(key, {})
            for field, amount in amounts.items():
                fields[field] = fields.get(field, 0.0) + amount

    def read(self, key: str) -> dict[str, float]:
        with self._lock:
            return dict(self._hashes.get(key, {}))

    def keys(self, prefix: str) -> list[str]:
        with self._lock:
            return [key for key in self._hashes if key.startswith(prefix)]

    def clear(self) -> None:
        with self._lock:
            self._hashes.clear()


class _RedisStore:
    """Figures shared by every process that talks to the same Redis."""

    def __init__(self, url: str) -> None:
        import redis

        self.client = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)

    def add(self, key: str, amounts: dict[str, float]) -> None:
        with self.client.pipeline(transaction=False) as pipe:
            for field, amount in amounts.items():
                pipe.hincrbyfloat(KEY_PREFIX + key, field, amount)
            pipe.execute()

    def read(self, key: str) -> dict[str, float]:
        raw = self.client.hgetall(KEY_PREFIX + key)
        return {field.decode(): float(value) for field, value in raw.items()}

    def keys(self, prefix: str) -> list[str]:
        found = self.client.scan_iter(match=f"{KEY_PREFIX}{prefix}*", count=100)
        return [key.decode().removeprefix(KEY_PREFIX) for key in found]

    def clear(self) -> None:
        for key in self.client.scan_iter(match=f"{KEY_PREFIX}*", count=100):
            self.client.delete(key)


_local = _LocalStore()


@lru_cache(maxsize=4)
def _redis_store(url: str) -> _RedisStore:
    return _RedisStore(url)


def store():
    return _redis_store(settings.REDIS_URL) if settings.REDIS_URL else _local


def _add(key: str, amounts: dict[str, float]) -> None:
    try:
        store().add(key, amounts)
    except Exception:  # a metric lost is better than a publish or an alert failed
        logger.warning("Could not record metric %s", key, exc_info=True)


# --- Recording ------------------------------------------------------------------------------


def record_publish_outcome(outcome: str) -> None:
    """One publish attempt ended with `outcome` (PublishAttempt.Outcome's values)."""
    _add(PUBLISH_OUTCOMES, {str(outcome): 1.0})


def record_alert_latency(seconds: float, *, channel: str) -> None:
    """An alert went out on `channel` `seconds` after the comment behind it was stored."""
    seconds = max(0.0, float(seconds))
    bucket = next((_le(b) for b in ALERT_LATENCY_BUCKETS if seconds <= b), "+Inf")
    _add(ALERT_LATENCY + str(channel), {bucket: 1.0, "sum": seconds, "count": 1.0})


def _le(bound: float) -> str:
    return floatToGoString(bound)  # "60.0", as Prometheus' own histograms label buckets


# --- Read on each scrape --------------------------------------------------------------------


def queue_figures(now: float | None = None) -> dict[str, tuple[int, float | None]]:
    """Per Celery queue: messages waiting, and the age in seconds of the oldest one (None
    when empty or unknown). Redis: the queue's list (kombu pushes on the left and workers
    take from the right, so the oldest is the last); the published time is the header the
    app stamps on every task (techlead/celery.py). The filesystem broker of `make run`: one
    file per message. Eager tasks (tests) never wait: every queue is empty."""
    now = time.time() if now is None else now
    queues = settings.TASK_QUEUES
    if getattr(settings, "CELERY_TASK_ALWAYS_EAGER", False):
        return dict.fromkeys(queues, (0, None))
    if settings.CELERY_BROKER_URL.startswith("redis"):
        return _redis_queues(queues, now)
    folder = settings.CELERY_BROKER_TRANSPORT_OPTIONS.get("data_folder_in")
    if folder:
        return _folder_queues(queues, Path(folder), now)
    return {}


def _redis_queues(queues, now: float) -> dict[str, tuple[int, float | None]]:
    client = _redis_store(settings.CELERY_BROKER_URL).client
    with client.pipeline(transaction=False) as pipe:
        for queue in queues:
            pipe.llen(queue)
            pipe.lindex(queue, -1)
        answers = pipe.execute()
    figures = {}
    for index, queue in enumerate(queues):
        depth, oldest = answers[2 * index], answers[2 * index + 1]
        figures[queue] = (int(depth), _message_age(oldest, now))
    return figures


def _message_age(raw: bytes | None, now: float) -> float | None:
    if not raw:
        return None
    try:
        published = json.loads(raw)["headers"]["published_at"]
    except (ValueError, KeyError, TypeError):
        return None  # a message from before the header existed, or not the app's
    return max(0.0, now - float(published))


def _folder_queues(queues, folder: Path, now: float) -> dict[str, tuple[int, float | None]]:
    figures: dict[str, tuple[int, float | None]] = dict.fromkeys(queues, (0, None))
    try:
        entries = list(os.scandir(folder))
    except FileNotFoundError:
        return figures
    for entry in entries:
        # <monotonic ms>_<uuid>.<queue>.msg (kombu's filesystem transport)
        queue = entry.name.partition(".")[2].removesuffix(".msg")
        if queue not in figures:
            continue
        depth, age = figures[queue]
        try:
            this_age = max(0.0, now - entry.stat().st_mtime)
        except FileNotFoundError:
            continue  # a worker took it meanwhile
        figures[queue] = (depth + 1, max(age or 0.0, this_age))
    return figures


class OperatorCollector(Collector):
    """The app's own metrics, computed when Prometheus scrapes."""

    def collect(self):
        outcomes = CounterMetricFamily(
            "techlead_publish_outcomes",
            "Publish attempts by how they ended (published, retry, failed, unknown).",
            labels=["outcome"],
        )
        for outcome, count in sorted(store().read(PUBLISH_OUTCOMES).items()):
            outcomes.add_metric([outcome], count)
        yield outcomes

        latency = HistogramMetricFamily(
            "techlead_alert_latency_seconds",
            "Seconds from a lead's comment stored to its alert sent, per channel.",
            labels=["channel"],
        )
        for key in sorted(store().keys(ALERT_LATENCY)):
            fields = store().read(key)
            cumulative, buckets = 0.0, []
            for le in (*map(_le, ALERT_LATENCY_BUCKETS), "+Inf"):
                cumulative += fields.get(le, 0.0)
                buckets.append((le, cumulative))
            latency.add_metric(
                [key.removeprefix(ALERT_LATENCY)], buckets, sum_value=fields.get("sum", 0.0)
            )
        yield latency

        depth = GaugeMetricFamily(
            "techlead_queue_depth", "Messages waiting in each Celery queue.", labels=["queue"]
        )
        age = GaugeMetricFamily(
            "techlead_queue_oldest_age_seconds",
            "Age of the oldest message waiting in each Celery queue (0 when empty).",
            labels=["queue"],
        )
        try:
            figures = queue_figures()
        except Exception:  # the broker is down: say nothing rather than fail the scrape
            logger.warning("Could not read the queues", exc_info=True)
            figures = {}
        for queue, (waiting, oldest) in sorted(figures.items()):
            depth.add_metric([queue], waiting)
            age.add_metric([queue], oldest or 0.0)
        yield depth
        yield age

        from apps.leads.selectors import comment_scans_due

        due, lag = comment_scans_due()
        yield GaugeMetricFamily(
            "techlead_comment_scan_lag_seconds",
            "How long the oldest due comment scan has been waiting (0 when none is due).",
            value=lag,
        )
        yield GaugeMetricFamily(
            "techlead_comment_scans_due",
            "Published posts whose comment scan is due now.",
            value=due,
        )


operator_registry = CollectorRegistry(auto_describe=False)
operator_registry.register(OperatorCollector())


def exposition() -> tuple[bytes, str]:
    """The scrape's body and content type: django-prometheus' request metrics (every gunicorn
    worker's, when PROMETHEUS_MULTIPROC_DIR is set) followed by the app's own."""
    from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, generate_latest, multiprocess

    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        requests = CollectorRegistry()
        multiprocess.MultiProcessCollector(requests)
    else:
        requests = REGISTRY
    return generate_latest(requests) + generate_latest(operator_registry), CONTENT_TYPE_LATEST
