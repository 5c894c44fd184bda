"""A report's table as CSV or XLSX: translated headers, numbers as numbers, durations in
minutes (said in the header), and text that a spreadsheet would run as a formula defused."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from typing import Any

from django.utils.translation import gettext as _
from openpyxl import Workbook

from tuki.reports.indicators import Cell, Result

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def safe_text(value: str) -> str:
    """Text a spreadsheet would take for a formula gets a leading apostrophe (OWASP's advice
    on CSV injection): "=1+1" is shown as text, never computed."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def _number(value: float | None, unit: str) -> float | int | None:
    if value is None:
        return None
    if unit == "count":
        return int(value)
    return round(value, 2)


def headers(result: Result, by_label: str) -> list[str]:
    indicator = result.indicator
    unit = indicator.unit
    value = str(indicator.label)
    if unit == "minutes":
        value = _("%(label)s (minutes)") % {"label": value}
    elif unit == "percent":
        value = _("%(label)s (%%)") % {"label": value}
    columns = [by_label or _("Total"), value, _("Tickets")]
    if _has(result, "previous"):
        columns.append(_("Previous period"))
    if _has(result, "target"):
        columns.append(_("Target"))
    return columns


def _has(result: Result, attribute: str) -> bool:
    return any(getattr(c, attribute) is not None for c in [result.total, *result.rows])


def table(result: Result, by_label: str) -> list[list[Any]]:
    """Header, one line per row, and the total last."""
    unit = result.indicator.unit
    previous, target = _has(result, "previous"), _has(result, "target")

    def line(cell: Cell, label: str) -> list[Any]:
        out: list[Any] = [safe_text(label), _number(cell.value, unit), cell.count]
        if previous:
            out.append(_number(cell.previous, unit))
        if target:
            out.append(_number(cell.target, unit))
        return out

    lines = [line(cell, str(cell.label)) for cell in result.rows] if result.by else []
    lines.append(line(result.total, _("Total")))
    return [headers(result, by_label), *lines]


def to_csv(lines: Iterable[list[Any]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    for line in lines:
        writer.writerow(["" if v is None else v for v in line])
    return "\ufeff" + out.getvalue()  # a byte order mark: spreadsheets then read UTF-8


def to_xlsx(lines: list[list[Any]], title: str, about: list[str]) -> bytes:
    """One sheet: what the report is (`about`, one line each), a blank line, the table."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = safe_text(title)[:31].replace("/", "-") or "Report"
    for text in about:
        sheet.append([safe_text(text)])
    sheet.append([])
    for line in lines:
        sheet.append([safe_text(v) if isinstance(v, str) else v for v in line])
    sheet.column_dimensions["A"].width = 40
    for column in "BCDE":
        sheet.column_dimensions[column].width = 18
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
