"""The SLA engine: ticket events move the clocks; timers fire warnings and breaches once.

Driven by `tickets.signals.event_recorded` (receivers.py), inside the ticket service's
transaction, with the event's time as "now". The rules (docs/sla.md):

- first response and resolution start with the ticket; OLA clocks start when a group with
  an OLA target gets the ticket and stop when it leaves; next response starts with a
  requester's message after the first response and stops at the next public agent reply;
- the policy's pause statuses (default: the pending category) pause every running clock;
- resolving or closing stops them; reopening starts new resolution and OLA cycles;
- a change of priority, kind, category or requester, or of a policy, agreement, service
  or calendar, recomputes the open clocks (and cancels those the new policy has no target
  for).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime

from django.db import connection, transaction
from django.utils import timezone

from tuki.sla import clocks as ops
from tuki.sla.clocks import Work
from tuki.sla.matching import Match, PolicyRules, Rules
from tuki.sla.models import (
    ACTIVE_STATES,
    BREACH,
    ClockChange,
    ClockState,
    Metric,
    SlaClock,
    SlaClockLog,
    SlaTimer,
)
from tuki.tickets.models import (
    ACTIVE_CATEGORIES,
    EventAction,
    StatusCategory,
    Ticket,
    TicketEvent,
)
from tuki.tickets.services import record_sla_event

RECOMPUTE_FIELDS = ("priority", "kind", "category", "requester")
DONE_CATEGORIES = (StatusCategory.RESOLVED, StatusCategory.CLOSED)


# --- entry point from ticket events ----------------------------------------------------------


def handle_event(event: TicketEvent) -> None:
    """Follow one ticket event. The caller's transaction holds the ticket's row lock."""
    ticket, at, action = event.ticket, event.created_at, event.action
    if action == EventAction.CREATED:
        start_ticket_clocks(ticket, at)
    elif action == EventAction.STATUS:
        status_changed(ticket, at)
    elif action == EventAction.REPLY and event.comment_id:
        reply_added(ticket, event, at)
    elif action in (EventAction.ESCALATED, EventAction.GROUP) and event.field == "group":
        group_changed(ticket, at, left=event.old_value)
    elif action == EventAction.FIELD and event.field in RECOMPUTE_FIELDS:
        details = {"field": event.field, "old": event.old_value, "new": event.new_value}
        recompute_ticket(ticket, at, why=event.field, details=details)


def _clocks(ticket: Ticket) -> list[SlaClock]:
    return list(SlaClock.objects.filter(ticket=ticket).select_related("policy"))


def _open(clocks: Iterable[SlaClock], metric: str | None = None) -> list[SlaClock]:
    return [c for c in clocks if c.is_open and (metric is None or c.metric == metric)]


def _next_cycle(clocks: Sequence[SlaClock], metric: str, group_id: int | None = None) -> int:
    cycles = [c.cycle for c in clocks if c.metric == metric and c.group_id == group_id]
    return max(cycles, default=0) + 1


def _rules_of(rules: Rules, clock: SlaClock) -> PolicyRules | None:
    return rules.by_policy_id.get(clock.policy_id) if clock.policy_id else None


def _finish(work: Work, ticket: Ticket) -> None:
    work.flush(on_breach=lambda clock, timer: _record_breach(ticket, clock, timer, work.at))


# --- starting --------------------------------------------------------------------------------


def start_ticket_clocks(ticket: Ticket, at: datetime) -> list[SlaClock]:
    """First response, resolution and the first group's OLA, if the policy has targets."""
    rules = Rules.load()
    match = rules.match(ticket)
    if match is None:
        return []
    work = Work(at)
    started = []
    for metric in (Metric.FIRST_RESPONSE, Metric.RESOLUTION):
        clock = _start(work, ticket, match, metric, cycle=1, why="created")
        if clock:
            started.append(clock)
    clock = _start(work, ticket, match, Metric.OLA, cycle=1, why="group", group_id=ticket.group_id)
    if clock:
        started.append(clock)
    _apply_pauses(work, ticket, rules, started)
    if ticket.first_response_at is not None:
        # Registered while talking with the requester (Log a call): answered at once.
        for clock in _open(started, Metric.FIRST_RESPONSE):
            ops.stop(work, clock, "answered_live", {"channel": ticket.channel})
    _finish(work, ticket)
    return started


