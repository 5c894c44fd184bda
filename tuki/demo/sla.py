"""Service levels for the demo: office calendars, one agreement and policy per client.

The rules are made before the tickets, so every ticket's clocks start through the normal
ticket events. Those run in real time, seconds apart, and the Timeline then moves the
tickets' history into the past; the clocks would still say "started a second ago". The sla
app has no replay of a ticket's history, so `replay_clocks` deletes the demo tickets' clocks
and feeds each ticket's (backdated) events to the engine again in chronological order, as
the receiver would have done had they happened then, firing the warnings and breaches that
fell due in between at their own instants.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, TypeVar

from tuki.accounts.models import Organisation, SupportGroup, User
from tuki.calendars.models import Calendar
from tuki.calendars.services import CalendarInput, create_calendar
from tuki.sla.matching import Rules
from tuki.sla.models import Agreement, OlaTarget, SlaClock, SlaPolicy, SlaTarget, SlaTimer
from tuki.sla.services import fire_timer, handle_event
from tuki.tickets.models import ActorKind, EventAction, Kind, Status, Ticket, TicketEvent

T = TypeVar("T")
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri")
# name, time zone, opening, closing, holiday country
CALENDARS = [
    ("Helsinki office", "Europe/Helsinki", "08:00", "17:00", "FI"),
    ("Bucharest office", "Europe/Bucharest", "09:00", "18:00", "RO"),
]
# organisation, calendar
CLIENT_CALENDARS = {"Revontuli Oy": "Helsinki office", "Carpatica SRL": "Bucharest office"}
# priority: first response, next response, resolution (business minutes; a day is 9 h)
TARGETS = {
    1: (30, 60, 240),
    2: (60, 120, 540),
    3: (240, 240, 1620),
    4: (480, 540, 2700),
    5: (540, 1080, 4500),
}
# How long a second-line group may hold a ticket: any priority, then the urgent ones.
OLA_MINUTES = {None: 1080, 1: 120, 2: 360}
PROGRESS_EVERY = 50  # tickets between two progress lines
SECOND_LINE = ("Network Helsinki", "Network Bucharest", "Workplace Bucharest")


def setup_sla(admin: User, groups: dict[str, SupportGroup], now: datetime) -> None:
    """Calendars, policies and agreements (idempotent: existing ones are kept)."""
    calendars = {name: _calendar(admin, name, *rest) for name, *rest in CALENDARS}
    for order, (org_name, calendar_name) in enumerate(CLIENT_CALENDARS.items(), start=1):
        organisation = Organisation.objects.get(name=org_name)
        policy = make_policy(f"{org_name} standard", order, organisation, groups)
        if not Agreement.objects.filter(organisation=organisation).exists():
            # From well before the oldest demo ticket: coverage is decided on the opening day.
            Agreement.objects.create(
                name=f"{org_name} {now.year - 1}",
                organisation=organisation,
                policy=policy,
                calendar=calendars[calendar_name],
                valid_from=(now - timedelta(days=400)).date(),
            )


def _calendar(
    admin: User, name: str, time_zone: str, start: str, end: str, country: str
) -> Calendar:
    existing = Calendar.objects.filter(name=name).first()
    if existing is not None:
        return existing
    week = {day: [[start, end]] for day in WEEKDAYS}
    data = CalendarInput(name=name, time_zone=time_zone, week=week, holiday_country=country)
    return create_calendar(admin, data)


def make_policy(
    name: str, order: int, organisation: Organisation | None, groups: dict[str, SupportGroup]
) -> SlaPolicy:
    """A policy with the demo's targets: for one client, or (no organisation) for whatever
    incident or request no client's policy covers."""
    policy, created = SlaPolicy.objects.get_or_create(
        name=name,
        defaults={
            "order": order,
            # Problems and changes run for weeks by design: no customer clock for them.
            "kinds": [Kind.INCIDENT.value, Kind.REQUEST.value],
            "warning_thresholds": [75, 90],
        },
    )
    if not created:
        return policy
    if organisation is not None:
        policy.organisations.add(organisation)
    SlaTarget.objects.bulk_create(
        SlaTarget(
            policy=policy,
            priority=priority,
            first_response_minutes=first,
            next_response_minutes=following,
            resolution_minutes=resolution,
        )
        for priority, (first, following, resolution) in TARGETS.items()
    )
    OlaTarget.objects.bulk_create(
        OlaTarget(policy=policy, group=groups[group], priority=priority, minutes=minutes)
        for group in SECOND_LINE
        for priority, minutes in OLA_MINUTES.items()
    )
    return policy


