"""deploy/: gunicorn serves the app with production settings, and production settings guard
themselves. Docker does not run here, so this is the part of deploy/ that can be run.

Everything runs in subprocesses with an environment built from scratch for production
settings, so nothing leaks in from the test settings of this process.
"""

import gzip
import http.server
import json
import os
import re
import runpy
import secrets
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from conftest import service_required

ROOT = Path(__file__).resolve().parent.parent
GUNICORN_CONF = ROOT / "deploy" / "gunicorn.conf.py"
REQUIRED = ("SECRET_KEY", "ALLOWED_HOSTS", "FIELD_ENCRYPTION_KEYS", "DATABASE_URL", "REDIS_URL")
HEALTHZ_TOKEN = secrets.token_urlsafe(24)

# Variables our settings or gunicorn.conf.py read: dropped from the inherited environment so
# that a developer's shell cannot change what is tested.
OURS = re.compile(
    r"^(DJANGO_.*|SECRET_KEY|ALLOWED_HOSTS|CSRF_TRUSTED_ORIGINS|SITE_URL|DEBUG|DATABASE_.*|"
    r"REDIS_URL|TEST_REDIS_URL|FIELD_ENCRYPTION_KEYS|EMAIL_URL|DEFAULT_FROM_EMAIL|STATIC_ROOT|"
    r"SECURE_.*|LINKEDIN_.*|LOG_LEVEL|HEARTBEAT_.*|ACCOUNT_.*|PORT|WEB_CONCURRENCY|"
    r"GUNICORN_.*|FORWARDED_ALLOW_IPS|LOG_FORMAT|SENTRY_.*|HEALTHZ_TOKEN)$"
)


def prod_env(tmp_path: Path, **overrides: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not OURS.match(key)}
    env.update(
        DJANGO_SETTINGS_MODULE="techlead.settings.prod",
        SECRET_KEY=secrets.token_urlsafe(64),
        ALLOWED_HOSTS="127.0.0.1",
        FIELD_ENCRYPTION_KEYS=Fernet.generate_key().decode(),
        DATABASE_URL=f"sqlite:///{tmp_path / 'prod.sqlite3'}",  # four slashes: absolute
        REDIS_URL="redis://127.0.0.1:6379/15",
        LINKEDIN_CLIENT_ID="deploy-test-client",
        LINKEDIN_CLIENT_SECRET=secrets.token_urlsafe(24),
        HEALTHZ_TOKEN=HEALTHZ_TOKEN,
        STATIC_ROOT=str(tmp_path / "staticfiles"),
        LOG_LEVEL="WARNING",
        PYTHONUNBUFFERED="1",
    )
    env.update(overrides)
    return env


def manage(env: dict[str, str], *args: str, timeout: float = 60) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def get(url: str, **headers: str) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, headers=headers)  # noqa: S310 - our own server
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def wait_until_listening(port: int, process: subprocess.Popen, log: Path, limit: float) -> None:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"gunicorn exited with {process.returncode}:\n{log.read_text()}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.2)
    pytest.fail(f"gunicorn did not listen on {port} within {limit:.0f}s:\n{log.read_text()}")


