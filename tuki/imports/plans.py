"""What an importer makes of its source before anything is written: a plan per ticket.

A format's reader (servicenow.py, ticketcsv.py) turns its rows into TicketPlans, naming
people, groups, locations and categories as the source does; the writer (services.py)
resolves the names through the directory and writes plans in batches. Rows a reader cannot
use become BadRows (line number and reason), reported and skipped.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from tuki.imports.directory import Person


@dataclass(frozen=True)
class BadRow:
    line: int
    reason: str


@dataclass
class EventPlan:
    """One TicketEvent: what happened at `at`, by whom (None: the system)."""

    at: datetime
    actor: Person | None
    action: str
    field: str = ""
    old: str = ""
    new: str = ""
    reason: str = ""


@dataclass
class TicketPlan:
    """One ticket, with its final fields and its history (events in order)."""

    external_id: str
    line: int  # the first line of the source that makes it
    title: str
    requester: Person
    group: str
    created_at: datetime
    status: str = "new"  # a Status key
    kind: str = "incident"
    description: str = ""
    impact: int = 3
    urgency: int = 2
    priority: int = 4
    channel: str = "web"
    owner_group: str = ""  # default: the first group
    assignee: Person | None = None
    created_by: Person | None = None
    organisation: str = ""
    location: str = ""
    category: tuple[str, ...] = ()
    updated_at: datetime | None = None
    first_response_at: datetime | None = None
    resolved_at: datetime | None = None
    closed_at: datetime | None = None
    reopen_count: int = 0
    reassignment_count: int = 0
    resolution: str = ""
    events: list[EventPlan] = field(default_factory=list)
    members: list[tuple[str, Person]] = field(default_factory=list)  # (group, agent)

    def people(self) -> list[Person]:
        found = [self.requester, self.assignee, self.created_by]
        found += [e.actor for e in self.events]
        found += [person for _, person in self.members]
        return [p for p in found if p is not None]


@dataclass
class Source:
    """What a reader found: the plans (lazy), how many, and what it could not use."""

    name: str  # ImportedRecord.source
    plans: Iterator[TicketPlan]
    records: int  # tickets the plans will make
    skipped: list[str]  # records with no usable row (external ids)
    bad_rows: list[BadRow]
    rows_read: int


class Clock:
    """Parses the source's naive timestamps in the desk's time zone (cached: logs repeat)."""

    def __init__(self, time_zone: str, formats: tuple[str, ...]) -> None:
        self.zone = ZoneInfo(time_zone)
        self.formats = formats
        self.seen: dict[str, datetime | None] = {}

    def parse(self, text: str) -> datetime | None:
        """None for an empty or missing value ("?"); ValueError for one it cannot read."""
        text = text.strip()
        if text in ("", "?"):
            return None
        if text not in self.seen:
            self.seen[text] = self._parse(text)
        return self.seen[text]

    def _parse(self, text: str) -> datetime:
        for fmt in self.formats:
            try:
                value = datetime.strptime(text, fmt)
            except ValueError:
                continue
            return value.replace(tzinfo=self.zone) if value.tzinfo is None else value
        try:
            value = datetime.fromisoformat(text)
        except ValueError:
            raise ValueError(f"unreadable date {text!r}") from None
        return value.replace(tzinfo=self.zone) if value.tzinfo is None else value
