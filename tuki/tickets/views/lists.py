"""What every ticket list (queue, dashboard) does to the page of tickets it shows."""

from __future__ import annotations

from collections.abc import Iterable

from django.urls import reverse

from tuki.tickets.models import Ticket, attach_related

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
