"""/metrics for Prometheus: who may scrape it, and that each figure moves with the work it
counts (apps/core/metrics.py)."""

import json
import os
import re
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone
from prometheus_client.parser import text_string_to_metric_families

from apps.accounts.tests.factories import UserFactory
from apps.content.models import Post
from apps.content.tests.test_publishing import (  # noqa: F401 - fixtures used by name
    connected,
    dispatch_and_publish,
    due_post,
    enqueued,
    linkedin,
)
from apps.core import metrics
from apps.leads import services

pytestmark = pytest.mark.django_db

SCRAPER_TOKEN = "scraper-token-0123456789"
INQUIRY = "We need help with our Kafka cluster. What is your day rate? Can we talk this week?"


@pytest.fixture(autouse=True)
def fresh_figures():
    metrics.store().clear()
    yield
    metrics.store().clear()


@pytest.fixture
def scraper(client, settings):
    settings.METRICS_TOKEN = SCRAPER_TOKEN
    client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {SCRAPER_TOKEN}"
    return client


def scrape(client) -> dict[tuple[str, tuple], float]:
    answer = client.get("/metrics")
    assert answer.status_code == 200
    assert answer["Content-Type"].startswith("text/plain")
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(answer.content.decode())
        for sample in family.samples
    }


def value(figures, name: str, **labels) -> float:
    return figures.get((name, tuple(sorted(labels.items()))), 0.0)


def test_only_staff_and_the_scraper_token_may_read_the_metrics(client, settings, alice):
    settings.METRICS_TOKEN = SCRAPER_TOKEN

    assert client.get("/metrics").status_code == 404
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer guessed").status_code == 403
    client.force_login(alice)
    assert client.get("/metrics").status_code == 403
    client.logout()
    assert client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {SCRAPER_TOKEN}").status_code == 200
    client.force_login(UserFactory(is_staff=True))
    assert client.get("/metrics").status_code == 200


def test_without_a_token_configured_no_bearer_opens_the_metrics(client, settings):
    settings.METRICS_TOKEN = ""
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer ").status_code == 404
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer anything").status_code == 403


def test_request_latency_is_counted_per_view(scraper):
    name = "django_http_requests_latency_seconds_by_view_method_count"
    before = value(scrape(scraper), name, view="account_login", method="GET")
    scraper.get("/accounts/login/")
    scraper.get("/accounts/login/")
    after = value(scrape(scraper), name, view="account_login", method="GET")
    assert after - before == 2


def test_publish_outcomes_count_each_attempt(
    scraper,
    alice,
    alice_workspace,
    connected,  # noqa: F811
    linkedin,  # noqa: F811
    enqueued,  # noqa: F811
    django_capture_on_commit_callbacks,
):
    assert value(scrape(scraper), "techlead_publish_outcomes_total", outcome="published") == 0
    due_post(alice_workspace, alice)
    due_post(alice_workspace, alice, text="A second post: what slows your releases down?")
    assert dispatch_and_publish(enqueued, django_capture_on_commit_callbacks) == ["published"] * 2
    gap_text = "We cut costs. [your example: a cost cut you led] How about you?"
    gap = due_post(alice_workspace, alice, text=gap_text)
    assert dispatch_and_publish(enqueued, django_capture_on_commit_callbacks) == ["failed"]
    gap.refresh_from_db()
    assert gap.status == Post.Status.FAILED

    figures = scrape(scraper)
    assert value(figures, "techlead_publish_outcomes_total", outcome="published") == 2
    assert value(figures, "techlead_publish_outcomes_total", outcome="failed") == 1


