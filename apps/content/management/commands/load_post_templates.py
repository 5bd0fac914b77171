"""Load the template library (apps/content/library/*.json) into the database.

`migrate` does this by itself (apps/content/apps.py); the command is for refreshing the
library without a migration. See apps.content.services.library_sync."""

from django.core.management.base import BaseCommand

from apps.content.services import library_sync


class Command(BaseCommand):
    help = "Load or refresh the shared post template library from apps/content/library/."

    def handle(self, *args, **options):
        result = library_sync()
        self.stdout.write(
            f"Template library: {result.created} new, {result.updated} refreshed, "
            f"{result.retired} retired."
        )
