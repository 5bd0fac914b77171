"""The sandbox's memory: authorization codes, tokens, consents, posts, comments, call counts.

Plain `sqlite3`, one connection shared by the server's threads behind a re-entrant lock, so
the sandbox runs the same in-process (`":memory:"`, fresh per test) and as its own process
with a file that survives restarts. The sandbox holds `lock` around each whole request so a
check-then-write (duplicate detection, daily limits) cannot interleave with another request.
"""

import json
import sqlite3
import threading
from pathlib import Path

SCHEMA = """
CREATE TABLE IF NOT EXISTS codes (
    code TEXT PRIMARY KEY, client_id TEXT, redirect_uri TEXT, member_sub TEXT, scopes TEXT,
    created_at REAL, used INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS tokens (
    token TEXT PRIMARY KEY, kind TEXT, client_id TEXT, member_sub TEXT, scopes TEXT,
    authorized_at REAL, created_at REAL, expires_at REAL, active_after REAL,
    revoked INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS consents (
    client_id TEXT, member_sub TEXT, scopes TEXT, PRIMARY KEY (client_id, member_sub)
);
CREATE TABLE IF NOT EXISTS posts (
    urn TEXT PRIMARY KEY, activity_urn TEXT UNIQUE, author TEXT, client_id TEXT,
    raw_commentary TEXT, commentary TEXT, visibility TEXT, lifecycle_state TEXT, body TEXT,
    created_at REAL, deleted_at REAL
);
CREATE INDEX IF NOT EXISTS posts_by_author ON posts (author, created_at);
-- LinkedIn refuses a post whose text the author published recently (DUPLICATE_POST): the
-- look for one goes by author and text, not through every post of the author's in the window,
-- which made each create slower as the sandbox filled up.
CREATE INDEX IF NOT EXISTS posts_by_author_text ON posts (author, commentary, created_at);
CREATE TABLE IF NOT EXISTS comments (
    urn TEXT PRIMARY KEY, id TEXT, post_urn TEXT, actor TEXT, text TEXT, created_at REAL,
    kind TEXT, audience_index INTEGER, parent_urn TEXT
);
CREATE INDEX IF NOT EXISTS comments_by_post ON comments (post_urn, created_at);
CREATE TABLE IF NOT EXISTS usage (
    day TEXT, counter TEXT, calls INTEGER NOT NULL, PRIMARY KEY (day, counter)
);
CREATE TABLE IF NOT EXISTS counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS media (
    urn TEXT PRIMARY KEY, kind TEXT, owner TEXT, upload_token TEXT UNIQUE, status TEXT,
    upload_expires_at REAL, created_at REAL, size INTEGER, content_type TEXT, pages INTEGER
);
"""


