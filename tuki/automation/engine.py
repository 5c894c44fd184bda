"""The rules engine: one pass of the event rules per service call, and scheduled rules.

How a pass happens
1. `collect` (an `event_recorded` receiver) adds each event to the batch of its transaction:
   one callback per transaction, run on commit, so a service call recording several events
   (status + reply) is one pass per ticket, not one per event.
2. On commit, the batch's events are read back (a rolled-back savepoint's are gone) and
   grouped by ticket. Rules whose events include what happened run in (position, id) order,
   each in its own transaction under `acting_as(RULE, rule.name, rule_id, depth)`: every
   change is in the ticket's history with the rule's name. `stop_processing` ends the pass.
3. Loops: a rule never runs again on a chain of changes it is part of (R1 → R2 → R1 is
   refused too), and a chain deeper than MAX_DEPTH stops with an error on the RuleRun.
   Consequences of a pass (the rules' own events) are queued and processed after the pass,
   breadth first, not in the middle of it.
4. Then the ticket's scheduled rules are planned or cancelled (`plan_scheduled`).

Scheduled rules: a ScheduledRun row per (rule, ticket, anchor) and a task at its due instant
(business minutes on the ticket's calendar when the rule says so); `fire_scheduled` re-checks
the conditions and the anchor and acts exactly once (a conditional UPDATE claims the row).
"""

from __future__ import annotations

import contextvars
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tuki.automation import tasks
from tuki.automation.actions import ActionFailed, run_action
from tuki.automation.conditions import Context, matches
from tuki.automation.models import Rule, RuleRun, ScheduledRun
from tuki.calendars.arithmetic import add_business_minutes
from tuki.configcache import cache as configcache
from tuki.lib.errors import ServiceError
from tuki.tickets.models import ActorKind, Channel, EventAction, Ticket, TicketEvent
from tuki.tickets.services import acting_as

log = logging.getLogger(__name__)

MAX_DEPTH = 5
SLA_ACTIONS: dict[str, str] = {
    EventAction.SLA_WARNING: "sla_warning",
    EventAction.SLA_BREACHED: "sla_breach",
}

# The rules that caused the changes being recorded now (empty for people's changes).
_chain: contextvars.ContextVar[tuple[int, ...]] = contextvars.ContextVar(
    "tuki_automation_chain", default=()
)
# Batches waiting while a pass runs (breadth first); None when no pass is running.
_queue: contextvars.ContextVar[list[Batch] | None] = contextvars.ContextVar(
    "tuki_automation_queue", default=None
)


@dataclass(eq=False)
class Batch:
    """The events of one transaction, processed together once it commits."""

    chain: tuple[int, ...]
    event_ids: list[int] = field(default_factory=list)
    started: bool = False

    def __call__(self) -> None:
        self.started = True
        dispatch(self)


def collect(event: TicketEvent) -> None:
    """Add an event to its transaction's batch (receiver of event_recorded)."""
    chain = _chain.get()
    if not connection.in_atomic_block:
        dispatch(Batch(chain, [event.pk]))
        return
    for _sids, func, _robust in connection.run_on_commit:  # type: ignore[misc]  # Django keeps (savepoint ids, callable, robust) triples; django-stubs says pairs
        if isinstance(func, Batch) and not func.started and func.chain == chain:
            func.event_ids.append(event.pk)
            return
    batch = Batch(chain, [event.pk])
    # robust: a failure after commit is logged, never turned into an error for the person
    # whose change is already saved.
    transaction.on_commit(batch, robust=True)


def dispatch(batch: Batch) -> None:
    queue = _queue.get()
    if queue is not None:
        queue.append(batch)
        return
    queue = [batch]
    token = _queue.set(queue)
    try:
        while queue:
            process_batch(queue.pop(0))
    finally:
        _queue.reset(token)


