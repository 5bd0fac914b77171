"""Bulk writes that say which rows they made, in one statement.

Django's bulk_create(ignore_conflicts=True) returns no ids, so a caller that must know which
of its rows are new reads them back: a second round trip for every batch. Both PostgreSQL and
SQLite (3.35+) have INSERT ... ON CONFLICT ... RETURNING, which answers with the rows the
statement itself made (DO NOTHING) or touched (DO UPDATE), so the insert is the read.

Values are prepared as bulk_create prepares them (each field's pre_save and
get_db_prep_save), so defaults, auto_now and JSON fields behave the same.

On PostgreSQL the statements are prepared once per connection (apps/core/prepared.py): a
batch's rows travel as one JSON parameter, so its SQL text is the same whatever its size and
PostgreSQL parses and plans it once, not once a batch.
"""

from __future__ import annotations

import datetime
import decimal
import functools
import json
import operator
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import connections, router
from django.db.models import (
    BooleanField,
    CharField,
    DateTimeField,
    Field,
    FloatField,
    ForeignKey,
    IntegerField,
    JSONField,
    Model,
    TextField,
)

from apps.core.prepared import statement_cursor


def insert_returning(
    model: type[Model],
    objs: Sequence[Model],
    *,
    unique_fields: Sequence[str],
    returning: Sequence[str],
    update_fields: Sequence[str] = (),
    update_if_given: Sequence[str] = (),
    also_returning: Sequence[tuple] = (),
    alongside: Sequence[tuple[str, list]] = (),
) -> list[tuple]:
    """Insert `objs` (one statement per database batch); with `unique_fields`, a row whose
    unique fields exist already is skipped, or, with `update_fields`, updated: to the new
    value, or for the fields in `update_if_given` to the new value only where it is not
    empty. Returns the `returning` fields (by name) of each row made or updated, converted
    as a query's would be, then the value of each SQL expression in `also_returning`
    ((sql, params) pairs, e.g. a subquery about the row; or (sql, params, field) triples,
    whose value is converted as that model field's would be: a subquery reading a column of
    another table), in no set order.

    `alongside`: statements ((sql, params), e.g. from `insert_statements`, or an UPDATE) to
    run with this one: on PostgreSQL in the same statement, as data-modifying WITH queries
    (one round trip for all), elsewhere each before it. None may depend on another or on
    this insert: a WITH query sees none of the statement's other changes."""
    db = connections[router.db_for_write(model)]
    if not objs:
        execute_all(alongside, using=db.alias)
        return []
    statement = _statement(
        model,
        db.alias,
        tuple(unique_fields),
        tuple(returning),
        tuple(update_fields),
        tuple(update_if_given),
        tuple(extra[0] for extra in also_returning),
    )
    answer_params = [param for extra in also_returning for param in extra[1]]
    converters = [_converters(field, db) for field in statement.answering] + [
        _converters(extra[2], db) if len(extra) > 2 else [] for extra in also_returning
    ]
    batches = _batches(statement, objs, db)
    if alongside and db.vendor == "postgresql":
        (sql, params), *_none = batches  # PostgreSQL inserts the batch in one statement
        with_queries = ", ".join(
            f"alongside_{n} AS ({other})" for n, (other, _params) in enumerate(alongside)
        )
        batches = [
            (
                f"WITH {with_queries} {sql}",
                [param for _sql, other in alongside for param in other] + params,
            )
        ]
    else:
        execute_all(alongside, using=db.alias)
    results: list[tuple] = []
    with statement_cursor(db) as cursor:
        for sql, params in batches:
            cursor.execute(sql, params + answer_params)
            for values in cursor.fetchall():
                results.append(tuple(_converted(values, converters, db)))
    return results


def insert_statements(model: type[Model], objs: Sequence[Model]) -> list[tuple[str, list]]:
    """The statements inserting `objs` as they are (no conflict handling, nothing answered),
    as insert_returning would write them: for another insert's `alongside`."""
    if not objs:
        return []
    db = connections[router.db_for_write(model)]
    return _batches(_statement(model, db.alias, (), (), (), (), ()), objs, db)


def execute_all(statements: Sequence[tuple[str, list]], *, using: str) -> None:
    with statement_cursor(connections[using]) as cursor:
        for sql, params in statements:
            cursor.execute(sql, params)


def _batches(statement: _Statement, objs: Sequence[Model], db) -> list[tuple[str, list]]:
    """The statements (sql, params) inserting `objs`: on PostgreSQL one, the rows as one
    JSON parameter; elsewhere as many as the database takes placeholders for."""
    if db.vendor == "postgresql":
        return [(statement.json_sql, [_json_rows(objs, statement.write_row)])]
    fields = statement.fields
    size = max(1, db.ops.bulk_batch_size(fields, objs))
    batches = []
    for start in range(0, len(objs), size):
        chunk = objs[start : start + size]
        params = [
            field.get_db_prep_save(field.pre_save(obj, True), connection=db)
            for obj in chunk
            for field in fields
        ]
        batches.append((statement.values_sql(len(chunk)), params))
    return batches


def _converters(field: Field, db) -> list:
    """What a query reading `field` applies to its values (SQLite answers datetimes as text)."""
    column = field.get_col(field.model._meta.db_table)
    return [
        (converter, column)
        for converter in db.ops.get_db_converters(column) + field.get_db_converters(db)
    ]


