"""`manage.py rls_setup [--role NAME]`: create the app's database role and apply row-level
security to every table with a workspace column (PostgreSQL). Run as the role that owns the
tables, after `migrate`; safe to run again. See deploy/README.md."""

from django.core.management.base import BaseCommand, CommandError

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
        self.stdout.write(
            f"Row-level security on {len(tables)} tables; role {name} may use their rows "
            "and owns none of them."
        )
