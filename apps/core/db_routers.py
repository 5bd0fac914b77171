"""Reads from the replica only where we say so.

With DATABASE_REPLICA_URL set, settings define a "replica" alias and REPLICA_DATABASE names
it. Code that can live with data a moment old (the dashboard, the CSV exports) runs under
`reads_from_replica`; every other read, and every write, stays on "default". Without a
replica, `reads_from_replica` changes nothing.

A replica lags: never write something and read it back inside `reads_from_replica`.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings
from django.http import StreamingHttpResponse

_replica_reads: ContextVar[bool] = ContextVar("replica_reads", default=False)


def replica_alias() -> str | None:
    """The alias reads go to under `reads_from_replica`, or None without a replica."""
    return getattr(settings, "REPLICA_DATABASE", None)


class ReplicaRouter:
    def db_for_read(self, model, **hints):
        if _replica_reads.get():
            return replica_alias()
        return None  # Django's default: "default", or the instance's own database

    def db_for_write(self, model, **hints):
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        # A row read from the replica is the same row as on default.
        replica = replica_alias()
        if replica and {obj1._state.db, obj2._state.db} <= {"default", replica}:
            return True
        return None

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        # The replica gets its schema from default, through replication.
        if db == replica_alias():
            return False
        return None


@contextmanager
def _replica_context() -> Iterator[None]:
    token = _replica_reads.set(True)
    try:
        yield
    finally:
        _replica_reads.reset(token)


def _stream_under_replica(chunks: Iterable) -> Iterator:
    # A streamed response runs its queries after the view has returned: each chunk is made
    # under the replica, and the flag never leaks past a yield.
    iterator = iter(chunks)
    while True:
        with _replica_context():
            try:
                chunk = next(iterator)
            except StopIteration:
                return
        yield chunk


class _ReadsFromReplica:
    """`with reads_from_replica():` or `@reads_from_replica` on a view."""

    def __enter__(self):
        self._token = _replica_reads.set(True)
        return self

    def __exit__(self, *exc_info):
        _replica_reads.reset(self._token)
        return False

    def __call__(self, view):
        @functools.wraps(view)
        def wrapped(*args, **kwargs):
            with _replica_context():
                response = view(*args, **kwargs)
            if isinstance(response, StreamingHttpResponse):
                response.streaming_content = _stream_under_replica(response.streaming_content)
            return response

        return wrapped


def reads_from_replica(view=None):
    """Send this block's or this view's reads to the replica (when there is one).

    As a decorator it also covers a StreamingHttpResponse's rows, which are read after the
    view returns. Put it under `@workspace_view`, so the membership check reads from default.
    """
    if view is not None:
        return _ReadsFromReplica()(view)
    return _ReadsFromReplica()
