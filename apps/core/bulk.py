"""Bulk writes that say which rows they made, in one statement.

Django's bulk_create(ignore_conflicts=True) returns no ids, so a caller that must know which
of its rows are new reads them back: a second round trip for every batch. Both PostgreSQL and
SQLite (3.35+) have INSERT ... ON CONFLICT ... RETURNING, which answers with the rows the
statement itself made (DO NOTHING) or touched (DO UPDATE), so the insert is the read.

Values are prepared as bulk_create prepares them (each field's pre_save and
get_db_prep_save), so defaults, auto_now and JSON fields behave the same.
"""

from __future__ import annotations

import datetime
import decimal
import json
import uuid
from collections.abc import Sequence

from django.db import connections, router
from django.db.models import Field, JSONField, Model


def insert_returning(
    model: type[Model],
    objs: Sequence[Model],
    *,
    unique_fields: Sequence[str],
    returning: Sequence[str],
    update_fields: Sequence[str] = (),
    update_if_given: Sequence[str] = (),
    also_returning: Sequence[tuple[str, Sequence]] = (),
) -> list[tuple]:
    """Insert `objs` (one statement per database batch); a row whose `unique_fields` exist
    already is skipped, or, with `update_fields`, updated: to the new value, or for the
    fields in `update_if_given` to the new value only where it is not empty. Returns the
    `returning` fields (by name) of each row made or updated, converted as a query's would
    be, then the value of each SQL expression in `also_returning` ((sql, params) pairs, e.g.
    a subquery about the row), in no set order."""
    if not objs:
        return []
    db = connections[router.db_for_write(model)]
    meta = model._meta
    quote = db.ops.quote_name
    fields = [field for field in meta.concrete_fields if not field.primary_key]
    table = quote(meta.db_table)
    columns = ", ".join(quote(field.column) for field in fields)
    conflict = ", ".join(quote(meta.get_field(name).column) for name in unique_fields)
    if update_fields:
        assignments = []
        for name in update_fields:
            column = quote(meta.get_field(name).column)
            if name in update_if_given:
                assignments.append(
                    f"{column} = CASE WHEN excluded.{column} <> '' THEN excluded.{column} "
                    f"ELSE {table}.{column} END"
                )
            else:
                assignments.append(f"{column} = excluded.{column}")
        action = "DO UPDATE SET " + ", ".join(assignments)
    else:
        action = "DO NOTHING"
    answering = [meta.get_field(name) for name in returning]
    answer = ", ".join(
        [quote(field.column) for field in answering] + [sql for sql, _ in also_returning]
    )
    answer_params = [param for _, params in also_returning for param in params]
    converters = [
        [
            (converter, field.get_col(meta.db_table))
            for converter in db.ops.get_db_converters(field.get_col(meta.db_table))
            + field.get_db_converters(db)
        ]
        for field in answering
    ] + [[] for _ in also_returning]
    if db.vendor == "postgresql":
        # The whole batch as one JSON parameter, unpacked by the server: a statement with a
        # placeholder a value costs the client more than the server (psycopg parses and
        # quotes each one; 20 comments are 420 of them), and its text differs by batch size.
        types = ", ".join(f"{quote(field.column)} {field.db_type(db)}" for field in fields)
        sql = (
            f"INSERT INTO {table} ({columns}) "  # noqa: S608 (names quoted, values bound)
            f"SELECT {columns} FROM jsonb_to_recordset(%s::jsonb) AS batch({types}) "
            f"ON CONFLICT ({conflict}) {action} RETURNING {answer}"
        )
        batches = [(sql, [_json_rows(objs, fields)])]
    else:
        row = "(" + ", ".join(["%s"] * len(fields)) + ")"
        size = max(1, db.ops.bulk_batch_size(fields, objs))
        batches = []
        for start in range(0, len(objs), size):
            chunk = objs[start : start + size]
            params = [
                field.get_db_prep_save(field.pre_save(obj, True), connection=db)
                for obj in chunk
                for field in fields
            ]
            sql = (
                f"INSERT INTO {table} ({columns}) "  # noqa: S608 (names quoted, values bound)
                f"VALUES {', '.join([row] * len(chunk))} "
                f"ON CONFLICT ({conflict}) {action} RETURNING {answer}"
            )
            batches.append((sql, params))
    results: list[tuple] = []
    with db.cursor() as cursor:
        for sql, params in batches:
            cursor.execute(sql, params + answer_params)
            for values in cursor.fetchall():
                results.append(tuple(_converted(values, converters, db)))
    return results


def _json_rows(objs: Sequence[Model], fields: list[Field]) -> str:
    """The rows as a JSON array of objects by column, each value as the field prepares it
    for saving (pre_save, get_prep_value); JSON fields nest their value as their encoder
    writes it."""
    encoders = []
    for field in fields:
        if isinstance(field, JSONField):
            encoder = field.encoder
            encoders.append(
                (lambda value, encoder=encoder: json.loads(json.dumps(value, cls=encoder)))
                if encoder is not None
                else None
            )
        else:
            encoders.append(_scalar)
    rows = []
    for obj in objs:
        row = {}
        for field, encode in zip(fields, encoders, strict=True):
            value = field.pre_save(obj, True)
            if encode is None:  # a JSON field without an encoder: its value as it is
                row[field.column] = value
            else:
                value = field.get_prep_value(value) if encode is _scalar else value
                row[field.column] = None if value is None else encode(value)
        rows.append(row)
    return json.dumps(rows)


def _scalar(value):
    if isinstance(value, datetime.date | datetime.time):  # datetimes too
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    return value


def _converted(values, converters, db):
    for value, field_converters in zip(values, converters, strict=True):
        for converter, expression in field_converters:
            value = converter(value, expression, db)
        yield value
