"""The single definition of a ticket's report figures: `refresh(ticket_ids)` recomputes
their `TicketFact` rows from the tickets, their events, SLA clocks and survey answers.

Safe to run twice and in any order: each row is computed from the stored history alone
and written with one upsert. docs/reports.md defines each figure in words.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from tuki.accounts.models import SupportGroup
from tuki.calendars.arithmetic import Schedule, business_minutes_between
from tuki.calendars.models import Calendar
from tuki.reports import rollups
from tuki.reports.filters import day_bounds, desk_day
from tuki.reports.models import TicketFact
from tuki.sla.models import Agreement, ClockState, Metric, Service, SlaClock
from tuki.surveys.models import SurveyResponse
from tuki.tickets.models import (
    Category,
    EventAction,
    ResolutionCode,
    Status,
    StatusCategory,
    Ticket,
    TicketEvent,
)

BATCH = 500
# A ticket resolved within this many minutes of its registration, never having left the
# desk, been pending or reopened, was resolved at first contact (docs/reports.md).
FIRST_CONTACT_MINUTES = 30
# A group change recorded within this long of the registration is the registration's own
# routing (create_ticket with a group), not a reassignment.
REGISTRATION_SLACK = timedelta(seconds=1)

DONE = (StatusCategory.RESOLVED, StatusCategory.CLOSED)
GROUP_ACTIONS = (EventAction.GROUP, EventAction.ESCALATED)

FACT_FIELDS = [f.name for f in TicketFact._meta.concrete_fields if not f.primary_key]
# What a fact says (all but when it was computed): a change of any marks its months.
COMPARED = [name for name in FACT_FIELDS if name != "refreshed_at"]
_ATTNAMES = {f.name: f.attname for f in TicketFact._meta.concrete_fields if f.name in COMPARED}


@dataclass
class History:
    """What a ticket's events tell, replayed in order (`replay`)."""

    first_resolved_at: datetime | None = None
    last_resolved_at: datetime | None = None
    reopen_count: int = 0
    hops: int = 0
    moved: bool = False  # any group change, the registration's routing included
    second_line: bool = False
    pending_minutes: float = 0.0
    was_pending: bool = False
    groups_seen: list[str] = field(default_factory=list)


def replay(
    events: Sequence[dict[str, Any]],
    created_at: datetime,
    category_of_status: Callable[[str], str | None],
    tier_of_group: Callable[[str], int],
    now: datetime,
) -> History:
    """Walk one ticket's events (dicts with action, field, old_value, new_value,
    created_at; in the order they were recorded)."""
    history = History()
    pending_since: datetime | None = None
    state: str | None = None
    registered = created_at
    other_seen = False
    for event in events:
        action, at = event["action"], event["created_at"]
        if action == EventAction.CREATED:
            registered = at
            continue
        if action in GROUP_ACTIONS and event["field"] == "group":
            history.moved = True
            if other_seen or at - registered > REGISTRATION_SLACK:
                history.hops += 1
            if tier_of_group(event["new_value"]) >= SupportGroup.Tier.SPECIALISTS:
                history.second_line = True
            continue
        other_seen = True
        if action != EventAction.STATUS:
            continue
        old = state or category_of_status(event["old_value"])
        new = category_of_status(event["new_value"])
        state = new
        if old == StatusCategory.PENDING and new != StatusCategory.PENDING and pending_since:
            history.pending_minutes += (at - pending_since).total_seconds() / 60
            pending_since = None
        if new == StatusCategory.PENDING and old != StatusCategory.PENDING:
            pending_since, history.was_pending = at, True
        if new in DONE and old not in DONE:
            history.first_resolved_at = history.first_resolved_at or at
            history.last_resolved_at = at
        elif old in DONE and new not in DONE:
            history.reopen_count += 1
    if pending_since is not None:
        history.pending_minutes += max(0.0, (now - pending_since).total_seconds() / 60)
    return history


def sla_outcome(clocks: Iterable[dict[str, Any]]) -> bool | None:
    """Met (True), missed (False) or not decided yet (None) over clocks of one metric:
    missed when any breached; met when all the others met; cancelled clocks do not count."""
    states = [c["state"] for c in clocks if c["state"] != ClockState.CANCELLED]
    if not states:
        return None
    if ClockState.BREACHED in states:
        return False
    if all(s == ClockState.MET for s in states):
        return True
    return None


