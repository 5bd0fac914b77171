from datetime import timedelta

import pytest
from django.utils import timezone

from apps.core.models import Heartbeat
from apps.core.tasks import record_heartbeat

pytestmark = pytest.mark.django_db

MONITOR_TOKEN = "monitor-token-0123456789"


@pytest.fixture
def monitor(client, settings):
    """A monitor that sends HEALTHZ_TOKEN, so it is shown which part failed."""
    settings.HEALTHZ_TOKEN = MONITOR_TOKEN
    client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {MONITOR_TOKEN}"
    return client


def test_anonymous_callers_learn_only_whether_the_platform_is_healthy(client, settings):
    settings.HEALTHZ_TOKEN = MONITOR_TOKEN
    record_heartbeat()

    healthy = client.get("/healthz")
    wrong_token = client.get("/healthz", HTTP_AUTHORIZATION="Bearer guessed")

    assert (healthy.status_code, healthy.json()) == (200, {"status": "ok"})
    assert wrong_token.json() == {"status": "ok"}
    Heartbeat.objects.update(last_seen_at=timezone.now() - timedelta(minutes=10))
    unhealthy = client.get("/healthz")
    assert (unhealthy.status_code, unhealthy.json()) == (503, {"status": "unhealthy"})
    for word in ("database", "sqlite", "postgres", "redis", "beat", "cache"):
        assert word not in unhealthy.content.decode().lower()


def test_staff_see_every_check(client):
    from apps.accounts.tests.factories import UserFactory

    client.force_login(UserFactory(email="ops@example.com", is_staff=True))
    record_heartbeat()

    assert set(client.get("/healthz").json()["checks"]) == {"database", "cache", "broker", "beat"}


def test_staff_see_no_warnings_when_the_database_connection_is_as_it_should_be(client):
    """Warnings (apps/core/rls.py): none on SQLite, none with row-level security off, and
    none in CI's PostgreSQL run, whose connection is the app's own role."""
    from apps.accounts.tests.factories import UserFactory

    client.force_login(UserFactory(email="ops@example.com", is_staff=True))
    record_heartbeat()

    assert client.get("/healthz").json()["warnings"] == {}


def test_a_signed_in_member_who_is_not_staff_sees_no_details(alice_client):
    record_heartbeat()

    assert alice_client.get("/healthz").json() == {"status": "ok"}


def test_healthz_is_200_when_every_part_answers_and_beat_is_fresh(monitor):
    record_heartbeat()
    response = monitor.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert set(body["checks"]) == {"database", "cache", "broker", "beat"}
    assert all(check["ok"] for check in body["checks"].values())


def test_healthz_is_503_when_beat_has_not_been_seen(monitor):
    response = monitor.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["beat"] == {"ok": False, "detail": "no heartbeat recorded yet"}


def test_healthz_is_503_when_the_heartbeat_is_stale(monitor):
    Heartbeat.objects.create(name="beat", last_seen_at=timezone.now() - timedelta(minutes=10))
    response = monitor.get("/healthz")
    assert response.status_code == 503
    assert "600s ago" in response.json()["checks"]["beat"]["detail"]


def test_healthz_reports_a_broker_that_does_not_answer(monitor, settings):
    from techlead.celery import app

    record_heartbeat()
    original = app.conf.broker_url
    app.conf.broker_url = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    try:
        response = monitor.get("/healthz")
    finally:
        app.conf.broker_url = original
    assert response.status_code == 503
    assert response.json()["checks"]["broker"]["ok"] is False


def test_the_heartbeat_task_is_safe_to_run_twice():
    record_heartbeat()
    record_heartbeat()
    assert Heartbeat.objects.count() == 1


def test_the_favicon_is_the_apps_icon(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"].endswith("pwa/icon-192.png")
