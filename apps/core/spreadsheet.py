"""Cells for the CSV files the app writes, safe to open in a spreadsheet.

Text from outside parties (a commenter's name or headline, a post's text) lands in exports.
A cell that starts with `=`, `+`, `-` or `@` (or a tab or carriage return, which some
spreadsheets skip before reading a formula) is run as a formula when the file is opened:
`=cmd|' /C calc'!A0` or `=HYPERLINK(...)`. Such text is written with a leading apostrophe, so
it shows as text. Numbers are left alone: a negative number is not a formula.

Every CSV writer goes through `csv_cell`, so the rule lives in one place.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time
from decimal import Decimal

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")
# A signed number is a number, not a formula (-12, +3.5): left as it is.
PLAIN_NUMBER = re.compile(r"[+-]?\d+(?:[.,]\d+)?")


def formula_safe(text: str) -> str:
    """`text` as a spreadsheet shows it, never run as a formula."""
    if text.startswith(FORMULA_STARTS) and not PLAIN_NUMBER.fullmatch(text):
        return "'" + text
    return text


def csv_cell(value) -> str | int | float | Decimal:
    """One value as a CSV cell: None is empty, dates are ISO 8601, numbers stay numbers,
    anything else is text made formula-safe."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int | float | Decimal):
        return value
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    return formula_safe(str(value))
