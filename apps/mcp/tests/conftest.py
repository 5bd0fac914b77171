"""A database the stdio server (a subprocess) can open."""

import sqlite3

import pytest
from django.db import connection


@pytest.fixture
def stdio_database(transactional_db, tmp_path):
    """A database a subprocess can open, holding what the test wrote so far. Call it after
    writing: on SQLite it is a copy (the test's database lives in this process's memory)."""

    def snapshot() -> str:
        if connection.vendor != "sqlite":
            return connection.settings_dict["NAME"]
        path = tmp_path / "mcp.sqlite3"
        path.unlink(missing_ok=True)
        connection.ensure_connection()
        target = sqlite3.connect(path)
        connection.connection.backup(target)
        target.close()
        return str(path)

    return snapshot
