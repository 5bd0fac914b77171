"""Numbers as the active language writes them, for pages that write hundreds of them.

django.utils.formats.number_format looks the language and its three number formats up
again for every number; a fresh dashboard writes some 600 (chart ticks and titles, the
heatmap's titles). `number_formatter` looks them up once and gives the same strings."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.utils import numberformat
from django.utils.formats import get_format
from django.utils.translation import get_language


def number_formatter(*, force_grouping: bool = False) -> Callable[..., str]:
    """A function (value, decimal_pos=None) -> what number_format(value, decimal_pos,
    force_grouping=force_grouping) gives in the language active now. Make one per rendering:
    it keeps the language it was made in."""
    lang = get_language()
    decimal_separator = get_format("DECIMAL_SEPARATOR", lang, use_l10n=True)
    grouping = get_format("NUMBER_GROUPING", lang, use_l10n=True)
    thousand_separator = get_format("THOUSAND_SEPARATOR", lang, use_l10n=True)
    # Whole numbers grouped by threes (every language the app speaks) are most of what a
    # dashboard writes; Python's own grouping gives numberformat's string at a fifth of its
    # cost (a fresh dashboard writes some 500). Anything else goes through numberformat.
    group_ints_by_three = (force_grouping or settings.USE_THOUSAND_SEPARATOR) and grouping == 3

    def number(value, decimal_pos=None) -> str:
        if group_ints_by_three and decimal_pos is None and type(value) is int:
            return f"{value:,}".replace(",", thousand_separator)
        return numberformat.format(
            value,
            decimal_separator,
            decimal_pos,
            grouping,
            thousand_separator,
            force_grouping=force_grouping,
            use_l10n=True,
        )

    return number
