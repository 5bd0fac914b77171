"""CSV cells: text that a spreadsheet would run as a formula is written as text."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from apps.core.spreadsheet import csv_cell, formula_safe


@pytest.mark.parametrize(
    "payload",
    [
        "=cmd|' /C calc'!A0",
        "@SUM(1+1)*cmd|' /C calc'!A0",
        "+cmd|' /C calc'!A0",
        "-2+3+cmd|' /C calc'!A0",
        '=HYPERLINK("https://evil.example","click")',
        "\t=1+1",
        "\r=1+1",
    ],
)
def test_text_that_would_start_a_formula_gets_a_leading_apostrophe(payload):
    assert formula_safe(payload) == "'" + payload
    assert csv_cell(payload) == "'" + payload


@pytest.mark.parametrize("text", ["Chris CTO", "CTO @ Acme", "a=b", "", "-12", "+3.5", "-0,5"])
def test_ordinary_text_and_signed_numbers_are_left_alone(text):
    assert csv_cell(text) == text


def test_numbers_dates_and_none_keep_their_plain_form():
    assert csv_cell(None) == ""
    assert csv_cell(-3) == -3
    assert csv_cell(Decimal("-1.50")) == Decimal("-1.50")
    assert csv_cell(date(2026, 1, 2)) == "2026-01-02"
    assert csv_cell(datetime(2026, 1, 2, 3, 4, tzinfo=UTC)) == "2026-01-02T03:04:00+00:00"
