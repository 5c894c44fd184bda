"""The only way in for automation rules: create, change, order, delete, preview, run.

Rules are staff settings. Every definition goes through `validation.validate_rule` when saved,
so the engine never meets an unknown field or a wrong type at run time.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from tuki.accounts.models import User
from tuki.automation import engine, tasks
from tuki.automation.access import may_manage_rules
from tuki.automation.conditions import Context, annotate_anchors, matches, to_q
from tuki.automation.models import Rule, RuleRun, ScheduledRun
from tuki.automation.validation import validate_conditions, validate_rule
from tuki.lib.errors import ServiceError
from tuki.tickets.access import ticket_visible
from tuki.tickets.models import ACTIVE_CATEGORIES, StatusCategory, Ticket, TicketEvent

RULE_FIELDS = (
    "name",
    "description",
    "is_active",
    "position",
    "trigger",
    "events",
    "kinds",
    "conditions",
    "wait",
    "actions",
    "stop_processing",
)
# A preview whose conditions SQL cannot fully express checks at most this many candidates.
PREVIEW_SCAN = 2000


def _require_staff(actor: User | None) -> None:
    if not may_manage_rules(actor):
        raise PermissionDenied(_("Only administrators may manage rules."))


def _unique_name(name: str, rule: Rule | None = None) -> None:
    others = Rule.objects.filter(name__iexact=name)
    if rule is not None:
        others = others.exclude(pk=rule.pk)
    if others.exists():
        raise ServiceError(
            _("Another rule already has this name."), field="name", code="duplicate_name"
        )


def _save(rule: Rule) -> Rule:
    try:
        with transaction.atomic():
            rule.save()
    except IntegrityError:  # the same name saved at the same moment elsewhere
        raise ServiceError(
            _("Another rule already has this name."), field="name", code="duplicate_name"
        ) from None
    return rule


def create_rule(actor: User, **data: Any) -> Rule:
    """A new rule, validated whole; ServiceError names the field at fault."""
    _require_staff(actor)
    unknown = set(data) - set(RULE_FIELDS)
    if unknown:
        raise ServiceError(_("Unknown field."), field=sorted(unknown)[0], code="unknown_field")
    cleaned = validate_rule(data)
    _unique_name(cleaned["name"])
    rule = _save(Rule(**cleaned, created_by=actor, updated_by=actor))
    _replan(rule)
    return rule


def update_rule(actor: User, rule: Rule, **data: Any) -> Rule:
    """Change some of a rule's fields; the whole rule is validated again."""
    _require_staff(actor)
    unknown = set(data) - set(RULE_FIELDS)
    if unknown:
        raise ServiceError(_("Unknown field."), field=sorted(unknown)[0], code="unknown_field")
    current = {name: getattr(rule, name) for name in RULE_FIELDS}
    cleaned = validate_rule({**current, **data})
    _unique_name(cleaned["name"], rule)
    rule = Rule.objects.get(pk=rule.pk)
    for name, value in cleaned.items():
        setattr(rule, name, value)
    rule.updated_by, rule.updated_at = actor, timezone.now()
    _save(rule)
    _replan(rule)
    return rule


def delete_rule(actor: User, rule: Rule) -> None:
    _require_staff(actor)
    Rule.objects.filter(pk=rule.pk).delete()


def move_rule(actor: User, rule: Rule, position: int) -> Rule:
    """Put a rule at a new place in the run order (lower first, then by id)."""
    _require_staff(actor)
    if (
        not isinstance(position, int)
        or isinstance(position, bool)
        or not 0 <= position <= 1_000_000
    ):
        raise ServiceError(
            _("Give a whole number from 0 to 1000000."), field="position", code="invalid"
        )
    # A save, not update(): the audit trail (tuki/audit) sees only saves.
    with transaction.atomic():
        locked = Rule.objects.select_for_update().get(pk=rule.pk)
        locked.position, locked.updated_by, locked.updated_at = position, actor, timezone.now()
        locked.save(update_fields=["position", "updated_by", "updated_at"])
    rule.refresh_from_db()
    return rule


def _replan(rule: Rule) -> None:
    """A changed scheduled rule: its pending plans may no longer hold; plan the tickets that
    match it now (after commit, in a task)."""
    ScheduledRun.objects.filter(rule=rule, state=ScheduledRun.State.PENDING).update(
        state=ScheduledRun.State.CANCELLED
    )
    if rule.trigger == Rule.Trigger.SCHEDULED and rule.is_active:
        transaction.on_commit(lambda: tasks.plan_scheduled_rule.enqueue(rule_id=rule.pk))


