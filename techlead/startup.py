"""Checks a long-running process makes once when it starts (web, Celery worker and beat)."""


def check_database_role(process: str, *, close_pool: bool = False) -> list[str]:
    """An error in the log when the process's database connection is not bound by
    row-level security (apps/core/rls.py). The connection goes back afterwards; with
    `close_pool`, the pool too, for a process that forks children after this (Celery's
    prefork worker), so that no child inherits a pool's sockets."""
    from django.db import connection

    from apps.core import rls

    try:
        return rls.log_role_problems(process)
    finally:
        connection.close()
        if close_pool and getattr(connection, "pool", None) is not None:
            connection.close_pool()