def redis_answers() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def test_gunicorn_serves_the_app_and_static_files_with_production_settings(tmp_path):
    # LOG_LEVEL INFO: gunicorn's own lines must be JSON too, not only the access log.
    env = prod_env(tmp_path, SECURE_SSL_REDIRECT="False", WEB_CONCURRENCY="2", LOG_LEVEL="INFO")
    for args in (
        ("migrate", "--noinput", "-v", "0"),
        ("collectstatic", "--noinput", "-v", "0"),
        # What beat does every minute, so /healthz has a recent heartbeat to report.
        ("shell", "-c", "from apps.core.services import heartbeat_record as h; h(name='beat')"),
    ):
        result = manage(env, *args)
        assert result.returncode == 0, f"manage.py {args[0]} failed:\n{result.stderr}"
    # collectstatic wrote to our STATIC_ROOT: the settings take it from the environment.
    assert (tmp_path / "staticfiles" / "staticfiles.json").exists()

    port = free_port()
    log = tmp_path / "gunicorn.log"
    with log.open("w") as log_file:
        process = subprocess.Popen(
            [
                *(sys.executable, "-m", "gunicorn"),
                *("--config", str(GUNICORN_CONF), "--bind", f"127.0.0.1:{port}"),
            ],
            cwd=ROOT,
            env=env,
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
        try:
            wait_until_listening(port, process, log, limit=20)
            base = f"http://127.0.0.1:{port}"

            status, headers, body = get(base + "/")
            assert status == 200, log.read_text()
            landing_request_id = headers["X-Request-ID"]
            assert re.fullmatch(r"[0-9a-f]{32}", landing_request_id)
            assert headers["X-Content-Type-Options"] == "nosniff"
            assert headers["Referrer-Policy"] == "same-origin"
            assert headers["X-Frame-Options"] == "DENY"
            assert "Strict-Transport-Security" not in headers  # only ever sent over HTTPS

            # The page links the hashed name from the manifest; WhiteNoise serves it for a
            # year, and the plain name too (briefly cached) for anything that asks for it.
            hashed = re.search(rb'href="(/static/css/app\.[0-9a-f]{12}\.css)"', body)
            assert hashed, "the landing page does not link a hashed app.css"
            for path in (hashed.group(1).decode(), "/static/css/app.css"):
                status, headers, css = get(base + path, **{"Accept-Encoding": "gzip"})
                assert status == 200, path
                assert headers["Content-Type"].startswith("text/css")
                assert headers["X-Content-Type-Options"] == "nosniff"
                # Compressed at collectstatic time; sent to clients that accept it.
                assert headers["Content-Encoding"] == "gzip", path
                assert b"{" in gzip.decompress(css)
                if path != "/static/css/app.css":
                    assert "immutable" in headers["Cache-Control"]

            # The proxy's request id is kept and echoed.
            status, headers, _ = get(base + "/", **{"X-Request-ID": "edge-4711"})
            assert (status, headers["X-Request-ID"]) == (200, "edge-4711")

            status, _, anonymous = get(base + "/healthz")
            assert set(json.loads(anonymous)) == {"status"}  # no details for strangers
            health_status, health_headers, health = get(
                base + "/healthz", Authorization=f"Bearer {HEALTHZ_TOKEN}"
            )
            assert "X-Request-ID" in health_headers
            checks = json.loads(health)["checks"]
            assert checks["database"]["ok"], checks
            assert checks["beat"]["ok"], checks

            # A Host outside ALLOWED_HOSTS is refused even though it reaches the socket.
            status, _, _ = get(base + "/", Host="evil.example")
            assert status == 400
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=5)

    # Every line, gunicorn's own and the access log alike, is one JSON object.
    lines = [json.loads(line) for line in log.read_text().splitlines() if line.strip()]
    assert any(line["logger"] == "gunicorn.error" for line in lines), lines
    access = [line for line in lines if line["logger"] == "gunicorn.access"]
    [landing] = [line for line in access if line["request_id"] == landing_request_id]
    assert (landing["method"], landing["path"], landing["status"]) == ("GET", "/", 200)
    assert landing["message"].startswith("GET / HTTP/1.1 200")
    assert {"time", "level", "duration_ms", "bytes", "remote_addr"} <= landing.keys()
    assert [line for line in access if line["request_id"] == "edge-4711"]

    # /healthz also asks Redis (cache and broker): 200 needs it.
    if not redis_answers():
        service_required("Redis", "nothing answers on 127.0.0.1:6379, /healthz gave 503")
    assert health_status == 200, health


def gunicorn_settings(monkeypatch, **env: str) -> dict:
    for key in list(os.environ):
        if OURS.match(key):
            monkeypatch.delenv(key)
    # Set by the file itself when empty; recorded here so it is gone again after the test.
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", "")
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    return runpy.run_path(str(GUNICORN_CONF))


def test_gunicorn_runs_two_workers_per_core_plus_one_unless_told(monkeypatch):
    cores = len(os.sched_getaffinity(0))
    defaults = gunicorn_settings(monkeypatch)
    assert defaults["workers"] == min(2 * cores + 1, 9)
    assert defaults["worker_class"] == "gthread"
    assert defaults["bind"] == ["0.0.0.0:8000"]
    assert defaults["LOG_FORMAT"] == "text"  # not production settings
    # /metrics counts every worker's requests: a folder of this server's own for their files.
    assert defaults["METRICS_DIR"].name.startswith("techlead-metrics-")
    assert {"on_starting", "child_exit", "on_exit"} <= defaults.keys()

    told = gunicorn_settings(
        monkeypatch,
        WEB_CONCURRENCY="3",
        GUNICORN_BIND="127.0.0.1:8001",
        DJANGO_SETTINGS_MODULE="techlead.settings.prod",
    )
    assert told["workers"] == 3
    assert told["bind"] == ["127.0.0.1:8001"]
    assert told["LOG_FORMAT"] == "json"


@pytest.mark.parametrize("name", REQUIRED)
def test_production_settings_refuse_to_start_without_a_required_variable(tmp_path, name):
    env = prod_env(tmp_path)
    del env[name]
    if (ROOT / ".env").exists():
        # base.py reads the repository's .env for variables the environment lacks; a blank
        # value counts as missing too and is not replaced from there.
        env[name] = ""
    result = manage(env, "check")
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    message = result.stderr.strip().splitlines()[-1]
    assert name in message
    assert not [other for other in REQUIRED if other != name and other in message]


