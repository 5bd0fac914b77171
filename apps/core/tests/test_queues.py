"""Work is routed to separate queues, so a flood of one kind never delays another: a post
due now is not queued behind comment scans. A real worker on the configured broker (Redis in
CI, kombu's in-memory transport on a bare machine); nothing here runs in eager mode."""

import time

import pytest
from celery import signals
from celery.contrib.testing.worker import start_worker
from django.conf import settings

from apps.content.tasks import dispatch_due_posts, publish_post
from apps.leads.tasks import scan_post_comments
from techlead.celery import app

SCANS = 1_000


def queue_of(task_name: str) -> str:
    return app.amqp.router.route({}, task_name)["queue"].name


def test_every_task_goes_to_one_of_the_queues_the_workers_serve():
    app.loader.import_default_modules()
    names = [name for name in app.tasks if not name.startswith("celery.")]
    assert len(names) > 15
    assert {
        name: queue_of(name) for name in names if queue_of(name) not in settings.TASK_QUEUES
    } == {}


@pytest.mark.parametrize(
    ("task_name", "queue"),
    [
        ("content.dispatch_due_posts", "publishing"),
        ("content.publish_post", "publishing"),
        ("content.reconcile_post", "publishing"),
        ("linkedin.refresh_token", "publishing"),
        ("leads.dispatch_comment_scans", "scans"),
        ("leads.scan_post_comments", "scans"),
        ("notifications.deliver", "alerts"),
        ("analytics.collect_workspace_metrics", "metrics"),
        ("leads.send_due_digests", "mail"),
        ("core.record_heartbeat", "celery"),
    ],
)
def test_each_kind_of_work_has_its_own_queue(task_name, queue):
    assert queue_of(task_name) == queue


def test_the_embedded_worker_of_make_run_serves_every_queue():
    from pathlib import Path

    source = Path(settings.BASE_DIR, "apps/core/management/commands/run_demo.py").read_text()
    assert "--queues={','.join(settings.TASK_QUEUES)}" in source
    expected = {"publishing", "scans", "alerts", "metrics", "mail", "celery"}
    assert set(settings.TASK_QUEUES) >= expected


@pytest.fixture
def purge_queues():
    """Leave no message behind on a shared broker (Redis keeps them between runs), and leave
    the app consuming from its default queues again (a worker's `queues` narrows them for
    the whole app, and the next test's worker would serve only those)."""
    consume_from = app.amqp.queues._consume_from
    yield
    app.amqp.queues._consume_from = consume_from
    with app.connection_for_write() as connection:
        for queue in settings.TASK_QUEUES:
            connection.default_channel.queue_purge(queue)


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("task_name", "queue"),
    [("content.publish_post", "publishing"), ("notifications.deliver", "alerts")],
    ids=["a due post", "a lead alert"],
)
def test_a_flood_of_comment_scans_delays_neither_a_due_post_nor_an_alert(
    purge_queues, task_name, queue
):
    """A thousand scans are queued before the task; the worker of its own queue starts it
    within seconds (a post's minute and an alert's 60 s have room) and runs no scan."""
    for n in range(SCANS):
        scan_post_comments.delay(10**9 + n, 10**9 + n)
    started: list[tuple[str, float]] = []

    def record(sender=None, **_kwargs):
        started.append((sender.name, time.monotonic()))

    signals.task_prerun.connect(record, weak=False)
    try:
        with start_worker(
            app, pool="solo", queues=[queue], perform_ping_check=False, shutdown_timeout=10
        ):
            queued_at = time.monotonic()
            # A post or a delivery gone meanwhile: the task returns at once.
            app.tasks[task_name].delay(10**9, 10**9)
            deadline = queued_at + 30
            while time.monotonic() < deadline and not started:
                time.sleep(0.05)
    finally:
        signals.task_prerun.disconnect(record)
    assert started, f"{task_name} never started"
    name, at = started[0]
    assert name == task_name
    assert at - queued_at < 60
    assert all(task != scan_post_comments.name for task, _at in started)
    with app.connection_for_write() as connection:
        waiting = connection.default_channel.queue_declare("scans", passive=True).message_count
    assert waiting == SCANS  # still there for the scans' own workers


def test_the_dispatchers_are_routed_beside_what_they_dispatch():
    assert queue_of(dispatch_due_posts.name) == queue_of(publish_post.name)
    assert queue_of("leads.dispatch_comment_scans") == queue_of(scan_post_comments.name)
