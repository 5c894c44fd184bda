"""ServiceNow's incident event log (the UCI log's format): one row per update of an incident.

Each incident's rows, in the file's order, are replayed as the events they were: the
incident is registered at `opened_at` by `opened_by`; then each row, at `sys_updated_at`
by `sys_updated_by`, changes the status, the group, the assignee, the priority or the
category when they differ from the row before. docs/importing.md has the mapping.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import TextIO

from tuki.imports.directory import Directory, Person
from tuki.imports.plans import BadRow, Clock, EventPlan, Source, TicketPlan
from tuki.tickets.models import EventAction, StatusCategory

SOURCE = "servicenow-log"
DATE_FORMATS = ("%d/%m/%Y %H:%M", "%d/%m/%Y %H:%M:%S", "%Y-%m-%d %H:%M:%S")
MISSING = ("", "?")

# ServiceNow's incident states → Tuki's status keys (and so their categories).
STATES = {
    "New": "new",
    "Active": "in_progress",
    "In Progress": "in_progress",
    "Awaiting User Info": "pending_customer",
    "Awaiting Evidence": "pending_customer",
    "Awaiting Caller": "pending_customer",
    "On Hold": "pending_customer",
    "Awaiting Vendor": "pending_supplier",
    "Awaiting Problem": "pending_supplier",
    "Awaiting Change": "pending_supplier",
    "Resolved": "resolved",
    "Closed": "closed",
    "Canceled": "cancelled",
    "Cancelled": "cancelled",
}
# The log's contact types as Tuki's channels (as tuki/demo/data/derive_uci.py reads them).
CHANNELS = {
    "Phone": "phone",
    "IVR": "phone",
    "Email": "email",
    "Self service": "web",
    "Direct opening": "chat",
}
REQUIRED = ("number", "incident_state", "opened_at", "sys_updated_at", "priority")
# The columns a replay reads (the rest of a row is dropped as soon as it is checked).
KEPT = (
    "number",
    "reassignment_count",
    "caller_id",
    "opened_by",
    "sys_updated_by",
    "contact_type",
    "location",
    "category",
    "subcategory",
    "u_symptom",
    "cmdb_ci",
    "assignment_group",
    "assigned_to",
    "problem_id",
    "rfc",
    "vendor",
    "caused_by",
    "closed_code",
    "resolved_by",
)
ENDED = ("resolved", "closed", "cancelled")
STATUS_CATEGORY = {
    "new": StatusCategory.NEW,
    "in_progress": StatusCategory.OPEN,
    "pending_customer": StatusCategory.PENDING,
    "pending_supplier": StatusCategory.PENDING,
    "resolved": StatusCategory.RESOLVED,
    "closed": StatusCategory.CLOSED,
    "cancelled": StatusCategory.CLOSED,
}


def _level(text: str) -> int:
    """ "2 - Medium" → 2."""
    return int(text.split("-", 1)[0].strip())


@dataclass
class Row:
    """A row that passed the checks, its values parsed."""

    line: int
    raw: dict[str, str]
    state: str
    at: datetime
    opened: datetime
    impact: int
    urgency: int
    priority: int

    def get(self, column: str) -> str:
        value = (self.raw.get(column) or "").strip()
        return "" if value in MISSING else value


def read_incidents(
    stream: TextIO, clock: Clock
) -> tuple[list[tuple[str, list[Row]]], list[BadRow], int]:
    """The incidents in the order of their first row, with their good rows; the bad rows;
    the number of data rows read."""
    reader = csv.DictReader(stream)
    missing = [c for c in REQUIRED if c not in (reader.fieldnames or [])]
    if missing:
        raise ValueError(f"not a ServiceNow incident log: no column {', '.join(missing)}")
    incidents: dict[str, list[Row]] = {}
    bad: list[BadRow] = []
    read = 0
    for raw in reader:
        read += 1
        line = reader.line_num
        number = (raw.get("number") or "").strip()
        try:
            row = _parse(raw, line, clock)
        except ValueError as error:
            bad.append(BadRow(line, f"{number or 'no number'}: {error}"))
            if number:  # known, so that an incident with no good row is listed as skipped
                incidents.setdefault(number, [])
            continue
        incidents.setdefault(number, []).append(row)
    return list(incidents.items()), bad, read


def _parse(raw: dict[str, str], line: int, clock: Clock) -> Row:
    if not (raw.get("number") or "").strip():
        raise ValueError("no incident number")
    state = (raw.get("incident_state") or "").strip()
    if state not in STATES:
        raise ValueError(f"unknown incident_state {state!r}")
    at, opened = clock.parse(raw["sys_updated_at"]), clock.parse(raw["opened_at"])
    if at is None or opened is None:
        raise ValueError("no opened_at or sys_updated_at")
    try:
        levels = [_level(raw.get(c) or "") for c in ("impact", "urgency", "priority")]
    except ValueError:
        raise ValueError("unreadable impact, urgency or priority") from None
    if not (1 <= levels[0] <= 3 and 1 <= levels[1] <= 3 and 1 <= levels[2] <= 5):
        raise ValueError("impact, urgency or priority out of range")
    kept = {c: raw[c] for c in KEPT if c in raw}  # the whole log is held: only what is read
    return Row(line, kept, STATES[state], at, opened, *levels)


class Replay:
    """Builds one incident's plan from its good rows, event by event."""

    def __init__(self, number: str, rows: list[Row], directory: Directory, clock: Clock):
        self.rows, self.directory, self.clock = rows, directory, clock
        first = rows[0]
        self.opened = first.opened
        self.plan = TicketPlan(
            external_id=number,
            line=first.line,
            title=self._title(first),
            requester=self._person(first.get("caller_id"), agent=False) or self._unknown(),
            group=first.get("assignment_group") or "Imported",
            created_at=self.opened,
            impact=first.impact,
            urgency=first.urgency,
            priority=first.priority,
            channel=CHANNELS.get(first.get("contact_type"), "phone"),
            created_by=self._person(first.get("opened_by"), agent=True),
            location=first.get("location"),
            category=self._category(first),
            description=self._description(first),
        )
        self.plan.owner_group = self.plan.group
        self.last_resolved: datetime | None = None
        self.last_closed: datetime | None = None

    def _person(self, name: str, *, agent: bool) -> Person | None:
        return self.directory.person(" ".join(name.split()), agent=agent) if name else None

    def _unknown(self) -> Person:
        return self.directory.person("Unknown caller", agent=False)

    @staticmethod
    def _title(row: Row) -> str:
        what = row.get("u_symptom") or row.get("subcategory") or row.get("category") or "?"
        return f"{row.get('number')}: {what}"[:200]

    @staticmethod
    def _category(row: Row) -> tuple[str, ...]:
        path = (row.get("category"), row.get("subcategory"))
        return tuple(p for p in path if p) if path[0] else ()

    @staticmethod
    def _description(row: Row) -> str:
        columns = ("u_symptom", "cmdb_ci", "problem_id", "rfc", "vendor", "caused_by")
        parts = [f"{c}: {row.get(c)}" for c in columns if row.get(c)]
        return "\n".join([f"Imported from ServiceNow incident {row.get('number')}.", *parts])

    def _event(self, at: datetime, actor: Person | None, action: str, **values: str) -> None:
        self.plan.events.append(EventPlan(max(at, self.opened), actor, action, **values))

    def run(self) -> TicketPlan:
        plan = self.plan
        self._event(self.opened, plan.created_by, EventAction.CREATED, new="Incident")
        state = {"status": "new", "group": plan.group, "assignee": "", "category": plan.category}
        levels = {"impact": plan.impact, "urgency": plan.urgency, "priority": plan.priority}
        for row in self.rows:
            actor = self._person(row.get("sys_updated_by"), agent=True)
            self._group(row, actor, state)
            self._assignee(row, actor, state)
            self._levels(row, actor, levels)
            self._recategorise(row, actor, state)
            self._status(row, actor, state)
        self._finish(state, levels)
        return plan

    def _group(self, row: Row, actor: Person | None, state: dict) -> None:
        group = row.get("assignment_group") or state["group"]
        if group != state["group"]:
            self._event(
                row.at, actor, EventAction.GROUP, field="group", old=state["group"], new=group
            )
            self.plan.reassignment_count += 1
            state["group"] = group
        # The source counts reassignments it logged no row for (an assignee moved within
        # the group): each is replayed as a reassignment within the group.
        counted = int(row.get("reassignment_count") or 0)
        while self.plan.reassignment_count < counted:
            self._event(
                row.at,
                actor,
                EventAction.GROUP,
                field="group",
                old=group,
                new=group,
                reason="Reassignment counted by the source system",
            )
            self.plan.reassignment_count += 1

    def _assignee(self, row: Row, actor: Person | None, state: dict) -> None:
        name = " ".join(row.get("assigned_to").split())
        if name and name != state["assignee"]:
            self._event(
                row.at,
                actor,
                EventAction.ASSIGNED,
                field="assignee",
                old=state["assignee"],
                new=name,
            )
            state["assignee"] = name
            agent = self.directory.person(name, agent=True)
            self.plan.members.append((state["group"], agent))

    def _levels(self, row: Row, actor: Person | None, levels: dict) -> None:
        for name, value in (
            ("impact", row.impact),
            ("urgency", row.urgency),
            ("priority", row.priority),
        ):
            if value != levels[name]:
                self._event(
                    row.at,
                    actor,
                    EventAction.FIELD,
                    field=name,
                    old=str(levels[name]),
                    new=str(value),
                )
                levels[name] = value

    def _recategorise(self, row: Row, actor: Person | None, state: dict) -> None:
        category = self._category(row)
        if category and category != state["category"]:
            old, new = " › ".join(state["category"]), " › ".join(category)
            self._event(row.at, actor, EventAction.FIELD, field="category", old=old, new=new)
            state["category"] = category

    def _status(self, row: Row, actor: Person | None, state: dict) -> None:
        old, new = state["status"], row.state
        if new == old:
            return
        self._event(row.at, actor, EventAction.STATUS, field="status", old=old, new=new)
        if old in ENDED and new not in ENDED:
            self.plan.reopen_count += 1
            self.last_resolved = None
        if new in ENDED and old not in ENDED:  # resolved (or closed) from an active state
            self.last_resolved = row.at
        if STATUS_CATEGORY[new] == StatusCategory.CLOSED:
            self.last_closed = row.at
        if self.plan.first_response_at is None and old == "new":
            self.plan.first_response_at = row.at
        state["status"] = new

    def _finish(self, state: dict, levels: dict) -> None:
        plan, last = self.plan, self.rows[-1]
        plan.status = state["status"]
        plan.group = state["group"]
        plan.category = state["category"]
        plan.impact, plan.urgency, plan.priority = (
            levels["impact"],
            levels["urgency"],
            levels["priority"],
        )
        if state["assignee"]:
            plan.assignee = self.directory.person(state["assignee"], agent=True)
        plan.updated_at = max(e.at for e in plan.events)
        if plan.channel == "phone":
            # A call registered while talking to the caller is the first response.
            plan.first_response_at = self.opened
        # The moments the status changed, as Tuki stamps them (the source's resolved_at is
        # sometimes a later update made while resolved: docs/importing.md).
        if plan.status in ENDED:
            plan.resolved_at = self.last_resolved or plan.updated_at
        if STATUS_CATEGORY[plan.status] == StatusCategory.CLOSED:
            plan.closed_at = self.last_closed or plan.updated_at
        code, resolver = last.get("closed_code"), last.get("resolved_by")
        plan.resolution = ", ".join(filter(None, [code, resolver and f"resolved by {resolver}"]))


def source(stream: TextIO, directory: Directory, clock: Clock) -> Source:
    """The log's incidents as plans (built lazily, one incident at a time)."""
    incidents, bad, read = read_incidents(stream, clock)
    usable = [(number, rows) for number, rows in incidents if rows]

    def build() -> Iterator[TicketPlan]:
        for number, rows in usable:
            yield Replay(number, rows, directory, clock).run()

    skipped = [number for number, rows in incidents if not rows]
    return Source(SOURCE, build(), len(usable), skipped, bad, read)
