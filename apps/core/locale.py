"""English dates in the order the reader's region writes them.

Django picks the language (English or German) from the member's choice or the browser's
Accept-Language; it has one English. The browser also says where its English is from:
"en-US" readers write "Dec 8, 2026", British, Irish, Australian, Indian… readers "8 Dec 2026",
which stays the default when the region is unknown. For a US-style region this middleware
activates "en-us" instead of "en": the messages are the same English (there is no en_US
catalogue beyond date formats), the formats come from techlead/formats/en_US and the date
formats written out in templates from locale/en_US. German is left alone.
"""

from __future__ import annotations

from django.utils import translation

# Regions whose English puts the month first (CLDR's medium date "MMM d, y").
MONTH_FIRST_REGIONS = frozenset({"US", "PR", "GU", "VI", "AS", "MP", "UM", "PH"})


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
