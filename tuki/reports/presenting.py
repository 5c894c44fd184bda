"""How a report's numbers are shown: one formatting for pages, mail and exports, the rows of
a table with the link to the tickets behind each number, and the data of its chart."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.template.defaultfilters import floatformat
from django.urls import reverse
from django.utils.translation import gettext as _

from tuki.reports.indicators import Cell, Indicator, Result
from tuki.sla.explain import duration

UNIT_LABELS = {
    "count": "",
    "percent": "%",
    "minutes": "min",
    "score": "",
    "number": "",
}


def shown(value: float | None, unit: str) -> str:
    """A value as people read it: "—" when nothing was measured."""
    if value is None:
        return "—"
    if unit == "count":
        return floatformat(value, "0g")
    if unit == "percent":
        return _("%(value)s %%") % {"value": floatformat(value, 1)}
    if unit == "minutes":
        return duration(value)
    if unit == "score":
        return floatformat(value, 2)
    return floatformat(value, 2)


def change(value: float | None, previous: float | None, unit: str) -> str:
    """The difference with the previous period: "+3", "−1.5 pp", "+2 h 5 min"."""
    if value is None or previous is None:
        return ""
    diff = value - previous
    sign = "+" if diff > 0 else ("−" if diff < 0 else "±")
    size = abs(diff)
    if unit == "percent":
        return _("%(sign)s%(value)s pp") % {"sign": sign, "value": floatformat(size, 1)}
    return sign + shown(size, unit)


def tone(indicator: Indicator, value: float | None, previous: float | None) -> str:
    """ "good", "bad" or "" for the change since the previous period."""
    if value is None or previous is None or value == previous:
        return ""
    better = (value > previous) == indicator.higher_is_better
    return "good" if better else "bad"


def meets(indicator: Indicator, value: float | None, target: float | None) -> bool | None:
    if value is None or target is None:
        return None
    return value >= target if indicator.higher_is_better else value <= target


@dataclass
class Row:
    cell: Cell
    value: str
    count: str
    previous: str
    change: str
    tone: str
    target: str
    met: bool | None
    tickets_url: str


def rows(result: Result, query: Any) -> tuple[Row, list[Row]]:
    """The total and the rows of a result; `query(by=..., key=...)` gives the filters'
    query string for the tickets behind a cell."""
    code, unit, by = result.indicator.code, result.indicator.unit, result.by or ""
    url = reverse("reports:tickets", args=[code])

    def row(cell: Cell, total: bool) -> Row:
        return Row(
            cell=cell,
            value=shown(cell.value, unit),
            count=floatformat(cell.count, "0g"),
            previous=shown(cell.previous, unit) if cell.previous is not None else "",
            change=change(cell.value, cell.previous, unit),
            tone=tone(result.indicator, cell.value, cell.previous),
            target=shown(cell.target, unit) if cell.target is not None else "",
            met=meets(result.indicator, cell.value, cell.target),
            tickets_url=url + "?" + query(by="" if total else by, key="" if total else cell.key),
        )

    return row(result.total, True), [row(cell, False) for cell in result.rows]


def columns(indicator: Indicator, table_rows: list[Row], total: Row | None) -> dict[str, bool]:
    """Which optional columns a table shows: the tickets when they are not the value itself
    (volume), the previous period and the target when any row has one."""
    every = [*table_rows, *([total] if total else [])]
    return {
        "with_count": not (
            indicator.unit == "count" and all(r.cell.value == r.cell.count for r in every)
        ),
        "compare": any(r.cell.previous is not None for r in every),
        "with_target": any(r.cell.target is not None for r in every),
    }


def chart(result: Result, kind: str, table_rows: list[Row]) -> dict[str, Any]:
    """What static/tuki/reports.js draws: the same numbers as the table beside it."""
    data: dict[str, Any] = {
        "type": kind,
        "unit": result.indicator.unit,
        "labels": [str(r.cell.label) for r in table_rows],
        "urls": [r.tickets_url for r in table_rows],
        "datasets": [
            {
                "label": str(result.indicator.label),
                "data": [r.cell.value for r in table_rows],
            }
        ],
    }
    if any(r.cell.previous is not None for r in table_rows):
        data["datasets"].append(
            {"label": _("Previous period"), "data": [r.cell.previous for r in table_rows]}
        )
    if any(r.cell.target is not None for r in table_rows):
        data["datasets"].append(
            {"label": _("Target"), "data": [r.cell.target for r in table_rows], "target": True}
        )
    return data