def test_alert_latency_runs_from_the_comment_stored_to_the_alert_sent(
    scraper, alice_workspace, django_capture_on_commit_callbacks
):
    post = Post.objects.create(
        workspace=alice_workspace,
        text="A published post",
        status=Post.Status.PUBLISHED,
        published_at=timezone.now() - timedelta(hours=2),
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.store_comments(
            workspace=alice_workspace,
            post=post,
            incoming=[
                services.IncomingComment(
                    urn="urn:li:comment:(urn:li:activity:1,1)",
                    actor_urn="urn:li:person:cto",
                    text=INQUIRY,
                    commented_at=timezone.now(),
                    name="Dana CTO",
                )
            ],
        )

    figures = scrape(scraper)
    # Alice (owner) and Bob (editor) are each alerted by e-mail, within the minute.
    name = "techlead_alert_latency_seconds"
    assert value(figures, f"{name}_count", channel="email") == 2
    assert value(figures, f"{name}_bucket", channel="email", le="60.0") == 2
    assert 0 <= value(figures, f"{name}_sum", channel="email") < 60


def test_scan_lag_is_the_age_of_the_oldest_due_comment_scan(scraper, alice_workspace):
    now = timezone.now()
    for minutes_due, hours_old in ((5, 3), (1, 1), (-10, 1)):  # the last one is not due yet
        Post.objects.create(
            workspace=alice_workspace,
            text=f"Published {hours_old} h ago",
            status=Post.Status.PUBLISHED,
            published_at=now - timedelta(hours=hours_old),
            next_comment_scan_at=now - timedelta(minutes=minutes_due),
        )
    Post.objects.create(  # past the 30 days of scans: never due
        workspace=alice_workspace,
        text="Old",
        status=Post.Status.PUBLISHED,
        published_at=now - timedelta(days=40),
        next_comment_scan_at=now - timedelta(days=9),
    )

    figures = scrape(scraper)
    assert value(figures, "techlead_comment_scans_due") == 2
    assert 300 <= value(figures, "techlead_comment_scan_lag_seconds") < 330


def test_no_scan_due_is_no_lag(scraper):
    assert value(scrape(scraper), "techlead_comment_scan_lag_seconds") == 0


def test_queue_depth_and_age_on_the_filesystem_broker_of_make_run(scraper, settings, tmp_path):
    settings.CELERY_BROKER_URL = "filesystem://localhost/"
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {"data_folder_in": str(tmp_path)}
    now = time.time()
    for n, (queue, age) in enumerate((("publishing", 30), ("publishing", 5), ("scans", 1))):
        message = tmp_path / f"{n}_0000-{n}.{queue}.msg"
        message.write_text("{}")
        os.utime(message, (now - age, now - age))

    figures = scrape(scraper)
    assert value(figures, "techlead_queue_depth", queue="publishing") == 2
    assert value(figures, "techlead_queue_depth", queue="scans") == 1
    assert value(figures, "techlead_queue_depth", queue="mail") == 0
    assert 30 <= value(figures, "techlead_queue_oldest_age_seconds", queue="publishing") < 40
    assert value(figures, "techlead_queue_oldest_age_seconds", queue="mail") == 0


def test_queue_depth_and_age_on_redis(scraper):
    if not settings.CELERY_BROKER_URL.startswith("redis"):
        from conftest import service_required

        service_required("Redis", "the broker is not Redis (set REDIS_URL)")
    from techlead.celery import app

    with app.connection_for_write() as connection:
        connection.default_channel.queue_purge("mail")
    try:
        app.send_task("leads.send_due_digests", queue="mail")
        app.send_task("leads.send_due_digests", queue="mail")
        time.sleep(1.1)
        figures = scrape(scraper)
        assert value(figures, "techlead_queue_depth", queue="mail") == 2
        assert 1 <= value(figures, "techlead_queue_oldest_age_seconds", queue="mail") < 30
    finally:
        with app.connection_for_write() as connection:
            connection.default_channel.queue_purge("mail")


def test_every_grafana_panel_queries_metrics_the_endpoint_exports(scraper):
    scraper.get("/accounts/login/")  # so the request metrics have samples
    exported = {name for name, _labels in scrape(scraper)} | set(metrics.EXPORTED)
    dashboard = json.loads(Path(settings.BASE_DIR, "deploy/grafana/techlead.json").read_text())
    expressions = [target["expr"] for panel in dashboard["panels"] for target in panel["targets"]]

    assert len(expressions) >= 10
    used = set()
    for expression in expressions:
        names = set(re.findall(r"\b(?:techlead|django)_[a-z_]+", expression))
        assert names, expression
        assert names <= exported, (expression, names - exported)
        used |= names
    # Every figure the app exports of its own is on the dashboard (the latency's sum is
    # there only through its quantiles' buckets).
    assert set(metrics.EXPORTED) - used == {"techlead_alert_latency_seconds_sum"}
