"""English dates in the order the reader's region writes them.

Django picks the language (English or German) from the member's choice or the browser's
Accept-Language; it has one English. The browser also says where its English is from:
"en-US" readers write "Dec 8, 2026", British, Irish, Australian, Indian… readers "8 Dec 2026",
which stays the default when the region is unknown. For a US-style region this middleware
activates "en-us" instead of "en": the messages are the same English, the named formats come
from techlead/formats/en_US, and the formats written out in templates
(`{{ day|regional_date:_("j M Y") }}`) are turned month-first by MONTH_FIRST_FORMATS below.
German is left alone.

(Not a gettext catalogue for en_US: Python's gettext expands plain "en" to "en_US" first, so
such a catalogue would turn every English reader's dates month-first.)
"""

from __future__ import annotations

from django.utils import translation

# Regions whose English puts the month first (CLDR's medium date "MMM d, y").
MONTH_FIRST_REGIONS = frozenset({"US", "PR", "GU", "VI", "AS", "MP", "UM", "PH"})

# The day-first formats written out in templates, as a month-first reader writes them.
MONTH_FIRST_FORMATS = {
    "j M": "M j",
    "j M Y": "M j, Y",
    "j M, H:i": "M j, H:i",
    "j M Y, H:i": "M j, Y, H:i",
    "D j M, H:i": "D, M j, H:i",
    "l j M, H:i": "l, M j, H:i",
    "l, j F": "l, F j",
    "l j F, H:i": "l, F j, H:i",
}


def regional_format(date_format: str) -> str:
    """`date_format` (already translated: German has its own) in the active English's order."""
    if translation.get_language() == "en-us":
        return MONTH_FIRST_FORMATS.get(date_format, date_format)
    return date_format


def english_region(accept_language: str) -> str | None:
    """The region of the browser's most preferred English ("US" for "en-US"), None when it
    prefers English without a region or no English at all."""
    preferred: list[tuple[float, int, str]] = []
    for index, item in enumerate((accept_language or "").split(",")):
        tag, _, params = item.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                continue
        if quality > 0 and tag.lower().split("-")[0] == "en":
            preferred.append((-quality, index, tag))
    if not preferred:
        return None
    parts = min(preferred)[2].split("-")
    region = parts[1] if len(parts) > 1 else ""
    return region.upper() if len(region) == 2 and region.isalpha() else None


def english_variant(accept_language: str) -> str:
    """The language code to activate for English: "en-us" for month-first regions, else "en"."""
    return "en-us" if english_region(accept_language) in MONTH_FIRST_REGIONS else "en"


class EnglishRegionMiddleware:
    """After LocaleMiddleware: English readers from a month-first region get "en-us" dates.
    request.LANGUAGE_CODE stays "en", the language the member chose or was given."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if translation.get_language() == "en":
            variant = english_variant(request.headers.get("Accept-Language", ""))
            if variant != "en":
                translation.activate(variant)
        return self.get_response(request)
