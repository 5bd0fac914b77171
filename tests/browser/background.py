"""A real Celery worker and beat inside the test process, beside pytest-django's live server.

Both run in threads on the configured broker: Redis in CI, kombu's in-memory transport on a
bare machine (the same choice as apps/core/tests/test_worker.py). Beat is django-celery-beat's
DatabaseScheduler with the project's own schedule; the few dispatchers a journey waits for
tick every couple of seconds instead of every minute or five.

On SQLite the test database is one shared in-memory database, and there a connection that
writes locks whole tables: another connection fails at once ("database table is locked")
instead of waiting. So on SQLite the live server's requests, the worker's tasks, beat's ticks
and the test's own queries take turns (`db_turn`); a task that waits on the network between
short transactions (drafting) takes a turn per transaction. PostgreSQL needs none of that.
"""

import contextlib
import threading
import time
from collections.abc import Callable, Iterator

from celery import signals
from celery.beat import EmbeddedService
from celery.contrib.testing.worker import start_worker
from django.conf import settings
from django.core.signals import request_finished, request_started
from django.db import connection, connections
from django_celery_beat.schedulers import DatabaseScheduler

from apps.content import drafting
from techlead.celery import app

# The dispatchers a consultant's first week waits for, and how often beat runs them here.
FAST_ENTRIES = (
    "content-dispatch-due-posts",
    "leads-dispatch-comment-scans",
    "analytics-dispatch-snapshots",
    "scheduler-heartbeat",
)
FAST_SECONDS = 2.0

_turn = threading.RLock()


def _takes_turns() -> bool:
    return connection.vendor == "sqlite"


@contextlib.contextmanager
def db_turn() -> Iterator[None]:
    """Hold the database alone for a moment (on SQLite; a no-op elsewhere)."""
    if not _takes_turns():
        yield
        return
    with _turn:
        yield


def _take_turn(**kwargs):
    _turn.acquire()


def _give_turn(**kwargs):
    # request_finished also fires for requests that never started here (a test Client in
    # another thread); release only what this thread holds.
    with contextlib.suppress(RuntimeError):
        _turn.release()


# Tasks that take their turns block by block instead of for their whole run: drafting waits
# on the model for seconds between short transactions, and the page showing its progress
# must be answered meanwhile. Their transactions (drafting.workspace_atomic) take the turn.
TURNS_PER_BLOCK = ("content.write_drafts",)


def _take_task_turn(sender=None, **kwargs):
    if getattr(sender, "name", None) not in TURNS_PER_BLOCK:
        _take_turn()


def _give_task_turn(sender=None, **kwargs):
    if getattr(sender, "name", None) not in TURNS_PER_BLOCK:
        _give_turn()


def _turn_per_block(atomic):
    @contextlib.contextmanager
    def in_turn(*args, **kwargs):
        with db_turn(), atomic(*args, **kwargs):
            yield

    return in_turn


class TurnTakingScheduler(DatabaseScheduler):
    """django-celery-beat's scheduler, reading and writing its tables in turn."""

    def __init__(self, *args, **kwargs):
        with db_turn():
            super().__init__(*args, **kwargs)

    def tick(self, *args, **kwargs):
        with db_turn():
            return super().tick(*args, **kwargs)

    def close(self):
        try:
            super().close()
        finally:
            # Beat's thread holds its own connection; left open, the test database could not
            # be dropped cleanly at the end of the run.
            connections.close_all()


def close_thread_connections(**kwargs):
    """After each task in a test worker thread: that thread's database connections."""
    connections.close_all()


@contextlib.contextmanager
def worker_and_beat() -> Iterator[None]:
    """Start a worker and beat; stop both (worker last, so beat's last sends are consumed)."""
    if settings.REDIS_URL:
        import redis

        try:
            redis.Redis.from_url(settings.CELERY_BROKER_URL, socket_timeout=2).ping()
        except redis.exceptions.ConnectionError as exc:
            from conftest import service_required

            service_required("Redis", str(exc))
        _purge_broker()

    schedule = dict(settings.CELERY_BEAT_SCHEDULE)
    for name in FAST_ENTRIES:
        schedule[name] = {**schedule[name], "schedule": FAST_SECONDS}
    saved_schedule = app.conf.beat_schedule
    app.conf.beat_schedule = schedule

    turn_signals = [(signals.task_postrun, close_thread_connections)]
    drafting_atomic = drafting.workspace_atomic
    if _takes_turns():
        turn_signals += [
            (request_started, _take_turn),
            (request_finished, _give_turn),
            (signals.task_prerun, _take_task_turn),
            (signals.task_postrun, _give_task_turn),
        ]
        for signal, receiver in turn_signals:
            signal.connect(receiver, weak=False)
        drafting.workspace_atomic = _turn_per_block(drafting_atomic)
    beat = EmbeddedService(app, thread=True, scheduler_cls=TurnTakingScheduler)
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=20):
            beat.start()
            try:
                yield
            finally:
                beat.stop()
                beat.join(10)
    finally:
        for signal, receiver in turn_signals:
            signal.disconnect(receiver)
        drafting.workspace_atomic = drafting_atomic
        app.conf.beat_schedule = saved_schedule


def _purge_broker() -> None:
    with app.connection_for_write() as conn:
        conn.default_channel.queue_purge(app.conf.task_default_queue)


def wait_until(
    condition: Callable[[], object], *, timeout: float = 30.0, what: str = "the condition"
):
    """Poll `condition` (taking a database turn each time) until it returns something truthy."""
    deadline = time.monotonic() + timeout
    while True:
        with db_turn():
            result = condition()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"waited {timeout:.0f} s for {what}")
        time.sleep(0.2)