def _start(
    work: Work,
    ticket: Ticket,
    match: Match,
    metric: str,
    *,
    cycle: int,
    why: str,
    group_id: int | None = None,
    started_at: datetime | None = None,
    extra: Mapping[str, object] | None = None,
) -> SlaClock | None:
    target = match.rules.target_minutes(metric, ticket.priority, group_id)
    if not target:
        return None
    clock = SlaClock(
        ticket=ticket,
        metric=metric,
        group_id=group_id if metric == Metric.OLA else None,
        cycle=cycle,
        policy=match.policy,
        agreement=match.agreement,
        calendar_id=match.calendar_id,
        target_minutes=target,
        started_at=started_at or work.at,
    )
    details = {**match.explanation(), "target": target, **(extra or {})}
    if metric == Metric.OLA and ticket.group_id == group_id:
        details["group"] = ticket.group.name
    return ops.start(work, clock, match.rules.thresholds, why, details)


# --- pauses and stops ------------------------------------------------------------------------


def _apply_pauses(work: Work, ticket: Ticket, rules: Rules, clocks: Iterable[SlaClock]) -> None:
    """Pause or resume each active clock as its policy says for the ticket's status."""
    status = ticket.status
    details = {"status": status.name}
    for clock in clocks:
        policy_rules = _rules_of(rules, clock)
        if policy_rules is None or clock.state not in ACTIVE_STATES:
            continue
        if policy_rules.pauses_on(status.pk, status.category):
            ops.pause(work, clock, "status", details)
        else:
            ops.resume(work, clock, policy_rules.thresholds, "status", details)


def status_changed(ticket: Ticket, at: datetime) -> None:
    clocks = _clocks(ticket)
    if not clocks:
        return
    work = Work(at)
    status = ticket.status
    work.load_timers(_open(clocks))
    if status.category in DONE_CATEGORIES:
        for clock in _open(clocks):
            ops.stop(work, clock, status.category, {"status": status.name})
        _finish(work, ticket)
        return
    rules = Rules.load()
    if not _open(clocks, Metric.RESOLUTION) and any(c.metric == Metric.RESOLUTION for c in clocks):
        clocks += _reopen(work, ticket, rules, clocks)
    _apply_pauses(work, ticket, rules, _open(clocks))
    _finish(work, ticket)


def _reopen(work: Work, ticket: Ticket, rules: Rules, clocks: list[SlaClock]) -> list[SlaClock]:
    """A new cycle of the resolution and the current group's OLA; old cycles stay."""
    match = rules.match(ticket)
    if match is None:
        return []
    started = []
    for metric, group_id in ((Metric.RESOLUTION, None), (Metric.OLA, ticket.group_id)):
        if _open(c for c in clocks if c.metric == metric and c.group_id == group_id):
            continue
        cycle = _next_cycle(clocks, metric, group_id)
        clock = _start(work, ticket, match, metric, cycle=cycle, why="reopened", group_id=group_id)
        if clock:
            started.append(clock)
    return started


def reply_added(ticket: Ticket, event: TicketEvent, at: datetime) -> None:
    comment = event.comment
    if comment is None or comment.is_internal:
        return
    author = comment.author
    clocks = _clocks(ticket)
    if not clocks:
        return
    work = Work(at)
    who = {"author": str(author) if author else ""}
    if author is not None and (author.is_agent or author.is_superuser):
        open_ = _open(clocks, Metric.FIRST_RESPONSE) + _open(clocks, Metric.NEXT_RESPONSE)
        work.load_timers(open_)
        for clock in open_:
            ops.stop(work, clock, "agent_reply", who)
    elif ticket.is_active and not _open(clocks, Metric.FIRST_RESPONSE):
        if not _open(clocks, Metric.NEXT_RESPONSE):
            rules = Rules.load()
            match = rules.match(ticket)
            if match is not None:
                cycle = _next_cycle(clocks, Metric.NEXT_RESPONSE)
                started = _start(
                    work,
                    ticket,
                    match,
                    Metric.NEXT_RESPONSE,
                    cycle=cycle,
                    why="requester_reply",
                    extra=who,
                )
                if started:
                    _apply_pauses(work, ticket, rules, [started])
    _finish(work, ticket)


