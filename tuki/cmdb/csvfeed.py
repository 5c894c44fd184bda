"""CSV files as feed records (docs/cmdb.md, "CSV import"): the bytes decoded (UTF-8 with or
without a byte-order mark, else Windows-1252), the separator sniffed (comma, semicolon,
tab), the columns mapped to item fields and class attributes, the others ignored and
named. An empty cell leaves the field as it is.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from tuki.cmdb.feed import RECORD_FIELDS
from tuki.cmdb.models import CIAttribute
from tuki.lib.bounds import text_problem
from tuki.lib.errors import ServiceError

# Other spellings of the known columns, after lower-casing and spaces to underscores.
ALIASES = {
    "host_name": "hostname",
    "host": "hostname",
    "fqdn": "hostname",
    "serial": "serial_number",
    "serial_no": "serial_number",
    "asset": "asset_tag",
    "ci_class": "class",
    "type": "class",
    "group": "support_group",
    "owner_email": "owner",
    "state": "lifecycle",
    "organization": "organisation",
}
MAX_ROWS = 50_000


@dataclass
class Table:
    delimiter: str
    columns: list[str]  # as in the file
    mapping: dict[str, str]  # column -> field, or attributes.<key>
    ignored: list[str]
    rows: list[dict[str, str]] = field(default_factory=list)  # column -> cell, file order

    def records(self, rows: Iterable[dict[str, str]] | None = None) -> list[dict[str, Any]]:
        out = []
        for row in self.rows if rows is None else rows:
            record: dict[str, Any] = {}
            attributes: dict[str, Any] = {}
            for column, target in self.mapping.items():
                value = (row.get(column) or "").strip()
                if not value:
                    continue
                if target.startswith("attributes."):
                    attributes[target.removeprefix("attributes.")] = value
                else:
                    record[target] = value
            if attributes:
                record["attributes"] = attributes
            out.append(record)
        return out


def decode(data: bytes) -> str:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
    problem = text_problem(text)
    if problem:
        raise ServiceError(problem, field="file", code="invalid_text")
    return text


def _delimiter(text: str) -> str:
    sample = "\n".join(text.splitlines()[:20])
    try:
        return csv.Sniffer().sniff(sample, delimiters=",;\t|").delimiter
    except csv.Error:
        header = text.splitlines()[0] if text else ""
        return max(",;\t", key=header.count)


def _normalised(column: str) -> str:
    key = column.strip().lower().replace(" ", "_").replace("-", "_")
    return ALIASES.get(key, key)


def read(data: bytes) -> Table:
    """The file as a table with its column mapping; a ServiceError (field `file`) when it is
    not a CSV file Tuki can read."""
    text = decode(data)
    if not text.strip():
        raise ServiceError(_("The file is empty."), field="file", code="empty")
    delimiter = _delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = next(reader)
    except (StopIteration, csv.Error):
        raise ServiceError(
            _("The file has no header row."), field="file", code="no_header"
        ) from None
    attribute_keys = set(CIAttribute.objects.values_list("key", flat=True))
    mapping: dict[str, str] = {}
    ignored: list[str] = []
    for column in header:
        key = _normalised(column)
        if key.startswith("attributes."):
            key = key.removeprefix("attributes.")
            target = f"attributes.{key}" if key in attribute_keys else ""
        elif key in RECORD_FIELDS:
            target = key
        elif key in attribute_keys:
            target = f"attributes.{key}"
        else:
            target = ""
        if target and target not in mapping.values():
            mapping[column] = target
        elif column.strip():
            ignored.append(column)
    if not mapping:
        raise ServiceError(
            _("No column of the file is a known field or attribute."),
            field="file",
            code="no_columns",
        )
    rows: list[dict[str, str]] = []
    try:
        for cells in reader:
            if not any(c.strip() for c in cells):
                continue
            if len(rows) >= MAX_ROWS:
                raise ServiceError(
                    _("At most %(count)d rows in one file.") % {"count": MAX_ROWS},
                    field="file",
                    code="too_many_rows",
                )
            rows.append(dict(zip(header, cells, strict=False)))
    except csv.Error as exc:
        raise ServiceError(
            _("The file is not valid CSV: %(error)s") % {"error": exc}, field="file", code="invalid"
        ) from None
    return Table(delimiter, list(header), mapping, ignored, rows)
