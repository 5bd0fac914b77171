"""Gunicorn settings for the web process: `gunicorn -c deploy/gunicorn.conf.py`.

Every knob reads an environment variable, so the same file serves a laptop, the container
and a bigger host. Command-line flags still win over this file (the test suite passes
`--bind 127.0.0.1:<port>`).
"""

import os
import shutil
import sys
import tempfile
from pathlib import Path

from gunicorn import glogging

# The project root (/app in the image), so the log formats below come from the app's own
# module whatever directory gunicorn was started from.
ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from apps.core.logging import FORMATTERS  # noqa: E402 - needs ROOT on the path


def _int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))  # respects a container's cpuset
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


wsgi_app = "techlead.wsgi:application"

# Every interface on PORT inside the container. On a VM behind nginx on the same host,
# GUNICORN_BIND=127.0.0.1:8000 keeps the port off the network (deploy/systemd/).
bind = [os.environ.get("GUNICORN_BIND", "").strip() or f"0.0.0.0:{_int('PORT', 8000)}"]

# Processes x threads. The classic 2 x cores + 1, capped so a large host does not open more
# database connections than PostgreSQL (and DATABASE_POOL_MAX per process) can take.
workers = _int("WEB_CONCURRENCY", min(2 * _cores() + 1, 9))
worker_class = "gthread"
threads = _int("GUNICORN_THREADS", 4)

# A request silent for `timeout` seconds gets its worker killed and replaced. LinkedIn calls
# run in Celery, never in a request, so 30 s is generous. On restart and shutdown, in-flight
# requests get `graceful_timeout` seconds to finish.
timeout = _int("GUNICORN_TIMEOUT", 30)
graceful_timeout = _int("GUNICORN_GRACEFUL_TIMEOUT", 30)
# Keep-alive with the reverse proxy in front; gthread parks idle connections without
# holding a thread.
keepalive = _int("GUNICORN_KEEPALIVE", 5)

# Recycle each worker after roughly this many requests to bound slow memory growth; the
# jitter keeps all workers from restarting at the same moment.
max_requests = _int("GUNICORN_MAX_REQUESTS", 1000)
max_requests_jitter = _int("GUNICORN_MAX_REQUESTS_JITTER", 100)

# Worker heartbeat files in memory rather than on the container's overlay filesystem.
_SHM = "/dev/shm"  # noqa: S108 - liveness files only, never data
if os.path.isdir(_SHM):
    worker_tmp_dir = _SHM

# /metrics (apps/core/metrics.py) must count the requests of every worker process, not only
# of the one that answers the scrape: prometheus_client's multiprocess mode, one file per
# process in PROMETHEUS_MULTIPROC_DIR. Set here, in the master, so every worker inherits it
# before it imports the app; by default a folder of this server's own, removed on exit.
_OWN_METRICS_DIR = not os.environ.get("PROMETHEUS_MULTIPROC_DIR", "").strip()
if _OWN_METRICS_DIR:
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = os.path.join(
        worker_tmp_dir if os.path.isdir(_SHM) else tempfile.gettempdir(),
        f"techlead-metrics-{os.getpid()}",
    )
METRICS_DIR = Path(os.environ["PROMETHEUS_MULTIPROC_DIR"])


def on_starting(server):
    # Figures of an earlier run of this server would be counted again.
    shutil.rmtree(METRICS_DIR, ignore_errors=True)
    METRICS_DIR.mkdir(parents=True, exist_ok=True)


def child_exit(server, worker):
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)


def on_exit(server):
    if _OWN_METRICS_DIR:
        shutil.rmtree(METRICS_DIR, ignore_errors=True)


# Logs go to stdout/stderr for the container runtime (or journald) to collect, in the app's
# format: one JSON object per line under production settings, text otherwise; LOG_FORMAT
# (json|text) decides for both.
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info").lower()
LOG_FORMAT = os.environ.get("LOG_FORMAT", "").strip() or (
    "json" if os.environ.get("DJANGO_SETTINGS_MODULE", "").endswith(".prod") else "text"
)


class Logger(glogging.Logger):
    """Gunicorn's own lines and the access log in the app's format. An access line carries the
    request id the app answered with (X-Request-ID), so it joins the app's lines."""

    def setup(self, cfg):
        super().setup(cfg)
        formatter = FORMATTERS[LOG_FORMAT]()
        for log in (self.error_log, self.access_log):
            for handler in log.handlers:
                handler.setFormatter(formatter)

    def access(self, resp, req, environ, request_time):
        if not self.access_log_enabled:
            return
        atoms = self.atoms(resp, req, environ, request_time)
        fields = {
            "request_id": atoms.get("{x-request-id}o"),
            "method": atoms["m"],
            "path": atoms["U"],
            "query": atoms["q"] or None,
            "status": int(atoms["s"]),
            "bytes": atoms["B"],
            "duration_ms": round(atoms["D"] / 1000, 1),
            "remote_addr": atoms["h"],
            "forwarded_for": atoms.get("{x-forwarded-for}i"),
            "user_agent": atoms.get("{user-agent}i"),
            "referer": atoms.get("{referer}i"),
        }
        self.access_log.info(
            "%s %s %s", atoms["r"], atoms["s"], f"{fields['duration_ms']}ms", extra=fields
        )


logger_class = Logger

# Which peers may tell Gunicorn the original scheme (X-Forwarded-Proto and friends).
# Django decides HTTPS on its own from SECURE_PROXY_SSL_HEADER (prod settings), so the real
# rule is: only the reverse proxy may reach this port, and it must overwrite, never pass on,
# X-Forwarded-Proto. Set FORWARDED_ALLOW_IPS to the proxy's address or network
# (e.g. "10.0.0.0/8"), or to "*" when the port is reachable by the proxy alone, as in
# deploy/compose.yml behind a proxy on the same Docker network.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")

# Gunicorn's control socket (for `gunicornc`), only where GUNICORN_CONTROL_SOCKET names a
# path. Off otherwise, so two servers on one host never fight over the default path.
if os.environ.get("GUNICORN_CONTROL_SOCKET", "").strip():
    control_socket = os.environ["GUNICORN_CONTROL_SOCKET"].strip()
else:
    control_socket_disable = True

# Load the app in each worker, not in the master: no database pool or broker connection
# is ever shared across a fork.
preload_app = False