class Context:
    """The configuration a batch needs, read once: statuses, groups, categories' services,
    agreements, calendars."""

    def __init__(self) -> None:
        self.now = timezone.now()
        self.status_category = {s.pk: s.category for s in Status.objects.all()}
        self.category_by_name: dict[str, str] = {}
        for s in Status.objects.all():
            self.category_by_name.setdefault(s.name, s.category)
            self.category_by_name.setdefault(s.key, s.category)
        self.group_tier = dict(SupportGroup.objects.values_list("name", "tier"))
        self.parent = dict(Category.objects.values_list("id", "parent_id"))
        services: dict[int, int] = {}
        through = Service.categories.through
        rows = through.objects.filter(service__is_active=True).order_by("service__name")
        for service_id, category_id in rows.values_list("service_id", "category_id"):
            services.setdefault(category_id, service_id)
        self.service_of_category = services
        self.agreements: dict[int, list[Agreement]] = defaultdict(list)
        for agreement in Agreement.objects.filter(is_active=True).order_by("-valid_from"):
            self.agreements[agreement.organisation_id].append(agreement)
        self.schedules: dict[int | None, Schedule] = {}
        self.default_calendar_id = Calendar.default().pk

    def service(self, category_id: int | None) -> int | None:
        seen = set()
        while category_id is not None and category_id not in seen:
            seen.add(category_id)
            if category_id in self.service_of_category:
                return self.service_of_category[category_id]
            category_id = self.parent.get(category_id)
        return None

    def agreement(self, organisation_id: int | None, day: date) -> int | None:
        for agreement in self.agreements.get(organisation_id or 0, []):
            if agreement.valid_on(day):
                return agreement.pk
        return None

    def schedule(self, calendar_id: int | None) -> Schedule:
        calendar_id = calendar_id or self.default_calendar_id
        found = self.schedules.get(calendar_id)
        if found is None:
            calendar = Calendar.objects.filter(pk=calendar_id).first() or Calendar.default()
            found = self.schedules[calendar_id] = calendar.schedule()
        return found

    def tier(self, name: str) -> int:
        return self.group_tier.get(name, SupportGroup.Tier.SERVICE_DESK)

    def category(self, status_name: str) -> str | None:
        return self.category_by_name.get(status_name)


def _batches(ids: Sequence[int]) -> Iterator[list[int]]:
    for start in range(0, len(ids), BATCH):
        yield list(ids[start : start + BATCH])


def refresh(ticket_ids: Iterable[int], context: Context | None = None) -> int:
    """Recompute the facts of these tickets (those that no longer exist are skipped).
    Returns how many rows were written."""
    ids = sorted(set(ticket_ids))
    if not ids:
        return 0
    context = context or Context()
    written = 0
    for batch in _batches(ids):
        written += _refresh_batch(batch, context)
    return written


def _refresh_batch(ids: list[int], context: Context) -> int:
    tickets = list(Ticket.objects.filter(pk__in=ids).order_by("pk"))
    events: dict[int, list[dict[str, Any]]] = defaultdict(list)
    rows = TicketEvent.objects.filter(ticket_id__in=ids).order_by("ticket_id", "created_at", "id")
    for event in rows.values(
        "ticket_id", "action", "field", "old_value", "new_value", "created_at"
    ):
        events[event["ticket_id"]].append(dict(event))
    clocks: dict[int, list[dict[str, Any]]] = defaultdict(list)
    clock_rows = SlaClock.objects.filter(ticket_id__in=ids).order_by("ticket_id", "id")
    for clock in clock_rows.values("ticket_id", "metric", "state", "calendar_id", "agreement_id"):
        clocks[clock["ticket_id"]].append(dict(clock))
    scores = dict(
        SurveyResponse.objects.filter(ticket_id__in=ids, answered_at__isnull=False)
        .order_by("ticket_id", "answered_at", "id")
        .values_list("ticket_id", "score")
    )
    facts = [_fact(t, events[t.pk], clocks[t.pk], scores.get(t.pk), context) for t in tickets]
    with transaction.atomic():
        # The months a changed fact leaves and enters are to be rolled up again (rollups.py);
        # a fact computed the same as before (a comment, say) leaves them clean.
        before = {
            row[0]: row[1:]
            for row in TicketFact.objects.filter(ticket_id__in=ids).values_list(
                "ticket_id", *COMPARED
            )
        }
        TicketFact.objects.bulk_create(
            facts, update_conflicts=True, unique_fields=["ticket"], update_fields=FACT_FIELDS
        )
        days: set[date | None] = set()
        for fact in facts:
            old = before.get(fact.ticket_id)
            now = tuple(_value(fact, name) for name in COMPARED)
            if old != now:
                days |= {fact.created_day, fact.resolved_day}
                if old is not None:
                    days |= {
                        old[COMPARED.index("created_day")],
                        old[COMPARED.index("resolved_day")],
                    }
        rollups.mark(days)
    return len(facts)


