"""What every ticket list (queue, dashboard) does to the page of tickets it shows."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from html import escape

from django.urls import reverse

from tuki.tickets import fields as custom_fields
from tuki.tickets.models import CustomField, Ticket, attach_related

# Stands for the number in the reversed address of a ticket page; a number never holds it.
_NUMBER = "__number__"


def prepare_rows(tickets: Iterable[Ticket], *related: str) -> list[Ticket]:
    """The tickets as a list, with the related rows named here attached (one query per
    table, see attach_related) and each one's page address as `url`.

    The address is reversed once for the list: reverse() per row cost more than every other
    value of the row together.
    """
    rows = list(tickets)
    if related:
        attach_related(rows, *related)
    head, _, tail = reverse("tickets:detail", args=[_NUMBER]).rpartition(_NUMBER)
    for ticket in rows:
        ticket.url = f"{head}{ticket.number}{tail}"
    return rows


def custom_cells(rows: Sequence[Ticket], columns: Sequence[CustomField]) -> dict[int, str]:
    """Each row's cells (HTML) for the custom fields shown as columns, by ticket id.

    The names of the users, organisations and CIs the values point to are read once for
    the page (one query per type, fields.reference_names), never per row. On a phone the
    header is hidden: each cell carries its label, shown there only.
    """
    if not columns:
        return {}
    names = custom_fields.reference_names(columns, [t.custom or {} for t in rows])
    labels = [escape(custom_fields.label(f)) for f in columns]
    result = {}
    for ticket in rows:
        values = ticket.custom or {}
        cells = []
        for field, label in zip(columns, labels, strict=True):
            text = custom_fields.display(field, values.get(field.key), names)
            shown = (
                f'<span class="d-sm-none text-secondary">{label}:</span> {escape(text)}'
                if text
                else ""
            )
            cells.append(f'<td class="small d-table-cell ws-cf">{shown}</td>')
        result[ticket.pk] = "".join(cells)
    return result
