"""Serve the app with a Celery worker and beat beside it: what `make run` ends with.

Worker and beat run as child processes on the configured broker (the embedded filesystem
broker unless REDIS_URL is set) and stop when the web server stops."""

import os
import signal
import subprocess
import sys
import time
from urllib.parse import urlsplit

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from apps.accounts.management.commands.seed_demo import DEMO_EMAIL, DEMO_PASSWORD, STAFF_EMAIL


class Command(BaseCommand):
    help = "Run web, Celery worker and Celery beat together for local development."

    def add_arguments(self, parser):
        parser.add_argument("--addr", default=os.environ.get("RUN_ADDR", "127.0.0.1:8000"))

    def handle(self, *args, addr, **options):
        celery = [sys.executable, "-m", "celery", "-A", "techlead", "--quiet"]
        var = settings.BASE_DIR / "var"
        var.mkdir(exist_ok=True)
        children = []
        if _uses_local_sandbox():
            # The demo's sandbox is an app LinkedIn approved for comment reading and analytics
            # (every page says "approved app mode"); a real deployment starts self-serve.
            approved = ["r_member_social", "r_member_postAnalytics"]
            os.environ["LINKEDIN_SANDBOX_MODE"] = settings.LINKEDIN_SANDBOX_MODE = "approved"
            os.environ["LINKEDIN_APPROVED_SCOPES"] = " ".join(approved)
            settings.LINKEDIN_APPROVED_SCOPES = approved
            # The LinkedIn sandbox stands in for LinkedIn, with an audience that comments
            # on what the demo publishes (a minute of real time is an hour for them).
            children.append(
                subprocess.Popen(
                    [
                        sys.executable,
                        "manage.py",
                        "linkedin_sandbox",
                        f"--port={settings.LINKEDIN_SANDBOX_PORT}",
                        f"--db={var / 'linkedin-sandbox.sqlite3'}",
                        "--speed=60",
                        "--approved",
                    ],
                    stdout=subprocess.DEVNULL,
                )
            )
        children += [
            subprocess.Popen(
                [
                    *celery,
                    "worker",
                    # One worker for every queue (production gives each queue its own).
                    f"--queues={','.join(settings.TASK_QUEUES)}",
                    "--loglevel=WARNING",
                    "--pool=solo",
                    "--without-gossip",
                    "--without-mingle",
                ]
            ),
            subprocess.Popen(
                [*celery, "beat", "--loglevel=WARNING", f"--pidfile={var / 'celerybeat.pid'}"]
            ),
        ]

        def stop_children(*_):
            for child in children:
                if child.poll() is None:
                    child.terminate()
            for child in children:
                try:
                    child.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    child.kill()

        signal.signal(signal.SIGTERM, lambda *a: (stop_children(), sys.exit(0)))
        time.sleep(1)
        broker = "Redis" if settings.REDIS_URL else "the embedded filesystem broker"
        linkedin = (
            f"the local sandbox on port {settings.LINKEDIN_SANDBOX_PORT} (approved app mode)"
            if _uses_local_sandbox()
            else settings.LINKEDIN_API_BASE
        )
        self.stdout.write(
            self.style.SUCCESS(
                "\n  TechLead AutoPilot is running\n"
                f"    Open       http://{addr}/\n"
                f"    Log in as  {DEMO_EMAIL}  /  {DEMO_PASSWORD}\n"
                f"    Mailbox    http://{addr}/dev/mail/ (staff: {STAFF_EMAIL}, same password)\n"
                f"    LinkedIn   {linkedin} (Settings → LinkedIn → Connect)\n"
                f"    Worker and beat on {broker}. Ctrl-C stops everything.\n"
            )
        )
        try:
            call_command("runserver", addr, use_reloader=False)
        finally:
            stop_children()


def _uses_local_sandbox() -> bool:
    host = urlsplit(settings.LINKEDIN_API_BASE).hostname or ""
    return host in ("127.0.0.1", "localhost", "::1")
