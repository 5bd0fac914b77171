from datetime import timedelta

import pytest
from django.utils import timezone

from apps.core.models import Heartbeat
from apps.core.tasks import record_heartbeat

pytestmark = pytest.mark.django_db


def test_healthz_is_200_when_every_part_answers_and_beat_is_fresh(client):
    record_heartbeat()
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert set(body["checks"]) == {"database", "cache", "broker", "beat"}
    assert all(check["ok"] for check in body["checks"].values())


def test_healthz_is_503_when_beat_has_not_been_seen(client):
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["beat"] == {"ok": False, "detail": "no heartbeat recorded yet"}


def test_healthz_is_503_when_the_heartbeat_is_stale(client):
    Heartbeat.objects.create(name="beat", last_seen_at=timezone.now() - timedelta(minutes=10))
    response = client.get("/healthz")
    assert response.status_code == 503
    assert "600s ago" in response.json()["checks"]["beat"]["detail"]


def test_healthz_reports_a_broker_that_does_not_answer(client, settings):
    from techlead.celery import app

    record_heartbeat()
    original = app.conf.broker_url
    app.conf.broker_url = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    try:
        response = client.get("/healthz")
    finally:
        app.conf.broker_url = original
    assert response.status_code == 503
    assert response.json()["checks"]["broker"]["ok"] is False


def test_the_heartbeat_task_is_safe_to_run_twice():
    record_heartbeat()
    record_heartbeat()
    assert Heartbeat.objects.count() == 1
