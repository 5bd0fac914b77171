"""Child processes for the reliability suite and the publishing benchmark: a LinkedIn sandbox
steered over its HTTP control endpoints (`/_sandbox/...`) and a real Celery worker.

Every child starts in its own session, so stopping one with SIGKILL takes its whole process
group (a prefork worker's pool children included) and nothing outlives the test.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import requests
from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]
REST_HEADERS = {"X-Restli-Protocol-Version": "2.0.0", "LinkedIn-Version": "202603"}
POST_SCOPES = ["openid", "profile", "email", "w_member_social", "r_member_social"]

# A sandbox launched with settings the management command has no option for (the benchmark
# needs more than the default 5,000 calls per member and day).
_SERVE = """
import sys
from apps.linkedin.sandbox import SandboxConfig, serve
host, port, db, limit = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
window = int(sys.argv[5]) if len(sys.argv) > 5 else 48 * 3600
config = SandboxConfig(daily_member_limit=limit, approved=True, duplicate_window_seconds=window)
serve(host, port, db, seed=0, config=config)
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def child_env(**overrides: str) -> dict[str, str]:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "techlead.settings.test", **overrides}
    env.pop("REQUIRE_SERVICES", None)
    # A child is the app, never a staff tool run as the owner (manage.py's DATABASE_AS_OWNER).
    env.pop("DATABASE_AS_OWNER", None)
    return env


def start_group(args: list[str], *, env: dict[str, str], log: Path) -> subprocess.Popen:
    with log.open("ab") as out:
        return subprocess.Popen(
            args,
            cwd=ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def kill_group(process: subprocess.Popen | None, *, sig: int = signal.SIGKILL) -> None:
    """Signal the child's whole process group and reap the child."""
    if process is None:
        return
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, sig)
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(timeout=10)


def log_tail(log: Path, lines: int = 40) -> str:
    if not log.exists():
        return ""
    return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])


# --- The sandbox ---------------------------------------------------------------------------


@dataclass
class SandboxProcess:
    base_url: str
    process: subprocess.Popen
    log: Path
    http: requests.Session = field(default_factory=requests.Session)

    @property
    def api_base(self) -> str:
        return self.base_url

    @property
    def oauth_base(self) -> str:
        return f"{self.base_url}/oauth/v2"

    def control(self, method: str, path: str, body: dict | None = None) -> requests.Response:
        response = self.http.request(
            method, f"{self.base_url}/_sandbox/{path}", json=body, timeout=10
        )
        response.raise_for_status()
        return response

    def status(self) -> dict:
        return self.control("GET", "status").json()

    def issue_token(self, scopes=POST_SCOPES) -> str:
        return self.control("POST", "tokens", {"scopes": list(scopes)}).json()["access_token"]

    def faults(self, **armed: dict) -> None:
        """Arm faults: fail_next=..., delay_next=..., drop_connection_after_create=..."""
        self.control("POST", "faults", armed)

    def clear_faults(self) -> None:
        self.control("DELETE", "faults")

    def posts(self) -> list[dict]:
        """Every live post the sandbox holds, as it records them."""
        return self.control("GET", "posts").json()["elements"]

    def comments(self, urn: str) -> list[dict]:
        """The comments the sandbox holds for one post, as it records them."""
        return self.control("GET", f"posts/{urn}").json()["comments"]


@contextmanager
def sandbox_process(
    directory: Path,
    *,
    daily_member_limit: int | None = None,
    duplicate_window_seconds: int | None = None,
) -> Iterator[SandboxProcess]:
    """A sandbox as its own process on a free loopback port, with its state in `directory`.

    Started with `manage.py linkedin_sandbox`, or, when a daily member limit other than the
    default is needed, by calling `apps.linkedin.sandbox.serve` with that config.
    """
    port = free_port()
    db = directory / "linkedin-sandbox.sqlite3"
    log = directory / "sandbox.log"
    if daily_member_limit is None and duplicate_window_seconds is None:
        args = [sys.executable, "manage.py", "linkedin_sandbox", "--port", str(port)]
        # Reconciliation reads the posts finder: an app LinkedIn approved for r_member_social.
        args += ["--db", str(db), "--approved"]
    else:
        # duplicate_window_seconds=0 turns LinkedIn's duplicate refusal off, so a post sent
        # twice is on LinkedIn twice and the suite sees it, rather than the sandbox hiding it.
        args = [sys.executable, "-c", _SERVE, "127.0.0.1", str(port), str(db)]
        args.append(str(daily_member_limit or 5_000))
        if duplicate_window_seconds is not None:
            args.append(str(duplicate_window_seconds))
    process = start_group(args, env=child_env(), log=log)
    running = SandboxProcess(f"http://127.0.0.1:{port}", process, log)
    try:
        deadline = time.monotonic() + 30
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"The sandbox process exited:\n{log_tail(log)}")
            with contextlib.suppress(requests.RequestException):
                running.status()
                break
            if time.monotonic() > deadline:
                raise RuntimeError(f"The sandbox did not answer within 30 s:\n{log_tail(log)}")
            time.sleep(0.1)
        yield running
    finally:
        running.http.close()
        kill_group(process, sig=signal.SIGTERM)
        kill_group(process)


