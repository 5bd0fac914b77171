"""Two database roles (deploy/README.md): the app connects with DATABASE_URL; the commands
that change tables or roles (manage.py's OWNER_COMMANDS) with DATABASE_OWNER_URL."""

import os
import subprocess
import sys
from pathlib import Path

import manage

ROOT = Path(__file__).resolve().parents[3]
APP_URL = "postgres://techlead_app:app-secret@db.example:5432/techlead"
OWNER_URL = "postgres://techlead_owner:owner-secret@db.example:5432/techlead"
# The settings a process started this way chooses (no database is contacted).
PRINT_USER = (
    "import django; django.setup(); from django.conf import settings; "
    f"print(settings.DATABASES['default']['USER'], settings.DATABASE_APP_URL == {APP_URL!r})"
)


def user_seen_by(*argv: str, **extra: str) -> str:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("DATABASE_") and key != "DJANGO_SETTINGS_MODULE"
    }
    env.update(
        DJANGO_SETTINGS_MODULE="techlead.settings.dev",
        DATABASE_URL=APP_URL,
        DATABASE_OWNER_URL=OWNER_URL,
        **extra,
    )
    manage.run_as_owner_if_needed(["manage.py", *argv], env)
    result = subprocess.run(
        [sys.executable, "-c", PRINT_USER],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_the_app_and_its_other_commands_connect_as_the_app_role():
    assert user_seen_by("runserver") == "techlead_app True"
    assert user_seen_by("shell") == "techlead_app True"


def test_migrate_and_rls_setup_connect_as_the_tables_owner():
    assert user_seen_by("migrate", "--noinput") == "techlead_owner True"
    assert user_seen_by("rls_setup") == "techlead_owner True"


def test_staff_ask_for_the_owner_explicitly():
    assert user_seen_by("shell", DATABASE_AS_OWNER="1") == "techlead_owner True"
