from django.core.management.base import BaseCommand
from django.db import transaction

from apps.accounts.tenancy import across_workspaces
from apps.core.encryption import encrypted_fields

BATCH_SIZE = 500


class Command(BaseCommand):
    help = (
        "Re-encrypt every encrypted column under the newest key in FIELD_ENCRYPTION_KEYS. "
        "Safe to run twice; run it after putting a new key first, before dropping old ones."
    )

    def handle(self, *args, **options):
        # Every workspace's secrets (LinkedIn tokens, webhook secrets): under row-level
        # security a lookup outside this block would see no row and rotate nothing.
        with across_workspaces(reason="operator command: every encrypted column"):
            self._rotate_all()

    def _rotate_all(self):
        total = 0
        for model, names in encrypted_fields():
            rows = 0
            # Reading decrypts with whichever key fits; saving encrypts with the newest.
            queryset = model._base_manager.order_by("pk").only("pk", *names)
            batch = []
            for obj in queryset.iterator(chunk_size=BATCH_SIZE):
                batch.append(obj)
                if len(batch) >= BATCH_SIZE:
                    rows += self._save(model, batch, names)
                    batch = []
            if batch:
                rows += self._save(model, batch, names)
            self.stdout.write(
                f"{model._meta.label}: re-encrypted {rows} row(s) ({', '.join(names)})"
            )
            total += rows
        self.stdout.write(self.style.SUCCESS(f"Done: {total} row(s) under the newest key."))

    @staticmethod
    def _save(model, batch, names) -> int:
        with transaction.atomic():
            model._base_manager.bulk_update(batch, names)
        return len(batch)
