"""Cursors whose statements PostgreSQL prepares once per connection.

Django binds values on the client and never prepares (psycopg's `prepare_threshold` None):
every statement is sent as one SQL text with its values quoted in, which PostgreSQL parses,
analyses and plans anew. For a hot statement that runs thousands of times with the same text
(ingestion's batch inserts, whose rows travel as one JSON parameter whatever the batch's
size, see apps/core/bulk.py; the publish step's three statements) that is most of the
server's work and much of this process': quoting the values costs more than sending them.

`statement_cursor(db)` gives, on PostgreSQL, a cursor that binds the values on the server and
has psycopg prepare each statement on the connection (a protocol-level prepared statement,
once per SQL text and connection, kept in psycopg's per-connection cache); elsewhere the
usual cursor. Django's wrapper is kept either way: query logging, execute wrappers and error
translation see these statements as any other.

A pooler between the app and PostgreSQL must keep protocol-level prepared statements apart
per server connection: PgBouncer in transaction mode does so from 1.21 on with
`max_prepared_statements` set (deploy/README.md). Django's own pool, which this app uses,
holds each connection in one process.

On the server's side the values are typed as psycopg dumps them: a SQL text that puts a
value where PostgreSQL cannot tell its type casts it (`%s::jsonb`, as bulk.py's batches do).
"""

from __future__ import annotations

import functools

# Django sets psycopg's prepare_threshold to None, with which psycopg prepares nothing even
# when asked to. Only cursors that bind on the server ever prepare (Django's own bind on the
# client), so a threshold no statement reaches turns preparing on for these cursors alone.
PREPARE_ONLY_WHEN_ASKED = 2**31 - 1


def statement_cursor(db):
    """A cursor (a context manager, as db.cursor()) for statements worth preparing: on
    PostgreSQL each statement it runs is prepared on the connection the first time its text
    (and its values' types) is seen and executed by name after; elsewhere db.cursor()."""
    if db.vendor != "postgresql":
        return db.cursor()
    db.ensure_connection()
    raw = db.connection
    if raw.prepare_threshold is None:
        raw.prepare_threshold = PREPARE_ONLY_WHEN_ASKED
    factory = raw.cursor_factory
    raw.cursor_factory = _preparing_cursor_class()
    try:
        return db.cursor()
    finally:
        raw.cursor_factory = factory


@functools.cache
def _preparing_cursor_class() -> type:
    """Django's psycopg cursor with server-side binding, every statement it runs prepared."""
    from django.db.backends.postgresql.base import ServerBindingCursor

    class PreparingCursor(ServerBindingCursor):
        def execute(self, query, params=None, *, prepare=None, binary=None):
            return super().execute(query, params, prepare=True, binary=binary)

        def _send_query_prepared(self, name, pgq, *, binary=None):
            # psycopg records the statement it sent only when it sends its text; Django's
            # query log (DEBUG, tests' query counts) reads that record, so keep it for a
            # prepared one too (its SQL with $1, $2... where the values go).
            super()._send_query_prepared(name, pgq, binary=binary)
            self._query = pgq

    return PreparingCursor
