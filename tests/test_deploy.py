"""deploy/: gunicorn serves the app with production settings, and production settings guard
themselves. Docker does not run here, so this is the part of deploy/ that can be run.

Everything runs in subprocesses with an environment built from scratch for production
settings, so nothing leaks in from the test settings of this process.
"""

import os
import re
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parent.parent
GUNICORN_CONF = ROOT / "deploy" / "gunicorn.conf.py"
REQUIRED = ("SECRET_KEY", "ALLOWED_HOSTS", "FIELD_ENCRYPTION_KEYS", "DATABASE_URL", "REDIS_URL")

# Variables our settings or gunicorn.conf.py read: dropped from the inherited environment so
# that a developer's shell cannot change what is tested.
OURS = re.compile(
    r"^(DJANGO_.*|SECRET_KEY|ALLOWED_HOSTS|CSRF_TRUSTED_ORIGINS|SITE_URL|DEBUG|DATABASE_.*|"
    r"REDIS_URL|TEST_REDIS_URL|FIELD_ENCRYPTION_KEYS|EMAIL_URL|DEFAULT_FROM_EMAIL|STATIC_ROOT|"
    r"SECURE_.*|LINKEDIN_.*|LOG_LEVEL|HEARTBEAT_.*|ACCOUNT_.*|PORT|WEB_CONCURRENCY|"
    r"GUNICORN_.*|FORWARDED_ALLOW_IPS)$"
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


def test_gunicorn_serves_the_app_and_static_files_with_production_settings(tmp_path):
    env = prod_env(tmp_path, SECURE_SSL_REDIRECT="False", WEB_CONCURRENCY="2")
    for args in (("migrate", "--noinput", "-v", "0"), ("collectstatic", "--noinput", "-v", "0")):
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
            assert headers["X-Content-Type-Options"] == "nosniff"
            assert headers["Referrer-Policy"] == "same-origin"
            assert headers["X-Frame-Options"] == "DENY"
            assert "Strict-Transport-Security" not in headers  # only ever sent over HTTPS

            # The page links the hashed name from the manifest; WhiteNoise serves it for a
            # year, and the plain name too (briefly cached) for anything that asks for it.
            hashed = re.search(rb'href="(/static/css/app\.[0-9a-f]{12}\.css)"', body)
            assert hashed, "the landing page does not link a hashed app.css"
            for path in (hashed.group(1).decode(), "/static/css/app.css"):
                status, headers, css = get(base + path)
                assert status == 200, path
                assert headers["Content-Type"].startswith("text/css")
                assert headers["X-Content-Type-Options"] == "nosniff"
                assert css
                if path != "/static/css/app.css":
                    assert "immutable" in headers["Cache-Control"]

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

    access_log = log.read_text()
    assert '"GET / HTTP/1.1" 200' in access_log, "gunicorn's access log did not reach stdout"


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


def test_check_deploy_is_clean_with_production_settings(tmp_path):
    result = manage(prod_env(tmp_path), "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
