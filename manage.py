#!/usr/bin/env python
import os
import sys

# Commands that create or alter tables or roles run as the tables' owner (DATABASE_OWNER_URL,
# when set; deploy/README.md). Everything else, like the app itself, uses DATABASE_URL.
# Staff who need the owner for another command say so: DATABASE_AS_OWNER=1 manage.py shell.
OWNER_COMMANDS = {"migrate", "rls_setup", "createcachetable"}


def run_as_owner_if_needed(argv: list[str], environ) -> None:
    if len(argv) > 1 and argv[1] in OWNER_COMMANDS:
        environ.setdefault("DATABASE_AS_OWNER", "1")


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "techlead.settings.dev")
    run_as_owner_if_needed(sys.argv, os.environ)
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