class SandboxState:
    def __init__(self, db_path: str | Path = ":memory:") -> None:
        if str(db_path) != ":memory:":
            Path(db_path).parent.mkdir(parents=True, exist_ok=True)
        self.lock = threading.RLock()
        self._db = sqlite3.connect(str(db_path), check_same_thread=False, isolation_level=None)
        self._db.row_factory = sqlite3.Row
        self._db.executescript(SCHEMA)
        # A sandbox file from before replies were stored gains the column.
        columns = {row["name"] for row in self._db.execute("PRAGMA table_info(comments)")}
        if "parent_urn" not in columns:
            self._db.execute("ALTER TABLE comments ADD COLUMN parent_urn TEXT")

    def close(self) -> None:
        with self.lock:
            self._db.close()

    def _one(self, sql: str, *params) -> dict | None:
        with self.lock:
            row = self._db.execute(sql, params).fetchone()
        return dict(row) if row else None

    def _all(self, sql: str, *params) -> list[dict]:
        with self.lock:
            return [dict(row) for row in self._db.execute(sql, params).fetchall()]

    def _run(self, sql: str, *params) -> int:
        with self.lock:
            return self._db.execute(sql, params).rowcount

    def _insert(self, table: str, fields: dict, *, or_ignore: bool = False) -> None:
        # Table and column names come from this module, never from a request.
        verb = "INSERT OR IGNORE" if or_ignore else "INSERT"
        columns = ", ".join(fields)
        placeholders = ", ".join("?" for _ in fields)
        sql = f"{verb} INTO {table} ({columns}) VALUES ({placeholders})"
        self._run(sql, *fields.values())

    def next_number(self, name: str) -> int:
        with self.lock:
            self._run(
                "INSERT INTO counters (name, value) VALUES (?, 1) "
                "ON CONFLICT (name) DO UPDATE SET value = value + 1",
                name,
            )
            return self._one("SELECT value FROM counters WHERE name = ?", name)["value"]

    # OAuth

    def save_code(self, **fields) -> None:
        fields["scopes"] = " ".join(fields["scopes"])
        self._insert("codes", fields)

    def take_code(self, code: str) -> dict | None:
        """The code's row as it was before this call; marks the code used."""
        with self.lock:
            row = self._one("SELECT * FROM codes WHERE code = ?", code)
            self._run("UPDATE codes SET used = 1 WHERE code = ?", code)
        return row

    def save_token(self, **fields) -> None:
        fields["scopes"] = " ".join(fields["scopes"])
        self._insert("tokens", fields)

    def token(self, token: str) -> dict | None:
        return self._one("SELECT * FROM tokens WHERE token = ?", token)

    def revoke_token(self, token: str) -> None:
        self._run("UPDATE tokens SET revoked = 1 WHERE token = ?", token)

    def expire_token(self, token: str, at: float) -> None:
        self._run("UPDATE tokens SET expires_at = ? WHERE token = ?", at, token)

    def consented_scopes(self, client_id: str, member_sub: str) -> set[str]:
        row = self._one(
            "SELECT scopes FROM consents WHERE client_id = ? AND member_sub = ?",
            client_id,
            member_sub,
        )
        return set(row["scopes"].split()) if row else set()

    def save_consent(self, client_id: str, member_sub: str, scopes) -> None:
        self._run(
            "INSERT OR REPLACE INTO consents (client_id, member_sub, scopes) VALUES (?, ?, ?)",
            client_id,
            member_sub,
            " ".join(sorted(scopes)),
        )

    # Posts

    def insert_post(self, **fields) -> None:
        fields["body"] = json.dumps(fields["body"])
        self._insert("posts", fields)

    def post(self, urn: str) -> dict | None:
        """The post by share/ugcPost URN or activity URN, deleted or not."""
        return self._one("SELECT * FROM posts WHERE urn = ? OR activity_urn = ?", urn, urn)

    def posts_by_author(self, author: str) -> list[dict]:
        return self._all(
            "SELECT * FROM posts WHERE author = ? AND deleted_at IS NULL "
            "ORDER BY created_at DESC, rowid DESC",
            author,
        )

    def published_posts(self) -> list[dict]:
        return self._all(
            "SELECT * FROM posts WHERE deleted_at IS NULL AND lifecycle_state = 'PUBLISHED' "
            "ORDER BY created_at"
        )

    def earlier_post_with_same_text(self, author: str, commentary: str, *, since: float):
        """Deleted posts count too: LinkedIn keeps naming them in DUPLICATE_POST errors."""
        return self._one(
            "SELECT * FROM posts WHERE author = ? AND commentary = ? AND created_at >= ? "
            "ORDER BY created_at DESC LIMIT 1",
            author,
            commentary,
            since,
        )

    def delete_post(self, urn: str, at: float) -> None:
        self._run("UPDATE posts SET deleted_at = ? WHERE urn = ?", at, urn)

    # Comments

    def insert_comment(self, **fields) -> None:
        """Inserting the same comment twice is a no-op: audience comments have fixed URNs."""
        self._insert("comments", fields, or_ignore=True)

    def comments(self, post_urn: str, *, start: int = 0, count: int = -1) -> list[dict]:
        """Every comment on the post, top-level and replies, oldest first."""
        return self._all(
            "SELECT * FROM comments WHERE post_urn = ? ORDER BY created_at, rowid LIMIT ? OFFSET ?",
            post_urn,
            count,
            start,
        )

    def thread(self, post_urn: str, parent_urn: str | None, *, start=0, count=-1) -> list[dict]:
        """Top-level comments (`parent_urn` None) or the replies under one comment."""
        return self._all(
            "SELECT * FROM comments WHERE post_urn = ? AND COALESCE(parent_urn, '') = ? "
            "ORDER BY created_at, rowid LIMIT ? OFFSET ?",
            post_urn,
            parent_urn or "",
            count,
            start,
        )

    def thread_count(self, post_urn: str, parent_urn: str | None) -> int:
        row = self._one(
            "SELECT COUNT(*) AS n FROM comments WHERE post_urn = ? "
            "AND COALESCE(parent_urn, '') = ?",
            post_urn,
            parent_urn or "",
        )
        return row["n"]

    def comment(self, urn: str) -> dict | None:
        return self._one("SELECT * FROM comments WHERE urn = ?", urn)

    def comment_count(self, post_urn: str) -> int:
        row = self._one("SELECT COUNT(*) AS n FROM comments WHERE post_urn = ?", post_urn)
        return row["n"]

    # Daily limits

    def count_call(self, day: str, counter: str) -> int:
        with self.lock:
            self._run(
                "INSERT INTO usage (day, counter, calls) VALUES (?, ?, 1) "
                "ON CONFLICT (day, counter) DO UPDATE SET calls = calls + 1",
                day,
                counter,
            )
            return self.calls(day, counter)

    def calls(self, day: str, counter: str) -> int:
        row = self._one("SELECT calls FROM usage WHERE day = ? AND counter = ?", day, counter)
        return row["calls"] if row else 0

    # Images and documents (media.py)

    def insert_media(self, **fields) -> None:
        self._insert("media", fields)

    def media(self, urn: str) -> dict | None:
        return self._one("SELECT * FROM media WHERE urn = ?", urn)

    def media_by_upload_token(self, upload_token: str) -> dict | None:
        return self._one("SELECT * FROM media WHERE upload_token = ?", upload_token)

    def update_media(self, urn: str, **fields) -> None:
        # Column names come from media.py, never from a request.
        assignments = ", ".join(f"{name} = ?" for name in fields)
        self._run(f"UPDATE media SET {assignments} WHERE urn = ?", *fields.values(), urn)  # noqa: S608

    def media_count(self, kind: str | None = None) -> int:
        if kind is None:
            return self._one("SELECT COUNT(*) AS n FROM media")["n"]
        return self._one("SELECT COUNT(*) AS n FROM media WHERE kind = ?", kind)["n"]
