"""How beat's dispatchers claim due rows: a bounded batch at a time, never the same row twice.

A row is due while its "next time" column is empty or past; claiming it moves that column to
its following time (or empties it for good), which is what takes it out of the next round.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django.db import connection, transaction


def claim_due(
    due,
    *,
    field: str,
    columns: Iterable[str],
    following: Callable[[tuple], object],
    limit: int,
) -> list[tuple]:
    """Claim up to `limit` rows of the `due` queryset; return the claimed rows as
    (pk, *columns) tuples. `following(row)` is the new value of `field` for a row; `field`
    must be among `columns` (its current value is the claim's condition elsewhere).

    On PostgreSQL: one SELECT ... FOR UPDATE SKIP LOCKED and one UPDATE of the whole batch, in
    one transaction, so two dispatchers running at once take disjoint batches and neither
    waits for the other. Elsewhere (SQLite, one process in development): a conditional update
    per row, which a second dispatcher loses."""
    columns = list(columns)
    position = columns.index(field) + 1
    model = due.model
    if connection.features.has_select_for_update_skip_locked:
        with transaction.atomic():
            rows = list(due.select_for_update(skip_locked=True).values_list("pk", *columns)[:limit])
            if rows:
                model.objects.bulk_update(
                    [model(pk=row[0], **{field: following(row)}) for row in rows],
                    [field],
                    batch_size=1000,
                )
        return rows
    claimed = []
    for row in due.values_list("pk", *columns)[:limit]:
        with transaction.atomic():
            if model.objects.filter(pk=row[0], **{field: row[position]}).update(
                **{field: following(row)}
            ):
                claimed.append(row)
    return claimed
