"""Rest.li 2.0 query values: `(key:value,...)` records, `List(a,b)` lists, encoded leaves.

Rest.li clients leave the structural characters `(`, `)`, `:` and `,` raw in the query string
and percent-encode everything inside a leaf value, so the query must be parsed before it is
decoded: `entity=(share:urn%3Ali%3Ashare%3A1)` is `{"share": "urn:li:share:1"}`.
"""

from urllib.parse import unquote, unquote_plus


class RestliSyntaxError(ValueError):
    pass


def parse_query(raw_query: str) -> dict[str, object]:
    """Parse a raw query string; the last value of a repeated parameter wins."""
    parsed: dict[str, object] = {}
    for pair in raw_query.split("&"):
        if not pair:
            continue
        key, _, value = pair.partition("=")
        parsed[unquote_plus(key)] = parse_value(value)
    return parsed


def parse_value(raw: str) -> object:
    if not raw.startswith(("(", "List(")):
        # A plain value may carry raw colons (`author=urn:li:person:1`); take it whole.
        return unquote_plus(raw)
    value, end = _parse(raw, 0)
    if end != len(raw):
        raise RestliSyntaxError(f"unexpected {raw[end]!r} at {end}")
    return value


def _parse(raw: str, position: int) -> tuple[object, int]:
    if raw.startswith("List(", position):
        return _parse_list(raw, position + len("List("))
    if raw.startswith("(", position):
        return _parse_record(raw, position + 1)
    end = position
    while end < len(raw) and raw[end] not in "(),:":
        end += 1
    return unquote(raw[position:end]), end


def _parse_list(raw: str, position: int) -> tuple[list[object], int]:
    items: list[object] = []
    if raw.startswith(")", position):
        return items, position + 1
    while True:
        item, position = _parse(raw, position)
        items.append(item)
        if raw.startswith(",", position):
            position += 1
        elif raw.startswith(")", position):
            return items, position + 1
        else:
            raise RestliSyntaxError(f"unterminated list at {position}")


def _parse_record(raw: str, position: int) -> tuple[dict[str, object], int]:
    record: dict[str, object] = {}
    if raw.startswith(")", position):
        return record, position + 1
    while True:
        key, position = _parse(raw, position)
        if not isinstance(key, str) or not raw.startswith(":", position):
            raise RestliSyntaxError(f"expected key:value at {position}")
        value, position = _parse(raw, position + 1)
        record[key] = value
        if raw.startswith(",", position):
            position += 1
        elif raw.startswith(")", position):
            return record, position + 1
        else:
            raise RestliSyntaxError(f"unterminated record at {position}")
