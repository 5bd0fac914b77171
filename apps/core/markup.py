"""Escaping for markup written in Python a row at a time (the dashboard's tables and charts)."""

from __future__ import annotations

import html


def escaped(value) -> str:
    """`value` as {{ value }} or format_html writes it: escaped, unless already safe HTML.
    conditional_escape without its check for lazy strings, which costs more than the escaping
    itself when a page writes hundreds of values (str() resolves a lazy string here)."""
    if hasattr(value, "__html__"):
        return value.__html__()
    return html.escape(str(value))
