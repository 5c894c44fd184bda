"""Writing an import: plans in batches of whole tickets, one transaction per batch.

An import is a whole-desk operation, like a restore: it writes tickets, their events and
their ImportedRecord rows directly with bulk inserts, not through the ticket services. So no
receiver of `event_recorded` runs: no mail, no notification, no rule, no webhook, no SLA
clock or timer for history that is long over. What must follow the history is rebuilt for
the imported tickets afterwards (`after_import`): the report facts and the search index.

A batch is written whole or not at all (never a half-written ticket), and a ticket already
imported from the same source is skipped: killed halfway and run again, an import writes
the rest and duplicates nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from itertools import islice
from typing import Any

from django.db import connection, transaction

from tuki.imports.directory import Directory
from tuki.imports.models import ImportedRecord
from tuki.imports.plans import BadRow, Source, TicketPlan
from tuki.reports import facts
from tuki.reports.models import TicketFact
from tuki.search import documents, engine
from tuki.tickets.models import ActorKind, EventAction, Status, Ticket, TicketEvent

BATCH = 500
# Called after each batch with (tickets done, total): progress lines, and tests' kills.
Progress = Callable[[int, int], None]


@dataclass
class Summary:
    """How the import reconciles with its source."""

    source: str
    rows_read: int = 0
    records: int = 0  # tickets the source holds (incidents, rows)
    imported: int = 0
    already: int = 0  # imported by an earlier run
    events: int = 0
    skipped: list[str] = field(default_factory=list)  # records with no usable row
    bad_rows: list[BadRow] = field(default_factory=list)
    created: dict[str, int] = field(default_factory=dict)
    ticket_ids: list[int] = field(default_factory=list)
    unfinished: list[int] = field(default_factory=list)  # earlier imports without facts
    dry_run: bool = False

    @property
    def reconciled(self) -> bool:
        return self.imported + self.already == self.records


def run_import(
    source: Source,
    directory: Directory,
    *,
    batch: int = BATCH,
    dry_run: bool = False,
    progress: Progress | None = None,
) -> Summary:
    """Write the source's plans, `batch` tickets per transaction. With dry_run nothing is
    written (people and groups are not created either): the plans are only built, so every
    bad row is found."""
    summary = Summary(
        source.name,
        rows_read=source.rows_read,
        records=source.records,
        skipped=source.skipped,
        bad_rows=source.bad_rows,
        dry_run=dry_run,
    )
    statuses = {s.key: s for s in Status.objects.all()}
    done = 0
    for chunk in _chunks(source.plans, batch):
        if not dry_run:
            _write_batch(source.name, chunk, directory, statuses, summary)
        done += len(chunk)
        if progress is not None:
            progress(done, source.records)
    summary.created = dict(directory.created)
    return summary


def _chunks(plans: Iterator[TicketPlan], size: int) -> Iterator[list[TicketPlan]]:
    while chunk := list(islice(plans, size)):
        yield chunk


def _write_batch(
    source: str,
    plans: list[TicketPlan],
    directory: Directory,
    statuses: dict[str, Status],
    summary: Summary,
) -> None:
    existing = dict(
        ImportedRecord.objects.filter(
            source=source, external_id__in=[p.external_id for p in plans]
        ).values_list("external_id", "ticket_id")
    )
    todo = [p for p in plans if p.external_id not in existing]
    summary.already += len(plans) - len(todo)
    if existing:  # imported by a run killed before it computed their facts: done after
        have = TicketFact.objects.filter(ticket_id__in=list(existing.values()))
        summary.unfinished += sorted(
            set(existing.values()) - set(have.values_list("ticket_id", flat=True))
        )
    if not todo:
        return
    _resolve(todo, directory)
    with transaction.atomic():
        tickets = Ticket.objects.bulk_create([_ticket(p, directory, statuses) for p in todo])
        events = [
            event
            for plan, ticket in zip(todo, tickets, strict=True)
            for event in _events(plan, ticket.pk, directory, statuses)
        ]
        _insert_events(events)
        ImportedRecord.objects.bulk_create(
            [
                ImportedRecord(source=source, external_id=p.external_id, ticket_id=t.pk)
                for p, t in zip(todo, tickets, strict=True)
            ]
        )
    summary.imported += len(todo)
    summary.events += len(events)
    summary.ticket_ids += [t.pk for t in tickets]


def _resolve(plans: list[TicketPlan], directory: Directory) -> None:
    """Find or create what the plans name (committed before the batch's transaction)."""
    directory.ensure_people(p for plan in plans for p in plan.people())
    pairs = []
    for plan in plans:
        for group, agent in plan.members:
            pairs.append((directory.group_id(group), directory.users[agent.email]))
    directory.ensure_members(pairs)


def _ticket(plan: TicketPlan, directory: Directory, statuses: dict[str, Status]) -> Ticket:
    return Ticket(
        kind=plan.kind,
        title=plan.title[:200],
        description=plan.description,
        status=statuses[plan.status],
        impact=plan.impact,
        urgency=plan.urgency,
        priority=plan.priority,
        category_id=directory.category_id(plan.category) if plan.category else None,
        channel=plan.channel,
        requester_id=directory.users[plan.requester.email],
        organisation_id=directory.organisation_id(plan.organisation) if plan.organisation else None,
        location_id=directory.location_id(plan.location) if plan.location else None,
        owner_group_id=directory.group_id(plan.owner_group or plan.group),
        group_id=directory.group_id(plan.group),
        assignee_id=directory.user_id(plan.assignee),
        created_by_id=directory.user_id(plan.created_by),
        created_at=plan.created_at,
        updated_at=plan.updated_at or plan.created_at,
        first_response_at=plan.first_response_at,
        resolved_at=plan.resolved_at,
        closed_at=plan.closed_at,
        reopen_count=plan.reopen_count,
        reassignment_count=plan.reassignment_count,
        resolution=plan.resolution,
    )


EVENT_COLUMNS = (
    "ticket_id",
    "actor_id",
    "actor_kind",
    "action",
    "field",
    "old_value",
    "new_value",
    "reason",
    "created_at",
    "depth",
)


def _events(
    plan: TicketPlan, ticket_id: int, directory: Directory, statuses: dict[str, Status]
) -> Iterator[tuple[Any, ...]]:
    """The plan's events as rows of EVENT_COLUMNS."""
    adapt = connection.ops.adapt_datetimefield_value
    for event in plan.events:
        old, new = event.old, event.new
        if event.action == EventAction.STATUS:  # keys → the names the timeline stores
            old, new = statuses[old].name, statuses[new].name
        actor = directory.user_id(event.actor)
        kind = ActorKind.USER if actor else ActorKind.SYSTEM
        at = adapt(event.at)
        yield (ticket_id, actor, kind, event.action, event.field, old[:300], new[:300],
               event.reason, at, 0)  # fmt: skip


def _insert_events(rows: list[tuple[Any, ...]]) -> None:
    """One prepared INSERT run over every row: the history is most of what an import
    writes, and model instances (bulk_create) cost more than the database does."""
    quote = connection.ops.quote_name
    table = quote(TicketEvent._meta.db_table)
    columns = ", ".join(quote(c) for c in EVENT_COLUMNS)
    marks = ", ".join(["%s"] * len(EVENT_COLUMNS))
    with connection.cursor() as cursor:
        cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", rows)


def after_import(ticket_ids: list[int], progress: Progress | None = None) -> int:
    """What follows the imported history, for these tickets: their report facts (computed
    from the events, as `tuki reports rebuild` does) and their search documents. A batch
    per transaction; safe to run again. Returns the tickets done."""
    context = facts.Context()
    done = 0
    for start in range(0, len(ticket_ids), BATCH):  # bounded `IN (...)` lists
        chunk = ticket_ids[start : start + BATCH]
        with transaction.atomic():
            facts.refresh(chunk, context)
            engine.reindex(documents.TICKET, documents.ticket_documents(chunk))
        done += len(chunk)
        if progress is not None:
            progress(done, len(ticket_ids))
    return done