@dataclass(frozen=True)
class _Statement:
    fields: list[Field]  # the inserted ones, in column order
    answering: list[Field]
    head: str  # INSERT INTO table (columns)
    tail: str  # ON CONFLICT ... RETURNING ...
    json_sql: str  # PostgreSQL: the batch as one JSON parameter
    write_row: object  # obj -> its row for the JSON batch (_row_writer)

    def values_sql(self, rows: int) -> str:
        row = "(" + ", ".join(["%s"] * len(self.fields)) + ")"
        return f"{self.head} VALUES {', '.join([row] * rows)} {self.tail}"


@functools.lru_cache(maxsize=64)
def _statement(
    model: type[Model],
    alias: str,
    unique_fields: tuple[str, ...],
    returning: tuple[str, ...],
    update_fields: tuple[str, ...],
    update_if_given: tuple[str, ...],
    also_returning: tuple[str, ...],
) -> _Statement:
    """The statement's text, built once per shape: a batch of comments asks for the same
    five statements every time, and composing them cost as much as a query."""
    db = connections[alias]
    meta = model._meta
    quote = db.ops.quote_name
    fields = [field for field in meta.concrete_fields if not field.primary_key]
    table = quote(meta.db_table)
    columns = ", ".join(quote(field.column) for field in fields)
    conflict = ", ".join(quote(meta.get_field(name).column) for name in unique_fields)
    if not unique_fields:
        on_conflict = ""
    elif update_fields:
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
        on_conflict = f"ON CONFLICT ({conflict}) DO UPDATE SET " + ", ".join(assignments)
    else:
        on_conflict = f"ON CONFLICT ({conflict}) DO NOTHING"
    answering = [meta.get_field(name) for name in returning]
    answer = ", ".join([quote(field.column) for field in answering] + list(also_returning))
    head = f"INSERT INTO {table} ({columns})"
    tail = f"{on_conflict} RETURNING {answer}" if answer else on_conflict
    # The whole batch as one JSON parameter, unpacked by the server: a statement with a
    # placeholder a value costs the client more than the server (psycopg parses and quotes
    # each one; 20 comments are 420 of them), and its text differs by batch size.
    types = ", ".join(f"{quote(field.column)} {field.db_type(db)}" for field in fields)
    json_sql = (
        f"{head} SELECT {columns} "  # noqa: S608 (names quoted, values bound)
        f"FROM jsonb_to_recordset(%s::jsonb) AS batch({types}) {tail}"
    )
    return _Statement(fields, answering, head, tail, json_sql, _row_writer(fields))


def _json_rows(objs: Sequence[Model], write_row) -> str:
    """The rows as a JSON array of objects by column, each value as the field prepares it
    for saving (pre_save, get_prep_value); JSON fields nest their value as their encoder
    writes it."""
    return json.dumps([write_row(obj) for obj in objs])


_NATIVE = (str, int, float, bool)


def _row_writer(fields: list[Field]):
    """obj -> its row (a dict by column) as `_preparer` prepares each value. The values are
    read in one go and only those that need it go through their field (a call per value
    was a third of writing a batch): a plain field's value when it is not a JSON-native
    type, a datetime, and every field `_preparer` has no shortcut for."""
    columns = [field.column for field in fields]
    attnames = [field.attname for field in fields]
    read = operator.attrgetter(*attnames)
    single = len(attnames) == 1
    checked, moments, prepared = [], [], []
    for index, field in enumerate(fields):
        kind = _kind(field)
        if kind == "plain":
            checked.append((index, field))
        elif kind == "moment":
            moments.append((index, field))
        else:
            prepared.append((index, _preparer(field)))

    def write(obj) -> dict:
        values = [read(obj)] if single else list(read(obj))
        for index, field in checked:
            value = values[index]
            if value is not None and value.__class__ not in _NATIVE:
                values[index] = _scalar(field.get_prep_value(value))
        for index, field in moments:
            values[index] = _moment(values[index], field)
        for index, prepare in prepared:
            values[index] = prepare(obj)
        return dict(zip(columns, values, strict=True))

    return write


def _kind(field: Field) -> str:
    """How `_preparer` treats the field: "plain" (its value as it is when JSON-native),
    "moment" (a datetime), or "other" (through `_preparer`)."""
    if isinstance(field, JSONField):
        return "other"
    if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
        return "other"
    if isinstance(
        field, ForeignKey | IntegerField | FloatField | BooleanField | CharField | TextField
    ):
        return "plain"
    if isinstance(field, DateTimeField):
        return "moment"
    return "other"


def _preparer(field: Field):
    """obj -> the value for the JSON batch of a field `_row_writer` does not read directly:
    a JSON field's (nested as its encoder writes it), an auto_now one's (its pre_save sets
    it), any other kind's through Django's general path (pre_save, get_prep_value)."""
    attname = field.attname
    if isinstance(field, JSONField):
        if field.encoder is None:
            return lambda obj: getattr(obj, attname)
        encoder = field.encoder
        return lambda obj: _nested(getattr(obj, attname), encoder)
    return lambda obj: _scalar(field.get_prep_value(field.pre_save(obj, True)))


def _moment(value, field: Field):
    if type(value) is datetime.datetime and value.tzinfo is not None:
        return value.isoformat()
    return _scalar(field.get_prep_value(value))  # None, a naive one (Django warns), a date


def _nested(value, encoder):
    return None if value is None else json.loads(json.dumps(value, cls=encoder))


def _scalar(value):
    if value is None:
        return None
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
