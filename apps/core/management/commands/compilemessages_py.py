"""Compile locale/*/LC_MESSAGES/*.po to .mo in pure Python (polib), so neither `make run`
nor a fresh machine needs GNU gettext. The .mo files are committed; `make messages`
refreshes both after strings change."""

from pathlib import Path

import polib
from django.conf import settings
from django.core.management.base import BaseCommand


def compiled_catalogue(po_path: Path) -> polib.MOFile:
    po = polib.pofile(str(po_path))
    mo = polib.MOFile()
    mo.metadata = po.metadata
    for entry in po.translated_entries():
        if "fuzzy" not in entry.flags:
            mo.append(entry)
    return mo


class Command(BaseCommand):
    help = "Compile .po catalogues to .mo without GNU gettext."

    def handle(self, *args, **options):
        for locale_dir in settings.LOCALE_PATHS:
            for po_path in sorted(Path(locale_dir).glob("*/LC_MESSAGES/*.po")):
                mo_path = po_path.with_suffix(".mo")
                compiled_catalogue(po_path).save(str(mo_path))
                self.stdout.write(f"compiled {mo_path.relative_to(settings.BASE_DIR)}")