def _value(fact: TicketFact, name: str) -> Any:
    """A field's value as values_list reads it back (foreign keys by their column)."""
    return getattr(fact, _ATTNAMES[name])


def _fact(
    ticket: Ticket,
    events: list[dict[str, Any]],
    clocks: list[dict[str, Any]],
    score: int | None,
    context: Context,
) -> TicketFact:
    history = replay(events, ticket.created_at, context.category, context.tier, context.now)
    category = context.status_category.get(ticket.status_id, StatusCategory.OPEN)
    done = category in DONE
    resolved_at = (history.last_resolved_at or ticket.resolved_at) if done else None
    calendar_id = next((c["calendar_id"] for c in clocks if c["calendar_id"]), None)
    agreement_id = next((c["agreement_id"] for c in clocks if c["agreement_id"]), None)
    created_day = desk_day(ticket.created_at)
    schedule = context.schedule(calendar_id)
    first_response = ticket.first_response_at
    by_metric: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for clock in clocks:
        by_metric[clock["metric"]].append(clock)
    fact = TicketFact(
        ticket_id=ticket.pk,
        created_at=ticket.created_at,
        created_day=created_day,
        kind=ticket.kind,
        channel=ticket.channel,
        priority=ticket.priority,
        category_id=ticket.category_id,
        service_id=context.service(ticket.category_id),
        organisation_id=ticket.organisation_id,
        agreement_id=agreement_id or context.agreement(ticket.organisation_id, created_day),
        owner_group_id=ticket.owner_group_id,
        owner_id=ticket.owner_id,
        group_id=ticket.group_id,
        assignee_id=ticket.assignee_id,
        requester_id=ticket.requester_id,
        restricted=ticket.restricted,
        status_category=category,
        first_response_at=first_response,
        first_resolved_at=(history.first_resolved_at or resolved_at)
        if done
        else history.first_resolved_at,
        resolved_at=resolved_at,
        resolved_day=desk_day(resolved_at) if resolved_at else None,
        reopen_count=history.reopen_count,
        hops=history.hops,
        escalated=history.second_line,
        pending_minutes=round(history.pending_minutes, 4),
        sla_response_met=sla_outcome(by_metric[Metric.FIRST_RESPONSE]),
        sla_resolution_met=sla_outcome(by_metric[Metric.RESOLUTION]) if done else None,
        ola_met=sla_outcome(by_metric[Metric.OLA]) if done else None,
        satisfaction=score,
        refreshed_at=context.now,
    )
    fact.first_response_minutes, fact.first_response_business = _durations(
        schedule, ticket.created_at, first_response
    )
    fact.resolve_minutes, fact.resolve_business = _durations(
        schedule, ticket.created_at, resolved_at
    )
    fact.first_contact = bool(
        done
        and history.reopen_count == 0
        and not history.moved
        and ticket.group_id == ticket.owner_group_id
        and not history.was_pending
        and (
            ticket.resolution_code == ResolutionCode.FIRST_CONTACT
            or (
                fact.first_resolved_at is not None
                and fact.first_resolved_at - ticket.created_at
                <= timedelta(minutes=FIRST_CONTACT_MINUTES)
            )
        )
    )
    return fact


def _durations(
    schedule: Schedule, start: datetime, end: datetime | None
) -> tuple[float | None, float | None]:
    if end is None:
        return None, None
    calendar = max(0.0, (end - start).total_seconds() / 60)
    try:
        business = max(0.0, business_minutes_between(schedule, start, end))
    except ValueError:
        business = None
    return round(calendar, 4), None if business is None else round(business, 4)


def all_ticket_ids(since: date | None = None) -> QuerySet[Ticket]:
    """The tickets `tuki reports rebuild` recomputes: all, or those changed since a day."""
    qs = Ticket.objects.all()
    if since is not None:
        qs = qs.filter(updated_at__gte=day_bounds(since))
    return qs.order_by("pk")


def rebuild(
    since: date | None = None, *, progress: Callable[[int, int], None] | None = None
) -> int:
    """Recompute the facts of every ticket (or those changed since a day) in batches, each
    batch its own transaction, then roll up the months they changed; imports call it once
    they are done. Returns the count."""
    ids = list(all_ticket_ids(since).values_list("pk", flat=True))
    context = Context()
    done = 0
    for batch in _batches(ids):
        with transaction.atomic():
            done += _refresh_batch(batch, context)
        if progress is not None:
            progress(done, len(ids))
    rollups.roll_all()
    return done