def process_batch(batch: Batch) -> list[RuleRun]:
    if not rules_by_trigger():
        return []  # no active rule: the events need not even be read (run_pass says why)
    events = list(
        TicketEvent.objects.filter(pk__in=batch.event_ids).select_related("comment").order_by("id")
    )
    by_ticket: dict[int, list[TicketEvent]] = {}
    for event in events:
        by_ticket.setdefault(event.ticket_id, []).append(event)
    runs: list[RuleRun] = []
    for ticket_id, ticket_events in by_ticket.items():
        try:
            runs += run_pass(ticket_id, ticket_events, batch.chain)
        except Exception:  # a broken rule must not fail the person's request after commit
            log.exception("automation pass failed for ticket %s", ticket_id)
    return runs


# --- one pass -----------------------------------------------------------------------------------


def event_keys(ticket: Ticket, events: Iterable[TicketEvent]) -> set[str]:
    """Which catalogue.EVENTS these events are (an email reply is "reply" and "email_received")."""
    events = list(events)
    keys: set[str] = set()
    created = any(e.action == EventAction.CREATED for e in events)
    if created:
        keys.add("created")
        if ticket.channel == Channel.EMAIL:
            keys.add("email_received")
    for event in events:
        action = event.action
        if action in SLA_ACTIONS:
            keys.add(SLA_ACTIONS[action])
            continue
        if action == EventAction.SURVEY_ANSWERED:
            keys.add("survey_answered")  # the requester graded the desk; the ticket is unchanged
            continue
        if created:
            continue
        keys.add("updated")
        if action in (EventAction.REPLY, EventAction.NOTE):
            keys.add(action)
            if event.comment is not None and event.comment.channel == Channel.EMAIL:
                keys.add("email_received")
        elif action == EventAction.STATUS:
            keys.add("status_changed")
    return keys


def changes_of(events: Iterable[TicketEvent]) -> dict[str, list[tuple[str, str]]]:
    changes: dict[str, list[tuple[str, str]]] = {}
    for event in events:
        if event.field:
            changes.setdefault(event.field, []).append((event.old_value, event.new_value))
    return changes


def active_rules(trigger: str) -> list[Rule]:
    return list(rules_by_trigger().get(trigger, []))


def rules_by_trigger() -> dict[str, list[Rule]]:
    """Active rules per trigger in run order. Parsed rules are kept per process while the
    configuration is unchanged (tuki/configcache: one single-row query tells, and none in
    a ticket service's call, which has read it already)."""
    return configcache.cached("automation.rules", _load_rules)


def _load_rules() -> dict[str, list[Rule]]:
    by_trigger: dict[str, list[Rule]] = {}
    for rule in Rule.objects.filter(is_active=True).order_by("position", "id"):
        by_trigger.setdefault(rule.trigger, []).append(rule)
    return by_trigger


def run_pass(
    ticket_id: int, events: list[TicketEvent], chain: tuple[int, ...] = ()
) -> list[RuleRun]:
    """Run the event rules once for a ticket's events of one service call."""
    rules = rules_by_trigger()
    if not rules:
        return []  # no active rule (deactivating a rule cancels its plans): nothing to read
    try:
        ticket = Ticket.objects.with_related().get(pk=ticket_id)
    except Ticket.DoesNotExist:
        return []
    keys = event_keys(ticket, events)
    depth = max((e.depth for e in events), default=0)
    acted_by = set(chain) | {e.rule_id for e in events if e.rule_id}
    changes = changes_of(events)
    ctx = Context(ticket, changes)  # one per state of the ticket: its reads are shared
    runs: list[RuleRun] = []
    for rule in rules.get(Rule.Trigger.EVENT, []) if keys else []:
        if rule.pk in acted_by or not keys.intersection(rule.events):
            continue
        if rule.kinds and ticket.kind not in rule.kinds:
            continue
        if not matches(rule.conditions, ctx):
            continue
        trigger, key = trigger_of(ticket, events, keys, rule.events)
        # Rules acting earlier in this pass are part of the chain too: a later rule's
        # changes must not bring them back (R1 → R2 → R1).
        chain = (*chain, rule.pk)
        run = act(rule, ticket, trigger, depth + 1, chain, trigger=key)
        runs.append(run)
        if run.ok:
            ticket = Ticket.objects.with_related().get(pk=ticket.pk)
            ctx = Context(ticket, changes)
        if rule.stop_processing:
            break
    plan_scheduled(ticket, rules=rules.get(Rule.Trigger.SCHEDULED, []))
    return runs


