"""Every user-facing string is translated into German, and the catalogues are current."""

import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest

from apps.core.management.commands.compilemessages_py import compiled_catalogue

ROOT = Path(__file__).resolve().parent.parent
PO_FILES = sorted((ROOT / "locale").glob("*/LC_MESSAGES/*.po"))


def test_there_is_a_german_catalogue():
    assert ROOT / "locale/de/LC_MESSAGES/django.po" in PO_FILES


@pytest.mark.parametrize("po_path", PO_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_message_is_translated_and_none_is_fuzzy(po_path):
    po = polib.pofile(str(po_path))
    untranslated = [e.msgid for e in po.untranslated_entries()]
    fuzzy = [e.msgid for e in po.fuzzy_entries()]
    assert untranslated == []
    assert fuzzy == []


@pytest.mark.parametrize("po_path", PO_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_the_compiled_catalogue_matches_its_source(po_path):
    mo_path = po_path.with_suffix(".mo")
    assert mo_path.exists(), "run `make messages` to compile"
    expected = {
        (e.msgctxt, e.msgid): (e.msgstr, e.msgstr_plural) for e in compiled_catalogue(po_path)
    }
    actual = {(e.msgctxt, e.msgid): (e.msgstr, e.msgstr_plural) for e in polib.mofile(str(mo_path))}
    assert actual == expected, "the .mo is stale: run `make messages`"


def test_the_catalogue_lists_exactly_the_strings_in_the_code(tmp_path, settings):
    """Extract the strings afresh in a copy of the project and compare with the committed .po:
    a string added, changed or removed without `make messages` fails here."""
    if shutil.which("xgettext") is None:
        from conftest import service_required

        service_required("GNU gettext", "xgettext not found (apt-get install gettext)")
    copy = tmp_path / "project"
    for name in ("apps", "techlead", "templates", "locale"):
        shutil.copytree(
            ROOT / name, copy / name, ignore=shutil.ignore_patterns("__pycache__", "*.mo")
        )
    shutil.copy(ROOT / "manage.py", copy / "manage.py")
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "de", "--no-location", "--no-obsolete"],
        cwd=copy,
        check=True,
        capture_output=True,
        env={
            "PATH": "/usr/bin:/bin",
            "DJANGO_SETTINGS_MODULE": "techlead.settings.test",
            "PYTHONPATH": str(copy),
        },
    )
    fresh = {
        (e.msgctxt, e.msgid) for e in polib.pofile(str(copy / "locale/de/LC_MESSAGES/django.po"))
    }
    committed = {
        (e.msgctxt, e.msgid) for e in polib.pofile(str(ROOT / "locale/de/LC_MESSAGES/django.po"))
    }
    assert sorted(m for _, m in fresh - committed) == [], (
        "strings missing from the .po: make messages"
    )
    assert sorted(m for _, m in committed - fresh) == [], "stale strings in the .po: make messages"
