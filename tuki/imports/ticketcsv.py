"""A CSV file of tickets, one per row, its columns mapped to ticket fields.

Each row becomes a ticket registered at its `created_at`, assigned, and moved to its status
at its resolution and closing times, as events with those timestamps. A row without a
title or a requester's email, or with a value that does not read (a date, a priority, a
status or channel Tuki does not know), is a bad row: reported by line and skipped.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from datetime import datetime
from typing import TextIO

from tuki.accounts.models import SupportGroup
from tuki.imports.directory import Directory, Person, split_path
from tuki.imports.plans import BadRow, Clock, EventPlan, Source, TicketPlan
from tuki.tickets.models import Channel, EventAction, Kind, PriorityRule, Status, StatusCategory

SOURCE = "tickets"
FIELDS = (
    "external_id",
    "title",
    "description",
    "requester",  # email
    "requester_name",
    "organisation",
    "location",
    "group",
    "assignee",  # email
    "assignee_name",
    "category",  # a path: "Network > VPN"
    "kind",
    "priority",
    "impact",
    "urgency",
    "status",
    "channel",
    "created_at",
    "resolved_at",
    "closed_at",
    "resolution",
)
DEFAULT_GROUP = "Service desk"


def parse_mapping(pairs: list[str]) -> dict[str, str]:
    """["Subject=title", ...] → {field: column}; ValueError names a bad pair."""
    mapping: dict[str, str] = {}
    for pair in pairs:
        column, sep, name = pair.rpartition("=")
        if not sep or not column or name not in FIELDS:
            raise ValueError(f"--map {pair!r}: use COLUMN=FIELD, FIELD one of {', '.join(FIELDS)}")
        mapping[name] = column
    return mapping


class Vocabulary:
    """Statuses, channels, kinds and the priority matrix, read once; how values read."""

    def __init__(self) -> None:
        self.statuses: dict[str, Status] = {}
        for status in Status.objects.order_by("-order"):  # the first of a category wins
            for name in (status.category, status.name, status.label, status.key):
                self.statuses[name.lower()] = status
        self.channels = _choices(Channel)
        self.kinds = _choices(Kind)
        self.matrix = {(r.impact, r.urgency): r.priority for r in PriorityRule.objects.all()}
        desk = SupportGroup.objects.filter(tier=SupportGroup.Tier.SERVICE_DESK).first()
        self.default_group = desk.name if desk else DEFAULT_GROUP

    def status(self, text: str) -> Status:
        try:
            return self.statuses[text.lower()]
        except KeyError:
            raise ValueError(f"unknown status {text!r}") from None

    @staticmethod
    def level(text: str, name: str, top: int) -> int:
        try:
            value = int(text.split("-", 1)[0].strip())
        except ValueError:
            raise ValueError(f"unreadable {name} {text!r}") from None
        if not 1 <= value <= top:
            raise ValueError(f"{name} {value} out of range 1-{top}")
        return value


def _choices(choices: type[Channel] | type[Kind]) -> dict[str, str]:
    found: dict[str, str] = {}
    for value, label in choices.choices:
        found[str(value).lower()] = str(value)
        found[str(label).lower()] = str(value)
    return found


def _pick(table: dict[str, str], text: str, name: str) -> str:
    try:
        return table[text.lower()]
    except KeyError:
        raise ValueError(f"unknown {name} {text!r}") from None


class RowReader:
    def __init__(
        self, mapping: dict[str, str], directory: Directory, clock: Clock, words: Vocabulary
    ) -> None:
        self.mapping, self.directory, self.clock, self.words = mapping, directory, clock, words

    def value(self, row: dict[str, str], name: str) -> str:
        return (row.get(self.mapping.get(name, name)) or "").strip()

    def person(self, row: dict[str, str], name: str, *, agent: bool) -> Person | None:
        email = self.value(row, name)
        if not email:
            return None
        if "@" not in email:
            raise ValueError(f"{name} {email!r} is not an email address")
        full_name = self.value(row, f"{name}_name") or email.split("@")[0]
        return self.directory.person(full_name, agent=agent, email=email)

    def when(self, row: dict[str, str], name: str) -> datetime | None:
        return self.clock.parse(self.value(row, name))

    def plan(self, row: dict[str, str], line: int) -> TicketPlan:
        title, requester = self.value(row, "title"), self.person(row, "requester", agent=False)
        if not title or requester is None:
            raise ValueError("no title or no requester")
        created = self.when(row, "created_at")
        if created is None:
            raise ValueError("no created_at")
        plan = TicketPlan(
            external_id=self.value(row, "external_id") or f"line-{line}",
            line=line,
            title=title,
            requester=requester,
            group=self.value(row, "group") or self.words.default_group,
            created_at=created,
            description=self.value(row, "description"),
            assignee=self.person(row, "assignee", agent=True),
            organisation=self.value(row, "organisation"),
            location=self.value(row, "location"),
            category=split_path(self.value(row, "category")),
            resolution=self.value(row, "resolution"),
        )
        self._levels(row, plan)
        if kind := self.value(row, "kind"):
            plan.kind = _pick(self.words.kinds, kind, "kind")
        if channel := self.value(row, "channel"):
            plan.channel = _pick(self.words.channels, channel, "channel")
        self._history(row, plan)
        return plan

    def _levels(self, row: dict[str, str], plan: TicketPlan) -> None:
        level = self.words.level
        if impact := self.value(row, "impact"):
            plan.impact = level(impact, "impact", 3)
        if urgency := self.value(row, "urgency"):
            plan.urgency = level(urgency, "urgency", 3)
        if priority := self.value(row, "priority"):
            plan.priority = level(priority, "priority", 5)
        else:
            plan.priority = self.words.matrix.get((plan.impact, plan.urgency), plan.priority)

    def _history(self, row: dict[str, str], plan: TicketPlan) -> None:
        """Registered, assigned, then moved to its status when it got there."""
        status = self.words.status(self.value(row, "status") or "new")
        resolved, closed = self.when(row, "resolved_at"), self.when(row, "closed_at")
        at = plan.created_at
        plan.events.append(
            EventPlan(at, plan.requester, EventAction.CREATED, new=str(Kind(plan.kind).label))
        )
        if plan.assignee is not None:
            event = EventPlan(at, None, EventAction.ASSIGNED, "assignee", new=plan.assignee.name)
            plan.events.append(event)
            plan.members.append((plan.group, plan.assignee))
        steps: list[tuple[str, datetime]] = []
        if status.category == StatusCategory.CLOSED:
            if resolved is not None:
                steps.append(("resolved", resolved))
            steps.append((status.key, closed or resolved or at))
        elif status.category != StatusCategory.NEW:
            steps.append(
                (status.key, resolved if status.category == "resolved" and resolved else at)
            )
        previous = "new"
        for key, when in steps:
            when = max(when, at)
            plan.events.append(
                EventPlan(when, plan.assignee, EventAction.STATUS, "status", previous, key)
            )
            previous, at = key, when
        plan.status = previous
        category = self.words.statuses[previous].category
        if category in (StatusCategory.RESOLVED, StatusCategory.CLOSED):
            plan.resolved_at = max(resolved or at, plan.created_at)
        if category == StatusCategory.CLOSED:
            plan.closed_at = at
        plan.updated_at = at


def source(
    stream: TextIO, directory: Directory, clock: Clock, mapping: dict[str, str], name: str
) -> Source:
    reader = csv.DictReader(stream)
    columns = set(reader.fieldnames or [])
    absent = sorted(c for c in mapping.values() if c not in columns)
    if absent:
        raise ValueError(f"no column {', '.join(absent)} in the file")
    rows = RowReader(mapping, directory, clock, Vocabulary())
    plans: list[TicketPlan] = []
    bad: list[BadRow] = []
    read = 0
    seen: set[str] = set()
    for row in reader:
        read += 1
        try:
            plan = rows.plan(row, reader.line_num)
        except ValueError as error:
            bad.append(BadRow(reader.line_num, str(error)))
            continue
        if plan.external_id in seen:
            bad.append(BadRow(reader.line_num, f"external id {plan.external_id!r} repeated"))
            continue
        seen.add(plan.external_id)
        plans.append(plan)
    iterator: Iterator[TicketPlan] = iter(plans)
    return Source(name, iterator, len(plans), [], bad, read)
