"""number_formatter writes numbers as number_format does, in each language."""

from decimal import Decimal

import pytest
from django.utils import translation
from django.utils.formats import number_format

from apps.core.numbers import number_formatter

VALUES = [
    0,
    7,
    999,
    1000,
    -1000,
    1234,
    1234567,
    -9876,
    10**12,
    -(10**9) - 1,
    3.0,
    2.5,
    0.96,
    12.345,
    1234.5,
    Decimal("12000.50"),
]


@pytest.mark.parametrize("language", ["en", "en-us", "de"])
@pytest.mark.parametrize("force_grouping", [False, True])
@pytest.mark.parametrize("decimal_pos", [None, 0, 1, 2])
def test_a_number_formatter_writes_what_number_format_writes(language, force_grouping, decimal_pos):
    with translation.override(language):
        number = number_formatter(force_grouping=force_grouping)
        for value in VALUES:
            assert number(value, decimal_pos) == number_format(
                value, decimal_pos, force_grouping=force_grouping
            ), value


def test_a_number_formatter_keeps_the_language_it_was_made_in():
    with translation.override("de"):
        german = number_formatter(force_grouping=True)
    with translation.override("en"):
        assert german(1234567.5, 1) == "1.234.567,5"
        assert number_formatter(force_grouping=True)(1234567.5, 1) == "1,234,567.5"
