"""A report's filters: the period and the dimensions it is limited to, to and from URLs."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields, replace
from datetime import date, datetime, timedelta
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from tuki.lib.bounds import parse_id
from tuki.tickets.models import Channel, Kind, Priority

# A longer period is a typing error (and a full scan): ten years.
MAX_DAYS = 3660
DEFAULT_DAYS = 30


class FilterError(ValueError):
    """A filter that cannot be read: `field` names it, the message says why (translated)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


def today() -> date:
    """Today in the desk's time zone (settings.TIME_ZONE)."""
    return timezone.localdate()


@dataclass(frozen=True)
class Filters:
    start: date  # first day, inclusive, in the desk's time zone (settings.TIME_ZONE)
    end: date  # last day, inclusive
    organisations: tuple[int, ...] = ()
    agreements: tuple[int, ...] = ()
    groups: tuple[int, ...] = ()  # the group the ticket is (or ended) assigned to
    kinds: tuple[str, ...] = ()
    priorities: tuple[int, ...] = ()
    services: tuple[int, ...] = ()
    channels: tuple[str, ...] = ()

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def previous(self) -> Filters:
        """The same filters over the period of the same length just before this one."""
        end = self.start - timedelta(days=1)
        return replace(self, start=end - timedelta(days=self.days - 1), end=end)

    def to_query(self) -> dict[str, str]:
        """For URLs: lists comma-separated, empty filters left out."""
        query = {"start": self.start.isoformat(), "end": self.end.isoformat()}
        for name in LIST_FIELDS:
            values = getattr(self, name)
            if values:
                query[name] = ",".join(str(v) for v in values)
        return query

    @classmethod
    def from_query(cls, query: Mapping[str, Any]) -> Filters:
        """Read filters from a QueryDict (or a dict); a missing period is the last 30 days.

        Lists may be repeated parameters or comma-separated. Raises FilterError (a
        ValueError) naming the first field it cannot read."""
        end = _date(query, "end") or today()
        start = _date(query, "start") or end - timedelta(days=DEFAULT_DAYS - 1)
        if start > end:
            raise FilterError("start", _("The period starts after it ends."))
        if (end - start).days >= MAX_DAYS:
            raise FilterError("start", _("A report covers at most ten years."))
        values = {name: _list(query, name, parse) for name, parse in LIST_FIELDS.items()}
        return cls(start=start, end=end, **values)

    def is_empty_beyond_period(self) -> bool:
        return not any(getattr(self, f.name) for f in fields(self) if f.name in LIST_FIELDS)


def _date(query: Mapping[str, Any], name: str) -> date | None:
    raw = _values(query, name)
    if not raw:
        return None
    try:
        return date.fromisoformat(raw[-1])
    except ValueError:
        raise FilterError(name, _("Enter a date as YYYY-MM-DD.")) from None


def _values(query: Mapping[str, Any], name: str) -> list[str]:
    getlist = getattr(query, "getlist", None)
    raw = getlist(name) if getlist else query.get(name, [])
    if isinstance(raw, str | int):
        raw = [raw]
    items: list[str] = []
    for value in raw or []:
        items += [part.strip() for part in str(value).split(",") if part.strip()]
    return items


def _id(value: str) -> int | None:
    number = parse_id(value)
    return number if number else None


def _choice(choices: Sequence[str]) -> Any:
    return lambda value: value if value in choices else None


def _priority(value: str) -> int | None:
    number = parse_id(value)
    return number if number in Priority.values else None


LIST_FIELDS: dict[str, Any] = {
    "organisations": _id,
    "agreements": _id,
    "groups": _id,
    "kinds": _choice(Kind.values),
    "priorities": _priority,
    "services": _id,
    "channels": _choice(Channel.values),
}


def _list(query: Mapping[str, Any], name: str, parse: Any) -> tuple[Any, ...]:
    parsed = []
    for value in _values(query, name):
        item = parse(value)
        if item is None:
            raise FilterError(name, _("“%(value)s” is not a valid choice.") % {"value": value[:50]})
        parsed.append(item)
    if len(parsed) > 500:
        raise FilterError(name, _("Choose at most 500."))
    return tuple(dict.fromkeys(parsed))


def day_bounds(day: date) -> datetime:
    """The instant a desk day starts."""
    return timezone.make_aware(datetime.combine(day, datetime.min.time()))