# --- A Celery worker -----------------------------------------------------------------------


def worker_args(name: str, *, concurrency: int = 2) -> list[str]:
    return [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "techlead",
        "worker",
        "--pool=prefork",
        f"--concurrency={concurrency}",
        "-Q",
        ",".join(settings.TASK_QUEUES),  # every queue, as `make run`'s worker
        "-n",
        f"{name}@%h",
        "--loglevel=WARNING",
        "--without-gossip",
        "--without-mingle",
        "--without-heartbeat",
    ]


def database_url(settings_dict: dict, *, user: str | None = None, password: str = "") -> str:
    """A DATABASE_URL naming the database this test process is connected to, as its own
    user or as `user` (with `password`, if any)."""
    if user is None:
        user = settings_dict.get("USER") or ""
        password = settings_dict.get("PASSWORD") or ""
    credentials = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    host = settings_dict.get("HOST") or "127.0.0.1"
    port = settings_dict.get("PORT") or 5432
    return f"postgres://{credentials}{host}:{port}/{settings_dict['NAME']}"


# Trust authentication (CI's, and a development cluster's on 127.0.0.1) needs no password for
# the app's role; a cluster that asks for one gets this, set on the role by `app_role_login`.
APP_ROLE_PASSWORD_ENV = "TEST_DATABASE_APP_PASSWORD"


def app_role_login(connection) -> str | None:
    """With row-level security on (CI), the app's role may sign in, as production's does
    (`rls_setup` makes it NOLOGIN until DATABASE_URL gives it a password), so that worker and
    beat processes connect as it rather than as the suite's superuser. Returns the role, or
    None when the suite itself runs without row-level security. The role is the cluster's,
    shared by every test database on it: only LOGIN (and the password, if one is set) change."""
    from apps.core import rls
    from conftest import row_level_security_in_tests

    if not row_level_security_in_tests():
        return None
    role = rls.app_role()
    password = os.environ.get(APP_ROLE_PASSWORD_ENV, "")
    quoted = connection.ops.quote_name(role)
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user")
        suite_role = cursor.fetchone()[0]
        cursor.execute("RESET ROLE")  # the suite's login role: a superuser, may alter roles
        try:
            if password:
                cursor.execute(f"ALTER ROLE {quoted} LOGIN PASSWORD %s", [password])
            else:
                cursor.execute(f"ALTER ROLE {quoted} LOGIN")
        finally:
            cursor.execute(f"SET ROLE {connection.ops.quote_name(suite_role)}")
    return role


def database_env(connection, application_name: str) -> dict[str, str]:
    """DATABASE_URL and DATABASE_OWNER_URL for a worker or beat process, as production's env
    file has them (deploy/README.md, "Row-level security"): with row-level security on, the
    process connects as the app's role, which owns no table and is bound by the policies;
    the suite's own URL (the tables' owner) is there only for what manage.py runs as the
    owner. Without row-level security both are the suite's own URL. `application_name`
    marks the process's connections in pg_stat_activity (see `connected_roles`)."""
    owner = database_url(connection.settings_dict)
    role = app_role_login(connection)
    app = (
        database_url(
            connection.settings_dict, user=role, password=os.environ.get(APP_ROLE_PASSWORD_ENV, "")
        )
        if role
        else owner
    )
    return {
        "DATABASE_URL": f"{app}?application_name={application_name}",
        "DATABASE_OWNER_URL": owner,
    }


def expected_role(connection) -> str:
    """The login role the children's connections should show: the app's with row-level
    security on, otherwise the suite's own user."""
    from apps.core import rls
    from conftest import row_level_security_in_tests

    if row_level_security_in_tests():
        return rls.app_role()
    return connection.settings_dict.get("USER") or ""