@contextmanager
def frozen_rules() -> Iterator[None]:
    """Load the SLA rules once while the demo plays: nothing changes them meanwhile.

    The engine reloads them for every ticket event (a dozen queries), which was most of
    the time the demo spent on service levels."""
    rules = Rules.load()
    original = Rules.__dict__["load"]
    Rules.load = classmethod(lambda cls: rules)  # type: ignore[method-assign,assignment]  # replaced while the demo plays, restored below
    try:
        yield
    finally:
        Rules.load = original  # type: ignore[method-assign]  # the original classmethod, put back


# --- replaying the backdated history -----------------------------------------------------------


@dataclass
class _State:
    """What the engine reads of a ticket that changes over its story."""

    status: Status
    group: SupportGroup  # a ticket always has one


def replay_clocks(
    ticket_ids: Sequence[int], now: datetime, progress: Callable[[str], None]
) -> None:
    """Rebuild the clocks of these tickets from their backdated events (see the module doc)."""
    SlaClock.objects.filter(ticket_id__in=ticket_ids).delete()  # logs and timers cascade
    TicketEvent.objects.filter(ticket_id__in=ticket_ids, actor_kind=ActorKind.SLA).delete()
    statuses = {s.name: s for s in Status.objects.all()}
    groups = {g.name: g for g in SupportGroup.objects.all()}
    tickets = Ticket.objects.filter(pk__in=ticket_ids).select_related(
        "status", "group", "category", "organisation", "requester"
    )
    for done, ticket in enumerate(tickets.order_by("created_at", "pk"), start=1):
        events = list(ticket.events.select_related("comment__author").order_by("created_at", "pk"))
        state = _State(
            status=_initial(events, "status", statuses, ticket.status),
            group=_initial(events, "group", groups, ticket.group),
        )
        for event in events:
            _fire_due(ticket, event.created_at)
            if _changes(event, "status"):
                state.status = statuses[event.new_value]
            elif _changes(event, "group"):
                state.group = groups[event.new_value]
            # In memory only, never saved: the engine reads the ticket as it was then.
            ticket.status, ticket.group = state.status, state.group
            event.ticket = ticket
            _stamped(event.created_at, handle_event, event)
        _fire_due(ticket, now)
        if done % PROGRESS_EVERY == 0 or done == len(ticket_ids):
            progress(f"Replaying SLA clocks {done}/{len(ticket_ids)}")


def _changes(event: TicketEvent, field: str) -> bool:
    if field == "status":
        return event.action == EventAction.STATUS and event.field == "status"
    return event.action in (EventAction.ESCALATED, EventAction.GROUP) and event.field == "group"


def _initial(events: list[TicketEvent], field: str, by_name: dict[str, T], final: T) -> T:
    """The value before the first change of `field` (its old value), else the final one."""
    first = next((e for e in events if _changes(e, field)), None)
    return by_name[first.old_value] if first is not None else final


def _fire_due(ticket: Ticket, until: datetime) -> None:
    """Fire this ticket's warnings and breaches due by `until`, each at its own instant."""
    while True:
        timer = (
            SlaTimer.objects.filter(clock__ticket=ticket, fired_at__isnull=True, due_at__lte=until)
            .order_by("due_at", "pk")
            .first()
        )
        if timer is None:
            return
        due = timer.due_at
        assert due is not None  # the filter above
        _stamped(due, fire_timer, timer.pk, now=due)
        # A timer that could not fire (its clock stopped meanwhile) must not loop forever.
        SlaTimer.objects.filter(pk=timer.pk, fired_at__isnull=True).update(fired_at=due)


def _stamped(at: datetime, action: Callable[..., object], *args: Any, **kwargs: Any) -> None:
    """Run `action`; the SLA events it records are dated `at`, not the real clock's now."""
    mark = TicketEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    action(*args, **kwargs)
    TicketEvent.objects.filter(pk__gt=mark, actor_kind=ActorKind.SLA).update(created_at=at)