def trigger_of(
    ticket: Ticket, events: list[TicketEvent], keys: set[str], wanted: list[str]
) -> tuple[TicketEvent, str]:
    """The event that set the rule off and which of its events (catalogue.EVENTS) it was."""
    for event in events:
        own = event_keys(ticket, [event]) if len(events) > 1 else keys
        for key in wanted:
            if key in own:
                return event, key
    key = next(k for k in wanted if k in keys)
    return events[0], key


def act(
    rule: Rule,
    ticket: Ticket,
    event: TicketEvent | None,
    depth: int,
    chain: tuple[int, ...],
    trigger: str = "",
) -> RuleRun:
    """Carry out a rule's actions in one transaction: all of them or none (then an error)."""
    trigger = trigger or (event.action if event is not None else "")
    if depth > MAX_DEPTH:
        return RuleRun.objects.create(
            rule=rule,
            ticket=ticket,
            event=event,
            trigger=trigger,
            ok=False,
            depth=depth,
            error=_("Stopped: rules changing what other rules changed, %(n)d deep.") % {"n": depth},
        )
    done: list[str] = []
    error = ""
    token = _chain.set(chain)
    try:
        with acting_as(ActorKind.RULE, rule.name, rule_id=rule.pk, depth=depth):
            with transaction.atomic():
                for action in rule.actions:
                    fresh = Ticket.objects.with_related().get(pk=ticket.pk)
                    done.append(run_action(fresh, action))
    except ServiceError as exc:
        error, done = exc.message, []
    except (ActionFailed, PermissionDenied) as exc:
        error, done = str(exc), []
    except Exception as exc:  # recorded, never raised: the person's change is committed
        log.exception("rule %s failed on ticket %s", rule.pk, ticket.pk)
        error, done = _("Unexpected error: %(error)s") % {"error": exc}, []
    finally:
        _chain.reset(token)
    return RuleRun.objects.create(
        rule=rule,
        ticket=ticket,
        event=event,
        trigger=trigger,
        ok=not error,
        error=error,
        changes=done,
        depth=depth,
    )


# --- scheduled rules ----------------------------------------------------------------------------


def due_at(ctx: Context, wait: dict[str, Any], anchor: datetime) -> datetime:
    if wait.get("business"):
        return add_business_minutes(ctx.schedule(), anchor, wait["minutes"])
    return anchor + timedelta(minutes=wait["minutes"])


def plan_scheduled(
    ticket: Ticket, only: Rule | None = None, rules: list[Rule] | None = None
) -> list[ScheduledRun]:
    """Plan the scheduled rules this ticket now matches; cancel those it no longer does.

    Time tests in the conditions are left for the fire; the wait counts from the anchor.
    `only`: plan that one rule (a rule just saved), leaving the others' plans alone.
    """
    if only is not None:
        rules = [only]
    elif rules is None:
        rules = active_rules(Rule.Trigger.SCHEDULED)
    runs = ScheduledRun.objects.filter(ticket=ticket, state=ScheduledRun.State.PENDING)
    if only is not None:
        runs = runs.filter(rule=only)
    pending = {run.rule_id: run for run in runs}
    if not rules and not pending:
        return []
    ctx = Context(ticket, skip_time=True)
    wanted: list[tuple[Rule, datetime]] = []
    keep: set[int] = set()
    for rule in rules:
        if rule.kinds and ticket.kind not in rule.kinds:
            continue
        if not matches(rule.conditions, ctx):
            continue
        anchor = ctx.anchor(rule.wait.get("since", "status_changed"))
        current = pending.get(rule.pk)
        if current is not None and current.anchor == anchor:
            keep.add(current.pk)
        else:
            wanted.append((rule, anchor))
    stale = [run.pk for run in pending.values() if run.pk not in keep]
    if not wanted and not stale:
        return []  # nothing to write: no transaction either
    planned: list[ScheduledRun] = []
    with transaction.atomic():
        if stale:
            ScheduledRun.objects.filter(pk__in=stale, state=ScheduledRun.State.PENDING).update(
                state=ScheduledRun.State.CANCELLED
            )
        for rule, anchor in wanted:
            run = _plan(rule, ticket, anchor, due_at(ctx, rule.wait, anchor))
            if run is not None:
                planned.append(run)
        if planned:
            transaction.on_commit(lambda: _enqueue(planned))
    return planned