@pytest.mark.parametrize(
    ("overrides", "named"),
    [
        ({"LINKEDIN_CLIENT_ID": "", "LINKEDIN_CLIENT_SECRET": ""}, "LINKEDIN_CLIENT_SECRET"),
        ({"LINKEDIN_CLIENT_SECRET": "sandbox-secret"}, "LINKEDIN_CLIENT_SECRET"),
        ({"LINKEDIN_CLIENT_ID": "sandbox-client"}, "LINKEDIN_CLIENT_ID"),
        ({"LINKEDIN_API_BASE": "http://127.0.0.1:8765"}, "LINKEDIN_API_BASE"),
        ({"LINKEDIN_OAUTH_BASE": "https://localhost:8765/oauth/v2"}, "LINKEDIN_OAUTH_BASE"),
    ],
)
def test_production_settings_refuse_the_linkedin_sandbox(tmp_path, overrides, named):
    env = prod_env(tmp_path, **overrides)

    result = manage(env, "check")

    assert result.returncode != 0
    message = result.stderr.strip().splitlines()[-1]
    assert "ImproperlyConfigured" in message
    assert "sandbox" in message
    assert named in message


def test_production_settings_default_to_linkedin_itself(tmp_path):
    result = manage(
        prod_env(tmp_path),
        "shell",
        "-c",
        "from django.conf import settings as s; print(s.LINKEDIN_API_BASE, s.LINKEDIN_OAUTH_BASE)",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1].split() == [
        "https://api.linkedin.com",
        "https://www.linkedin.com/oauth/v2",
    ]


def test_check_deploy_is_clean_with_production_settings(tmp_path):
    result = manage(prod_env(tmp_path), "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr


# --- Sentry -----------------------------------------------------------------------------

# Runs under production settings: a view that fails, asked through Django's test client
# (no gunicorn needed), then the SDK's queue is flushed to the DSN's host.
SENTRY_PROBE = """
import django
from django.urls import path

django.setup()

import sentry_sdk
from django.test import Client, override_settings


def fails(request):
    raise RuntimeError("sentry probe: the view failed")


urlpatterns = [path("fails", fails)]

with override_settings(ROOT_URLCONF=__name__):
    response = Client(raise_request_exception=False).get(
        "/fails", headers={"X-Request-ID": "probe-4711"}, secure=True
    )
print(response.status_code, sentry_sdk.get_client().is_active())
sentry_sdk.flush(timeout=10)
"""


class FakeSentry(http.server.BaseHTTPRequestHandler):
    """Takes envelopes like Sentry's ingest endpoint and keeps them, decompressed."""

    received: list[tuple[str, bytes]]

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        encoding = self.headers.get("Content-Encoding", "")
        if encoding == "gzip":
            body = gzip.decompress(body)
        elif encoding == "br":
            import brotli

            body = brotli.decompress(body)
        self.received.append((self.path, body))
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *args):
        pass


@pytest.fixture
def fake_sentry():
    received: list[tuple[str, bytes]] = []
    handler = type("Handler", (FakeSentry,), {"received": received})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://publickey@127.0.0.1:{server.server_port}/42", received
    finally:
        server.shutdown()
        server.server_close()


def test_an_error_in_a_view_reaches_sentry_without_personal_data(tmp_path, fake_sentry):
    dsn, received = fake_sentry
    env = prod_env(tmp_path, SENTRY_DSN=dsn, ALLOWED_HOSTS="testserver")
    script = tmp_path / "sentry_probe.py"
    script.write_text(SENTRY_PROBE, encoding="utf-8")
    env["PYTHONPATH"] = str(ROOT)
    result = subprocess.run(
        [sys.executable, str(script)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1].split() == ["500", "True"]

    envelopes = [body for path, body in received if path == "/api/42/envelope/"]
    assert envelopes, received
    events = [
        json.loads(line)
        for body in envelopes
        for line in body.splitlines()
        if b'"exception"' in line
    ]
    [event] = events
    [error] = event["exception"]["values"]
    assert (error["type"], error["value"]) == ("RuntimeError", "sentry probe: the view failed")
    assert event["tags"]["request_id"] == "probe-4711"
    assert event["environment"] == "production"
    # send_default_pii=False: no cookies, no client address, no user.
    request = event.get("request", {})
    assert "cookies" not in request
    assert "REMOTE_ADDR" not in request.get("env", {})
    assert "user" not in event


def test_without_a_dsn_sentry_stays_off(tmp_path):
    result = manage(
        prod_env(tmp_path),
        "shell",
        "-c",
        "import sys; print('sentry_sdk' in sys.modules)",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "False"
