"""A real Celery worker consumes from the configured broker: Redis in CI, kombu's in-memory
transport on a bare machine. Nothing here runs in eager mode."""

import time

import pytest
from celery.contrib.testing.worker import start_worker
from django.conf import settings

from apps.core.models import Heartbeat
from apps.core.tasks import record_heartbeat
from techlead.celery import app

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def celery_worker():
    if settings.REDIS_URL:
        import redis

        try:
            redis.Redis.from_url(settings.CELERY_BROKER_URL, socket_timeout=2).ping()
        except redis.exceptions.ConnectionError as exc:
            from conftest import service_required

            service_required("Redis", str(exc))
    from celery import signals

    from tests.browser.background import close_thread_connections

    signals.task_postrun.connect(close_thread_connections, weak=False)
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
            yield
    finally:
        signals.task_postrun.disconnect(close_thread_connections)


def wait_for(predicate, timeout=15.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


def test_a_real_worker_runs_the_heartbeat_task_from_the_broker(celery_worker):
    record_heartbeat.delay()
    assert wait_for(lambda: Heartbeat.objects.filter(name="beat").exists())


def test_the_worker_uses_the_broker_the_environment_names():
    expected = "redis" if settings.REDIS_URL else "memory"
    assert app.conf.broker_url.startswith(expected)


def test_the_beat_schedule_declares_the_heartbeat_every_minute():
    entry = settings.CELERY_BEAT_SCHEDULE["scheduler-heartbeat"]
    assert (entry["task"], entry["schedule"]) == ("core.record_heartbeat", 60.0)
    assert settings.CELERY_BEAT_SCHEDULER.endswith("DatabaseScheduler")