def plan_rule(rule_id: int, *, chunk: int = 500) -> int:
    """Plan one scheduled rule for every active ticket it matches now, a chunk at a time."""
    rule = Rule.objects.filter(pk=rule_id, is_active=True, trigger=Rule.Trigger.SCHEDULED).first()
    if rule is None:
        return 0
    qs = _candidates(rule.conditions, rule.kinds, timezone.now(), planning=True)[0]
    qs = qs.order_by("pk")
    planned, last = 0, 0
    while True:
        batch = list(qs.filter(pk__gt=last)[:chunk])
        if not batch:
            return planned
        for ticket in batch:
            planned += len(engine.plan_scheduled(ticket, only=rule))
        last = batch[-1].pk


# --- preview ------------------------------------------------------------------------------------


@dataclass
class Preview:
    count: int
    tickets: list[Ticket]
    exact: bool  # False: SQL could not express every condition; `count` is of the scanned
    scanned: int


def _candidates(
    conditions: dict[str, Any],
    kinds: list[str],
    now: datetime,
    *,
    planning: bool = False,
    viewer: User | None = None,
) -> tuple[Any, bool]:
    """Tickets that may match: open ones (and resolved ones, for scheduled rules that close
    them), narrowed by the conditions SQL can express. `planning`: for a scheduled rule's
    plans, whose time tests wait for the fire. `viewer`: only the tickets this person may
    see (a preview must not be an oracle for restricted tickets' text)."""
    categories = [*ACTIVE_CATEGORIES, StatusCategory.RESOLVED] if planning else ACTIVE_CATEGORIES
    tickets = Ticket.objects.all() if viewer is None else Ticket.objects.visible_to(viewer)
    qs = tickets.filter(status__category__in=categories)
    if kinds:
        qs = qs.filter(kind__in=kinds)
    if "time_since." in json.dumps(conditions):
        qs = annotate_anchors(qs)
    q, exact = to_q(conditions, now, skip_time=planning)
    return qs.filter(q).with_related(), exact


def preview_rule(
    actor: User, *, conditions: Any, kinds: Any = (), limit: int = 50, trigger: str = "event"
) -> Preview:
    """Which open tickets these conditions match now, among those `actor` may see (counted
    and listed alike). Translated to SQL where possible (a count and the first `limit`);
    what SQL cannot say is checked in Python over at most PREVIEW_SCAN candidates, never
    over every ticket. "Changed" tests count as met."""
    _require_staff(actor)
    cleaned, cleaned_kinds = validate_conditions(conditions, kinds, trigger)
    now = timezone.now()
    qs, exact = _candidates(cleaned, cleaned_kinds, now, viewer=actor)
    qs = qs.order_by("-updated_at", "-id")
    if exact:
        return Preview(qs.count(), list(qs[:limit]), True, 0)
    found: list[Ticket] = []
    count = scanned = 0
    for ticket in qs[:PREVIEW_SCAN]:
        scanned += 1
        if matches(cleaned, Context(ticket, now=now, preview=True)):
            count += 1
            if len(found) < limit:
                found.append(ticket)
    return Preview(count, found, scanned < PREVIEW_SCAN, scanned)


def preview(
    actor: User, *, conditions: Any, kinds: Any = (), limit: int = 50
) -> tuple[int, list[Ticket]]:
    result = preview_rule(actor, conditions=conditions, kinds=kinds, limit=limit)
    return result.count, result.tickets


# --- running ------------------------------------------------------------------------------------


def run_rules_for_event(event: TicketEvent) -> list[RuleRun]:
    """One pass of the event rules for one event (the receiver batches per service call)."""
    return engine.run_pass(event.ticket_id, [event])


def fire_scheduled(run_id: int, due_at: datetime | None = None, now: datetime | None = None) -> str:
    """A scheduled rule's timer: acts exactly once, if the ticket still matches."""
    return engine.fire_scheduled(run_id, due_at=due_at, now=now)


def runs_seen_by(viewer: User, rule: Rule) -> QuerySet[RuleRun]:
    """The rule's run log as `viewer` may read it: runs on tickets they cannot see are left
    out (a run's ticket and changes would tell them)."""
    return rule.runs.filter(ticket_visible(viewer))


def last_runs(viewer: User, rule: Rule, limit: int = 20) -> list[RuleRun]:
    return list(runs_seen_by(viewer, rule).select_related("ticket", "event")[:limit])