def group_changed(ticket: Ticket, at: datetime, left: str = "") -> None:
    """Stop the OLA of the group the ticket left; start one for the group it entered."""
    clocks = _clocks(ticket)
    if not clocks:
        return
    work = Work(at)
    leaving = [c for c in _open(clocks, Metric.OLA) if c.group_id != ticket.group_id]
    work.load_timers(leaving)
    for clock in leaving:
        ops.stop(work, clock, "left_group", {"group": left, "to": ticket.group.name})
    if ticket.is_active and not [c for c in _open(clocks, Metric.OLA) if c not in leaving]:
        rules = Rules.load()
        match = rules.match(ticket)
        if match is not None:
            cycle = _next_cycle(clocks, Metric.OLA, ticket.group_id)
            started = _start(
                work, ticket, match, Metric.OLA, cycle=cycle, why="group", group_id=ticket.group_id
            )
            if started:
                _apply_pauses(work, ticket, rules, [started])
    _finish(work, ticket)


# --- recomputation ---------------------------------------------------------------------------


def recompute_ticket(
    ticket: Ticket, at: datetime, *, why: str, details: Mapping[str, object] | None = None
) -> int:
    """Re-match the policy and move the open clocks; returns how many clocks changed."""
    rules = Rules.load()
    work = Work(at)
    clocks = _clocks(ticket)
    work.load_timers(_open(clocks))
    changed = _recompute(work, rules, ticket, clocks, why, details or {})
    _finish(work, ticket)
    return changed


def _recompute(
    work: Work,
    rules: Rules,
    ticket: Ticket,
    clocks: list[SlaClock],
    why: str,
    details: Mapping[str, object],
) -> int:
    match = rules.match(ticket)
    changed = 0
    for clock in [c for c in clocks if c.state in ACTIVE_STATES]:
        target = (
            match.rules.target_minutes(clock.metric, ticket.priority, clock.group_id)
            if match
            else None
        )
        if not target or match is None:
            ops.cancel(work, clock, "no_target", {**details, "cause": why})
            changed += 1
            continue
        changes = {
            "policy": match.policy,
            "agreement": match.agreement,
            "calendar_id": match.calendar_id,
        }
        info = dict(details)
        if clock.policy_id != match.policy.pk:
            info.update(match.explanation())
        if ops.retarget(
            work,
            clock,
            target=target,
            thresholds=match.rules.thresholds,
            changes=changes,
            why=why,
            details=info,
        ):
            changed += 1
    if match is not None and ticket.is_active:
        started = _start_missing(work, ticket, match, clocks)
        changed += len(started)
        clocks = clocks + started
    _apply_pauses(work, ticket, rules, _open(clocks))
    return changed


def _start_missing(
    work: Work, ticket: Ticket, match: Match, clocks: list[SlaClock]
) -> list[SlaClock]:
    """Clocks the new policy asks for that never ran (e.g. a first policy for the ticket)."""
    started = []
    wanted: list[tuple[str, int | None, datetime]] = [
        (Metric.RESOLUTION, None, ticket.created_at),
        (Metric.OLA, ticket.group_id, work.at),
    ]
    if ticket.first_response_at is None:
        wanted.insert(0, (Metric.FIRST_RESPONSE, None, ticket.created_at))
    for metric, group_id, since in wanted:
        mine = [c for c in clocks if c.metric == metric and c.group_id == group_id]
        if mine and (metric != Metric.OLA or _open(mine)):
            continue
        clock = _start(
            work,
            ticket,
            match,
            metric,
            cycle=_next_cycle(clocks, metric, group_id),
            why="policy",
            group_id=group_id,
            started_at=since,
        )
        if clock:
            started.append(clock)
    return started


def recompute_tickets(
    ticket_ids: Iterable[int],
    *,
    why: str,
    details: Mapping[str, object] | None = None,
    at: datetime | None = None,
    batch: int = 1000,
) -> int:
    """Recompute many tickets, a batch per transaction; returns how many clocks changed."""
    at = at or timezone.now()
    rules = Rules.load()
    ids = sorted(set(ticket_ids))
    schedules: dict = {}
    changed = 0
    for start in range(0, len(ids), batch):
        chunk = ids[start : start + batch]
        with transaction.atomic():
            work = Work(at)
            work.schedules = schedules
            tickets = (
                Ticket.objects.select_for_update(of=("self",))
                .select_related("status", "category", "organisation", "group")
                .filter(pk__in=chunk, status__category__in=_active_categories())
            )
            by_ticket: dict[int, list[SlaClock]] = {}
            for clock in SlaClock.objects.filter(ticket_id__in=chunk).select_related("policy"):
                by_ticket.setdefault(clock.ticket_id, []).append(clock)
            work.load_timers([c for cs in by_ticket.values() for c in _open(cs)])
            for ticket in tickets:
                clocks = by_ticket.get(ticket.pk, [])
                changed += _recompute(work, rules, ticket, clocks, why, details or {})
            work.flush()
    return changed