def connected_roles(connection, application_name: str) -> set[str]:
    """The login roles (pg_stat_activity's usename: who signed in, whatever SET ROLE did
    since) of the connections a child process holds to this database right now."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT DISTINCT usename FROM pg_stat_activity "
            "WHERE datname = current_database() AND application_name = %s",
            [application_name],
        )
        return {row[0] for row in cursor.fetchall()}


def purge(broker) -> None:
    """Empty the test broker: the queue, and messages a killed worker left unacknowledged
    (they would come back after the visibility timeout, long after this test)."""
    from techlead.celery import app

    app.control.purge()
    broker.delete("unacked", "unacked_index", "unacked_mutex")


# --- Outages: a Redis of the test's own, and a database connection it can cut ---------------


@dataclass
class RedisServer:
    """A redis-server of this test's own on a free port, without persistence: killing it
    loses every queued and unacknowledged message, as a Redis restarted without its disk
    would. `kill()` and `start()` again on the same port."""

    directory: Path
    port: int = field(default_factory=free_port)
    process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        args = ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1"]
        args += ["--save", "", "--appendonly", "no", "--dir", str(self.directory)]
        self.process = start_group(args, env=dict(os.environ), log=self.directory / "redis.log")
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with (
                contextlib.suppress(OSError),
                socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as probe,
            ):
                probe.sendall(b"PING\r\n")
                if probe.recv(16).startswith(b"+PONG"):
                    return
            time.sleep(0.05)
        raise RuntimeError(f"redis-server did not start:\n{log_tail(self.directory / 'redis.log')}")

    def kill(self) -> None:
        kill_group(self.process)
        self.process = None


@contextmanager
def redis_server(directory: Path) -> Iterator[RedisServer]:
    import shutil

    if shutil.which("redis-server") is None:
        from conftest import service_required

        service_required("redis-server", "the outage test starts a Redis of its own to kill")
    server = RedisServer(directory)
    server.start()
    try:
        yield server
    finally:
        server.kill()


class DatabaseProxy:
    """A TCP proxy between the worker and PostgreSQL that the test can cut: `cut()` closes
    every connection through it and refuses new ones until `restore()`, as a network
    partition or a database restart would look from the worker."""

    def __init__(self, target_host: str, target_port: int):
        import threading

        self.target = (target_host, target_port)
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.open = threading.Event()
        self.open.set()
        self.lock = threading.Lock()
        self.sockets: set[socket.socket] = set()
        self.cuts = 0
        self.closed = False
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        import threading

        while not self.closed:
            try:
                client, _address = self.listener.accept()
            except OSError:
                return
            if not self.open.is_set():
                client.close()  # refused while cut: the worker sees its connect fail
                continue
            try:
                server = socket.create_connection(self.target, timeout=5)
            except OSError:
                client.close()
                continue
            server.settimeout(None)
            with self.lock:
                self.sockets |= {client, server}
            for source, sink in ((client, server), (server, client)):
                threading.Thread(target=self._pump, args=(source, sink), daemon=True).start()

    def _pump(self, source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            self._close(source, sink)

    def _close(self, *pair: socket.socket) -> None:
        with self.lock:
            for sock in pair:
                self.sockets.discard(sock)
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
                sock.close()

    def cut(self) -> None:
        self.open.clear()
        self.cuts += 1
        with self.lock:
            held = list(self.sockets)
        self._close(*held)

    def restore(self) -> None:
        self.open.set()

    def close(self) -> None:
        self.closed = True
        self.listener.close()
        self.cut()


# A Celery beat process with the dispatchers and sweeps every second or two instead of every
# minute, so a run of a minute or two sees many rounds. Celery's own beat (PersistentScheduler
# with a file of its own), sending through the broker like the real one.
_BEAT = """
import sys
import django
django.setup()
from techlead.celery import app
app.conf.beat_schedule = {
    "dispatch-due-posts": {"task": "content.dispatch_due_posts", "schedule": 1.0},
    "reap-stuck-posts": {"task": "content.reap_stuck_posts", "schedule": 2.0},
    "sweep-outbox": {"task": "notifications.sweep_outbox", "schedule": 2.0},
    "sweep-first-comments": {"task": "content.sweep_first_comments", "schedule": 2.0},
}
app.Beat(
    scheduler="celery.beat:PersistentScheduler", schedule=sys.argv[1], max_interval=0.5,
    loglevel="WARNING",
).run()
"""


def beat_args(schedule_file: Path) -> list[str]:
    return [sys.executable, "-c", _BEAT, str(schedule_file)]
