"""Celery, configured from Django settings (CELERY_*), tasks autodiscovered from every app."""

import os
import time

from celery import Celery, signals

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "techlead.settings.dev")

app = Celery("techlead")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@signals.task_prerun.connect
def _task_database_scope_enter(**kwargs):
    # Row-level security: each task starts with no workspace named (apps/accounts/tenancy.py).
    from apps.accounts.tenancy import task_scope_enter

    task_scope_enter(**kwargs)


@signals.task_postrun.connect
def _task_database_scope_exit(**kwargs):
    from apps.accounts.tenancy import task_scope_exit

    task_scope_exit(**kwargs)


@signals.worker_ready.connect
def _check_database_role_at_worker_start(sender=None, **kwargs):
    # In the main process, which forks pool children again later (after a crash, or
    # max-tasks-per-child): its pool goes too, so that no child inherits it.
    from techlead.startup import check_database_role

    check_database_role("celery worker", close_pool=True)


@signals.beat_init.connect
def _check_database_role_at_beat_start(sender=None, **kwargs):
    from techlead.startup import check_database_role

    check_database_role("celery beat")


@app.on_after_finalize.connect
def _make_broker_folders(sender, **kwargs):
    # The filesystem transport expects its folders to exist before the first message.
    from django.conf import settings

    for key in ("data_folder_in", "data_folder_out", "processed_folder", "control_folder"):
        folder = settings.CELERY_BROKER_TRANSPORT_OPTIONS.get(key)
        if folder:
            os.makedirs(folder, exist_ok=True)


@signals.before_task_publish.connect
def _stamp_published_at(sender=None, headers=None, **kwargs):
    # When the message was queued, for the age of the oldest message per queue on /metrics
    # (apps/core/metrics.py reads it from the broker's list).
    if headers is not None:
        headers.setdefault("published_at", time.time())