def _active_categories() -> tuple[str, ...]:
    return tuple(ACTIVE_CATEGORIES)


def tickets_on_calendar(calendar_id: int) -> list[int]:
    return list(
        SlaClock.objects.filter(calendar_id=calendar_id, state__in=ACTIVE_STATES)
        .values_list("ticket_id", flat=True)
        .distinct()
    )


def open_ticket_ids() -> list[int]:
    """Active tickets: any of them may match a changed policy, agreement or service."""
    return list(Ticket.objects.active().values_list("pk", flat=True))


def recompute_calendar(calendar_id: int, *, name: str = "", at: datetime | None = None) -> int:
    return recompute_tickets(
        tickets_on_calendar(calendar_id),
        why="calendar",
        details={"calendar": name},
        at=at,
    )


# --- warnings and breaches -------------------------------------------------------------------


def fire_timer(
    timer_id: int, *, due_at: datetime | None = None, now: datetime | None = None
) -> str:
    """Record one warning or breach, exactly once across workers.

    1. A timer whose due time differs from the one the task was planned for is stale: the
       deadline moved and another task was planned for the new time.
    2. Not yet due (a clock resumed or a backend ran the task early): nothing.
    3. Claim with a conditional UPDATE; only the worker that changed the row goes on.
    4. Record the ticket event and the clock log; plan the clock's next threshold.
    """
    now = now or timezone.now()
    timer = SlaTimer.objects.select_related("clock").filter(pk=timer_id).first()
    if timer is None:
        return "gone"
    if due_at is not None and timer.due_at != due_at:
        return "stale"
    if timer.fired_at is not None:
        return "already"
    if timer.due_at is None or timer.due_at > now:
        return "not_due"
    with transaction.atomic():
        if connection.vendor != "sqlite":
            # The ticket first, as the ticket services lock it before touching timers (no
            # deadlock); SQLite locks the whole database for a writer anyway.
            list(Ticket.objects.select_for_update().filter(pk=timer.clock.ticket_id).values("pk"))
        claimed = SlaTimer.objects.filter(
            pk=timer.pk, fired_at__isnull=True, due_at=timer.due_at
        ).update(fired_at=now)
        if claimed != 1:
            return "already"
        clock = SlaClock.objects.select_related("ticket", "group").get(pk=timer.clock_id)
        _announce(clock, timer, now)
        if timer.percent == BREACH:
            SlaClock.objects.filter(pk=clock.pk, state=ClockState.RUNNING).update(
                state=ClockState.BREACHED, updated_at=now
            )
        else:
            _plan_after(clock, now)
    return "fired"


def _announce(clock: SlaClock, timer: SlaTimer, now: datetime) -> None:
    breach = timer.percent == BREACH
    SlaClockLog.objects.create(
        clock=clock,
        at=now,
        what=ClockChange.BREACHED if breach else ClockChange.WARNED,
        why="deadline" if breach else "threshold",
        details={"percent": timer.percent},
        old_deadline=clock.deadline,
        new_deadline=clock.deadline,
    )
    record_sla_event(
        clock.ticket,
        EventAction.SLA_BREACHED if breach else EventAction.SLA_WARNING,
        field=clock.metric,
        old=clock.group.name if clock.group else "",
        new=str(timer.percent),
    )


def _plan_after(clock: SlaClock, now: datetime) -> None:
    work = Work(now)
    work.load_timers([clock])
    ops.plan_next(work, clock)
    work.flush()


def _record_breach(ticket: Ticket, clock: SlaClock, timer: SlaTimer, at: datetime) -> None:
    """A clock stopped after its deadline before any worker announced the breach."""
    claimed = SlaTimer.objects.filter(pk=timer.pk, fired_at__isnull=True).update(fired_at=at)
    if claimed == 1:
        clock.ticket = ticket
        _announce(clock, timer, at)


def fire_due_timers(now: datetime | None = None, limit: int = 1000) -> int:
    """Fire what is due (a catch-up after downtime; tests): an index scan of due timers."""
    now = now or timezone.now()
    due = SlaTimer.objects.filter(fired_at__isnull=True, due_at__lte=now).order_by("due_at")
    fired = 0
    for timer_id in list(due.values_list("pk", flat=True)[:limit]):
        fired += fire_timer(timer_id, now=now) == "fired"
    return fired
