"""Load the template library (apps/content/library/*.json) into the database.

Idempotent: library rows are matched by key and updated; templates that left the library
are deactivated (posts keep pointing at them); workspaces' own templates are not touched.
Staff edits made in admin are overwritten by the next load, on purpose: the repository is
the library's source of truth, so keep lasting changes there."""

from django.core.management.base import BaseCommand
from django.db import transaction

from apps.content.generation import load_library
from apps.content.models import PostTemplate


class Command(BaseCommand):
    help = "Load or refresh the shared post template library from apps/content/library/."

    @transaction.atomic
    def handle(self, *args, **options):
        created = updated = 0
        keys = set()
        for spec in load_library():
            keys.add(spec.key)
            _, was_created = PostTemplate.objects.update_or_create(
                workspace=None,
                key=spec.key,
                defaults={
                    "name": spec.name,
                    "framework": spec.framework,
                    "goal": spec.goal,
                    "suits": list(spec.suits),
                    "hooks": list(spec.hooks),
                    "body": list(spec.body),
                    "ctas": list(spec.ctas),
                    "translations": dict(getattr(spec, "translations", {}) or {}),
                    "is_active": True,
                },
            )
            created += was_created
            updated += not was_created
        retired = (
            PostTemplate.objects.filter(workspace__isnull=True, is_active=True)
            .exclude(key__in=keys)
            .update(is_active=False)
        )
        self.stdout.write(
            f"Template library: {created} new, {updated} refreshed, {retired} retired."
        )
