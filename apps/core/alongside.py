"""Reads that run beside the request's own, on a second database connection.

A page whose queries do not depend on each other waits for them one after the other while
the database has a core to spare. `alongside(read, workspace_id=...)` starts `read()` on a
thread of this process with a connection of its own (borrowed from the pool and given back
when it is done), the workspace named to the database there as tenancy names it in the
request; the request goes on with its own queries, and the function returned waits for the
read's result (or raises its error). At ten times the size the dashboard's lead figures
(about 15 ms of queries) come while its posts are grouped (about 20 ms).

Only on PostgreSQL and only with CONCURRENT_READS on (the default there). Otherwise `read()`
runs at once, in the caller's thread and connection: SQLite has one writer and little to
gain, and a test's rows sit in a transaction no other connection can see, so the test
settings turn it off and the tests that run it commit their rows.

What runs alongside must only read: it is not in the request's transaction and sees what is
committed, a moment apart from the request's own reads, as any two statements under READ
COMMITTED do. The context goes with it: reads_from_replica, the language, the time zone.
"""

from __future__ import annotations

import contextvars
import os
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from django.conf import settings
from django.db import connections

T = TypeVar("T")

# One request waits for one read at a time; a process serving several requests at once (gunicorn
# threads) gets as many.
_MAX_THREADS = 4

_lock = threading.Lock()
_executor: ThreadPoolExecutor | None = None
_executor_pid: int | None = None


def concurrent_reads(using: str) -> bool:
    """Whether reads on `using` would run alongside (PostgreSQL with CONCURRENT_READS on)."""
    return bool(settings.CONCURRENT_READS) and connections[using].vendor == "postgresql"


def alongside(
    read: Callable[[], T], *, using: str, workspace_id: int, user_id: int | None = None
) -> Callable[[], T]:
    """Start `read()` on its own connection to `using` and return a function that waits for
    its result; `read()` at once where reads do not run alongside (concurrent_reads)."""
    if not concurrent_reads(using):
        result = read()
        return lambda: result
    context = contextvars.copy_context()
    future = _thread_pool().submit(context.run, _run, read, using, workspace_id, user_id)
    return future.result


def _thread_pool() -> ThreadPoolExecutor:
    # Made on first use in each process: threads do not survive a fork, so a pool made
    # before gunicorn forks its workers (preload) would be a dead one in each of them.
    global _executor, _executor_pid
    with _lock:
        if _executor is None or _executor_pid != os.getpid():
            _executor = ThreadPoolExecutor(max_workers=_MAX_THREADS, thread_name_prefix="reads")
            _executor_pid = os.getpid()
        return _executor


def _run(read: Callable[[], T], using: str, workspace_id: int, user_id: int | None) -> T:
    from apps.accounts.tenancy import database_scope, database_workspace_set

    connection = connections[using]
    try:
        with database_scope(using=using):
            database_workspace_set(workspace_id, user_id=user_id, using=using)
            return read()
    finally:
        # Back to the pool: the thread holds no connection between reads, and a broken one
        # is not handed to the next read.
        connection.close()
