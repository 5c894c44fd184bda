"""Rows for one table at a time, written in bulk: COPY on PostgreSQL, executemany on SQLite."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from django.db import connection, models


def _column(model: type[models.Model], field: object) -> str:
    """The field's column in the table; only a concrete field has one."""
    column = field.column if isinstance(field, models.Field) else None
    if column is None:
        raise TypeError(f"{model.__name__}: {field} has no column")
    return column


class Table:
    """Rows for one model's table, flushed with COPY (PostgreSQL) or executemany (SQLite)."""

    def __init__(self, model: type[models.Model], names: Sequence[str]):
        self.model = model
        self.names = list(names)
        given = set(self.names)
        self.defaults: list[Any] = []
        extra_columns: list[str] = []
        for f in model._meta.concrete_fields:
            if f.name in given or f.primary_key and "id" in given:
                continue
            if f.primary_key:
                continue
            default = f.get_default()
            self.defaults.append(f.get_db_prep_save(default, connection))
            extra_columns.append(_column(model, f))
        named = [_column(model, model._meta.get_field(name)) for name in self.names]
        self.columns = named + extra_columns
        self.rows: list[tuple[Any, ...]] = []
        self.written = 0

    def add(self, *values: Any) -> None:
        self.rows.append((*values, *self.defaults))

    def flush(self) -> None:
        if not self.rows:
            return
        table = self.model._meta.db_table
        quote = connection.ops.quote_name
        cols = ", ".join(quote(c) for c in self.columns)
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                # COPY's text format built here: several times faster than write_row.
                data = "".join(["\t".join(map(_copy_text, row)) + "\n" for row in self.rows])
                with cursor.cursor.copy(f"COPY {quote(table)} ({cols}) FROM STDIN") as copy:
                    copy.write(data.encode())
            else:
                marks = ", ".join(["%s"] * len(self.columns))
                rows = [tuple(_sqlite(v) for v in row) for row in self.rows]
                cursor.executemany(f"INSERT INTO {quote(table)} ({cols}) VALUES ({marks})", rows)
        self.written += len(self.rows)
        self.rows = []


_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _copy_text(value: Any) -> str:
    """One value in PostgreSQL's COPY text format."""
    if value is None:
        return "\\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, str):
        return value.translate(_COPY_ESCAPES)
    if isinstance(value, datetime):
        return value.isoformat()
    if hasattr(value, "obj") and type(value).__name__ in ("Jsonb", "Json"):  # a JSON default
        return json.dumps(value.obj).translate(_COPY_ESCAPES)
    return str(value)


def _sqlite(value: Any) -> Any:
    if isinstance(value, datetime):
        return str(value.astimezone(UTC).replace(tzinfo=None))
    return value