def _plan(rule: Rule, ticket: Ticket, anchor: datetime, due: datetime) -> ScheduledRun | None:
    """The row for (rule, ticket, anchor): new, or revived if cancelled; never re-fired."""
    found = ScheduledRun.objects.filter(rule=rule, ticket=ticket, anchor=anchor).first()
    if found is None:
        try:
            with transaction.atomic():
                return ScheduledRun.objects.create(
                    rule=rule, ticket=ticket, anchor=anchor, due_at=due
                )
        except IntegrityError:  # another worker planned it at the same moment
            return None
    if found.state == ScheduledRun.State.CANCELLED:
        found.state, found.due_at = ScheduledRun.State.PENDING, due
        found.save(update_fields=["state", "due_at"])
        return found
    return None


def _enqueue(runs: list[ScheduledRun]) -> None:
    if not tasks.can_defer():
        return
    for run in runs:
        tasks.fire_scheduled_rule.using(run_after=run.due_at).enqueue(
            run_id=run.pk, due_at=run.due_at.isoformat()
        )


def fire_scheduled(run_id: int, due_at: datetime | None = None, now: datetime | None = None) -> str:
    """Act on a planned scheduled rule, exactly once across workers.

    1. Gone, moved (a newer plan exists for another instant), done or not yet due: nothing.
    2. The rule must still be active, its conditions met now (time tests included) and the
       anchor unchanged; otherwise the run is cancelled.
    3. Claim with a conditional UPDATE; only the worker that changed the row acts.
    """
    now = now or timezone.now()
    run = ScheduledRun.objects.select_related("rule").filter(pk=run_id).first()
    if run is None:
        return "gone"
    if due_at is not None and run.due_at != due_at:
        return "stale"
    if run.state != ScheduledRun.State.PENDING:
        return "already" if run.state == ScheduledRun.State.FIRED else "cancelled"
    if run.due_at > now:
        return "not_due"
    ticket = Ticket.objects.with_related().filter(pk=run.ticket_id).first()
    rule = run.rule
    if ticket is None:
        return "gone"
    ctx = Context(ticket, now=now)
    still = (
        rule.is_active
        and rule.trigger == Rule.Trigger.SCHEDULED
        and (not rule.kinds or ticket.kind in rule.kinds)
        and matches(rule.conditions, ctx)
        and ctx.anchor(rule.wait.get("since", "status_changed")) == run.anchor
    )
    pending = ScheduledRun.objects.filter(pk=run.pk, state=ScheduledRun.State.PENDING)
    if not still:
        pending.update(state=ScheduledRun.State.CANCELLED)
        return "cancelled"
    with transaction.atomic():
        if connection.vendor != "sqlite":
            # The ticket first, as the ticket services lock it first (no deadlock with a
            # person's change); SQLite locks the whole database for a writer anyway.
            list(Ticket.objects.select_for_update().filter(pk=ticket.pk).values("pk"))
        if pending.update(state=ScheduledRun.State.FIRED, fired_at=now) != 1:
            return "already"
        act(rule, ticket, None, 1, (rule.pk,), trigger="scheduled")
    return "fired"


def fire_due_scheduled(now: datetime | None = None, limit: int = 1000) -> int:
    """Every planned run already due (after a worker outage); each still fires once."""
    now = now or timezone.now()
    ids = list(
        ScheduledRun.objects.filter(state=ScheduledRun.State.PENDING, due_at__lte=now)
        .order_by("due_at")
        .values_list("pk", flat=True)[:limit]
    )
    return sum(fire_scheduled(pk, now=now) == "fired" for pk in ids)
