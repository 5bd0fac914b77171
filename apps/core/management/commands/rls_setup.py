"""`manage.py rls_setup [--role NAME]`: create the app's database role and apply row-level
security to every table with a workspace column (PostgreSQL). Runs as the role that owns the
tables (manage.py picks DATABASE_OWNER_URL for it), after `migrate`; safe to run again. When
DATABASE_URL, the app's own, signs in as that role with a password, the role gets LOGIN with
it, so one env file holds both URLs and nothing else needs setting up. See deploy/README.md."""

import environ
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connections

from apps.core import rls


class Command(BaseCommand):
    help = "Create the app's PostgreSQL role and apply row-level security policies."

    def add_arguments(self, parser):
        parser.add_argument("--role", default=None, help="default: settings.DATABASE_APP_ROLE")
        parser.add_argument("--database", default="default")

    def handle(self, *args, role, database, **options):
        if not rls.is_postgresql(database):
            raise CommandError("Row-level security needs PostgreSQL; this database is not.")
        tables = rls.apply_policies(database)
        name = rls.ensure_app_role(database, role=role)
        login = self._login_from_app_url(name, database)
        self.stdout.write(
            f"Row-level security on {len(tables)} tables; role {name} may use their rows "
            f"and owns none of them{login}."
        )

    def _login_from_app_url(self, role: str, database: str) -> str:
        if not (settings.DATABASE_AS_OWNER and settings.DATABASE_APP_URL):
            return ""
        app = environ.Env.db_url_config(settings.DATABASE_APP_URL)
        if app.get("USER") != role or not app.get("PASSWORD"):
            return ""
        connection = connections[database]
        with connection.cursor() as cursor:
            # Client-side binding quotes the password; ALTER ROLE takes no server parameters.
            cursor.execute(
                f"ALTER ROLE {connection.ops.quote_name(role)} LOGIN PASSWORD %s",
                [app["PASSWORD"]],
            )
        return "; it signs in with DATABASE_URL's password"
