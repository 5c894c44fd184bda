"""Conditions: evaluated on one ticket (the engine) or translated to a queryset (preview).

A condition tree is what `validation.validate_rule` cleaned: {"match": "all"|"any", "items":
[condition | group]}. Evaluation reads the ticket as it is now plus, for event triggers,
what the pass's events changed (`Context.changes`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.db import connection
from django.db.models import Exists, F, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from tuki.accounts.models import SupportGroup, User
from tuki.calendars.arithmetic import business_minutes_between
from tuki.calendars.models import Calendar
from tuki.sla.models import SlaClock
from tuki.surveys.models import SurveyResponse
from tuki.tickets import fields as custom_fields
from tuki.tickets.models import (
    Category,
    Comment,
    EventAction,
    FieldType,
    Status,
    Ticket,
    TicketEvent,
    TicketQuerySet,
)

SEP = " › "  # Category.path separator

# A condition tree's field → the ticket attribute it reads (ids for references).
_ATTRS: dict[str, Callable[[Ticket], Any]] = {
    "kind": lambda t: t.kind,
    "status": lambda t: t.status.key,
    "status_category": lambda t: t.status.category,
    "priority": lambda t: t.priority,
    "impact": lambda t: t.impact,
    "urgency": lambda t: t.urgency,
    "group": lambda t: t.group_id,
    "assignee": lambda t: t.assignee_id,
    "owner_group": lambda t: t.owner_group_id,
    "channel": lambda t: t.channel,
    "title": lambda t: t.title,
    "description": lambda t: t.description,
    "restricted": lambda t: t.restricted,
    "organisation": lambda t: t.organisation_id,
    "organisation.name": lambda t: t.organisation.name if t.organisation else "",
    "location": lambda t: t.location_id,
    "requester.email": lambda t: t.requester.email,
    "requester.organisation": lambda t: t.requester.organisation_id,
    "requester.location": lambda t: t.requester.location_id,
    "requester.language": lambda t: t.requester.language,
    "requester.is_agent": lambda t: t.requester.is_agent,
}
# The same fields as ORM lookups, for preview.
_LOOKUPS: dict[str, str] = {
    "kind": "kind",
    "status": "status__key",
    "status_category": "status__category",
    "priority": "priority",
    "impact": "impact",
    "urgency": "urgency",
    "group": "group_id",
    "assignee": "assignee_id",
    "owner_group": "owner_group_id",
    "channel": "channel",
    "title": "title",
    "description": "description",
    "restricted": "restricted",
    "organisation": "organisation_id",
    "organisation.name": "organisation__name",
    "location": "location_id",
    "requester.email": "requester__email",
    "requester.organisation": "requester__organisation_id",
    "requester.location": "requester__location_id",
    "requester.language": "requester__language",
    "requester.is_agent": "requester__is_agent",
}


@dataclass
class Context:
    """One ticket being evaluated, with what its events changed and lazily read extras."""

    ticket: Ticket
    changes: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    now: datetime = field(default_factory=timezone.now)
    preview: bool = False  # no events: "changed" tests count as met
    skip_time: bool = False  # planning a scheduled rule: time tests are checked when it fires
    _cache: dict[str, Any] = field(default_factory=dict)

    def cached(self, key: str, load: Callable[[], Any]) -> Any:
        if key not in self._cache:
            self._cache[key] = load()
        return self._cache[key]

    def tags(self) -> set[str]:
        return self.cached("tags", lambda: {t.name for t in self.ticket.tags.all()})

    def last_comment(self) -> str:
        return self.cached(
            "last_comment",
            lambda: (
                Comment.objects.filter(ticket=self.ticket)
                .order_by("-created_at", "-id")
                .values_list("body", flat=True)
                .first()
                or ""
            ),
        )

    def schedule(self) -> Any:
        return self.cached("schedule", lambda: calendar_for(self.ticket).schedule())

    def anchor(self, since: str) -> datetime:
        return self.cached(f"anchor:{since}", lambda: anchor_of(self.ticket, since))


def calendar_for(ticket: Ticket) -> Any:
    """The ticket's calendar: the one its SLA clocks count by (tuki/sla chose it from the
    policy or agreement), else the default calendar."""
    calendar_id = (
        SlaClock.objects.filter(ticket=ticket, calendar__isnull=False)
        .order_by("-id")
        .values_list("calendar_id", flat=True)
        .first()
    )
    found = Calendar.objects.filter(pk=calendar_id).first() if calendar_id else None
    return found or Calendar.default()


def anchor_of(ticket: Ticket, since: str) -> datetime:
    """The instant a wait or a "time since" counts from."""
    if since == "created":
        return ticket.created_at
    if since == "updated":
        return ticket.updated_at
    if since == "status_changed":
        at = (
            TicketEvent.objects.filter(ticket=ticket, action=EventAction.STATUS)
            .order_by("-created_at", "-id")
            .values_list("created_at", flat=True)
            .first()
        )
        return at or ticket.created_at
    if since == "last_reply":
        at = (
            Comment.objects.filter(ticket=ticket, is_internal=False)
            .order_by("-created_at", "-id")
            .values_list("created_at", flat=True)
            .first()
        )
        return at or ticket.created_at
    raise ValueError(since)


def minutes_since(ctx: Context, since: str, business: bool) -> float:
    start = ctx.anchor(since)
    if not business:
        return (ctx.now - start).total_seconds() / 60
    return business_minutes_between(ctx.schedule(), start, ctx.now)


def in_business_hours(ctx: Context) -> bool:
    return business_minutes_between(ctx.schedule(), ctx.now, ctx.now + timedelta(minutes=1)) > 0


# --- evaluation ---------------------------------------------------------------------------------


def matches(tree: dict[str, Any], ctx: Context) -> bool:
    items = tree.get("items", [])
    if not items:
        return True
    results = (
        matches(item, ctx) if "items" in item else condition_met(item, ctx) for item in items
    )
    return all(results) if tree.get("match", "all") == "all" else any(results)


def condition_met(cond: dict[str, Any], ctx: Context) -> bool:
    name, op = cond["field"], cond["op"]
    value: Any = cond.get("value")  # JSON, as the schema allows for the field
    if op in ("changed", "changed_from", "changed_to"):
        return True if ctx.preview else _changed(name, op, value, ctx)
    if name.startswith("time_since."):
        if ctx.skip_time:
            return True
        minutes = minutes_since(ctx, name.split(".", 1)[1], value["business"])
        return minutes > value["minutes"] if op == "more_than" else minutes < value["minutes"]
    if name == "business_hours":
        return True if ctx.skip_time else in_business_hours(ctx) == value
    if name == "tags":
        return _tags_met(op, value, ctx.tags())
    if name == "text":
        haystack = "\n".join((ctx.ticket.title, ctx.ticket.description, ctx.last_comment()))
        found = str(value).lower() in haystack.lower()
        return found if op == "contains" else not found
    if name == "category":
        return _category_met(op, value, ctx)
    if name == "survey.score":
        return compare(op, ctx.cached("survey_score", lambda: survey_score(ctx.ticket)), value)
    if name.startswith(CUSTOM_PREFIX):
        return custom_met(name[len(CUSTOM_PREFIX) :], op, value, ctx.ticket)
    return compare(op, _ATTRS[name](ctx.ticket), value)


CUSTOM_PREFIX = "custom."


def custom_met(key: str, op: str, value: Any, ticket: Ticket) -> bool:
    """A test of a custom field's value (Ticket.custom). A field deleted or deactivated
    since the rule was saved has no value to test: the condition is not met."""
    field = custom_fields.field_by_key(key)
    if field is None:
        return False
    actual = (ticket.custom or {}).get(key)
    if field.type == FieldType.MULTI_CHOICE:
        chosen = actual if isinstance(actual, list) else ([] if actual is None else [actual])
        if op == "contains":
            return value in chosen
        if op == "not_contains":
            return value not in chosen
        return bool(chosen) == (op == "is_set")
    if field.type == FieldType.CHECKBOX:
        return compare(op, actual is True, value)
    if op in ("before", "after", "gt", "gte", "lt", "lte"):
        if not _comparable(actual, value):
            return False  # no value, or one of another type (a field that changed type)
        op = {"before": "lt", "after": "gt"}.get(op, op)
    return compare(op, actual, value)


def _comparable(a: Any, b: Any) -> bool:
    def number(x: Any) -> bool:
        return isinstance(x, (int, float)) and not isinstance(x, bool)

    return (number(a) and number(b)) or (isinstance(a, str) and isinstance(b, str))


def survey_score(ticket: Ticket) -> int | None:
    """The score of the ticket's latest answered satisfaction survey, None if none is."""
    return (
        SurveyResponse.objects.filter(ticket=ticket, answered_at__isnull=False)
        .order_by("-answered_at", "-id")
        .values_list("score", flat=True)
        .first()
    )


def compare(op: str, actual: Any, value: Any) -> bool:
    if op == "eq":
        return actual == value
    if op == "ne":
        return actual != value
    if op == "in":
        return actual in value
    if op == "not_in":
        return actual not in value
    if op == "is_set":
        return actual not in (None, "")
    if op == "is_not_set":
        return actual in (None, "")
    if op in ("contains", "not_contains", "starts_with"):
        text, needle = str(actual or "").lower(), str(value).lower()
        if op == "starts_with":
            return text.startswith(needle)
        return (needle in text) == (op == "contains")
    if actual is None:
        return False
    return {
        "gt": actual > value,
        "gte": actual >= value,
        "lt": actual < value,
        "lte": actual <= value,
    }[op]


def _tags_met(op: str, value: Any, tags: set[str]) -> bool:
    if op == "contains":
        return value in tags
    if op == "not_contains":
        return value not in tags
    return bool(tags) == (op == "is_set")


def _category_met(op: str, value: Any, ctx: Context) -> bool:
    """A category matches itself and everything below it."""
    if op in ("is_set", "is_not_set"):
        return (ctx.ticket.category_id is not None) == (op == "is_set")
    wanted = value if isinstance(value, list) else [value]
    ticket = ctx.ticket
    path = ticket.category.path if ticket.category else None
    hit = path is not None and any(
        path == p or path.startswith(p + SEP)
        for p in ctx.cached(f"categories:{wanted}", lambda: _category_paths(wanted))
    )
    return hit if op in ("eq", "in") else not hit


def _category_paths(ids: list[int]) -> list[str]:
    return list(Category.objects.filter(pk__in=ids).values_list("path", flat=True))


def _changed(name: str, op: str, value: Any, ctx: Context) -> bool:
    changes = ctx.changes.get(name, [])
    if op == "changed":
        return bool(changes)
    shown = recorded_as(name, value)
    index = 0 if op == "changed_from" else 1
    return any(change[index] == shown for change in changes)


def recorded_as(name: str, value: Any) -> str:
    """A value as TicketEvent.old_value/new_value record it (_display in tuki/tickets/services/events.py)."""
    if name.startswith(CUSTOM_PREFIX):
        field = custom_fields.field_by_key(name[len(CUSTOM_PREFIX) :])
        return custom_fields.event_display(field, value) if field is not None else ""
    model = {"status": Status, "group": SupportGroup, "assignee": User, "category": Category}.get(
        name
    )
    if model is None:
        return "" if value is None else str(value)
    if model is Status:
        return Status.objects.filter(key=value).values_list("name", flat=True).first() or ""
    found = model._default_manager.filter(pk=value).first()
    return str(found) if found is not None else ""


# --- preview: conditions as a queryset filter ----------------------------------------------------


def to_q(tree: dict[str, Any], now: datetime, skip_time: bool = False) -> tuple[Q, bool]:
    """A filter every matching ticket passes, and whether it is exact (no check in Python
    needed). Conditions SQL cannot express (business time, business hours, the last comment)
    become a looser filter and `exact=False`."""
    items = tree.get("items", [])
    if not items:
        return Q(), True
    parts = [
        to_q(item, now, skip_time) if "items" in item else _condition_q(item, now, skip_time)
        for item in items
    ]
    exact = all(e for _q, e in parts)
    if tree.get("match", "all") == "all":
        combined = Q()
        for q, _e in parts:
            combined &= q
        return combined, exact
    if any(q == Q() for q, _e in parts):
        return Q(), exact  # one item passes everything: so does the group
    combined = Q()
    for q, _e in parts:
        combined |= q
    return combined, exact


def _condition_q(cond: dict[str, Any], now: datetime, skip_time: bool = False) -> tuple[Q, bool]:
    name, op = cond["field"], cond["op"]
    value: Any = cond.get("value")  # JSON, as the schema allows for the field
    if skip_time and (name == "business_hours" or name.startswith("time_since.")):
        return Q(), True  # planning a scheduled rule: time tests are for the fire
    if op in ("changed", "changed_from", "changed_to"):
        return Q(), True  # existing tickets have no event now: a preview shows them all
    if name == "business_hours":
        return Q(), False
    if name == "survey.score":
        return Q(), False  # checked in Python on the candidates (surveys are few)
    if name.startswith(CUSTOM_PREFIX):
        return Q(), False  # JSON values: checked in Python on the candidates
    if name.startswith("time_since."):
        return _time_q(name.split(".", 1)[1], op, value, now)
    if name == "tags":
        links = Ticket.tags.through.objects.filter(ticket_id=OuterRef("pk"))
        if op in ("contains", "not_contains"):
            links = links.filter(tag__name=value)
        sub = Q(Exists(links))
        return (sub if op in ("contains", "is_set") else ~sub), True
    if name == "text":
        loose = (
            Q(title__icontains=value)
            | Q(description__icontains=value)
            | Q(Exists(Comment.objects.filter(ticket_id=OuterRef("pk"), body__icontains=value)))
        )
        usable = op == "contains" and _sql_agrees(op, value)
        return (loose if usable else Q()), False
    if name == "category":
        return _category_q(op, value), True
    lookup = _LOOKUPS[name]
    if not _sql_agrees(op, value):
        # SQL may miss a match that differs in case: only "does not contain" stays a superset.
        return (_compare_q(lookup, op, value) if op == "not_contains" else Q()), False
    return _compare_q(lookup, op, value), True


def _sql_agrees(op: str, value: Any) -> bool:
    """SQLite's LIKE folds case for ASCII letters only; Python folds them all. A preview
    with other letters in a text test checks its candidates in Python."""
    folds = op in ("contains", "not_contains", "starts_with")
    return not (folds and connection.vendor == "sqlite" and not str(value).isascii())


def _compare_q(lookup: str, op: str, value: Any) -> Q:
    if op == "eq":
        return Q(**{lookup: value})
    if op == "ne":
        return ~Q(**{lookup: value}) | Q(**{f"{lookup}__isnull": True})
    if op == "in":
        return Q(**{f"{lookup}__in": value})
    if op == "not_in":
        return ~Q(**{f"{lookup}__in": value}) | Q(**{f"{lookup}__isnull": True})
    if op in ("is_set", "is_not_set"):
        empty = Q(**{f"{lookup}__isnull": True})
        if not lookup.endswith("_id"):
            empty |= Q(**{lookup: ""})
        return ~empty if op == "is_set" else empty
    if op == "contains":
        return Q(**{f"{lookup}__icontains": value})
    if op == "not_contains":
        return ~Q(**{f"{lookup}__icontains": value})
    if op == "starts_with":
        return Q(**{f"{lookup}__istartswith": value})
    return Q(**{f"{lookup}__{op}": value})


def _category_q(op: str, value: Any) -> Q:
    if op in ("is_set", "is_not_set"):
        return Q(category__isnull=op == "is_not_set")
    wanted = value if isinstance(value, list) else [value]
    under = Q(pk__in=[])
    for path in _category_paths(wanted):
        under |= Q(category__path=path) | Q(category__path__startswith=path + SEP)
    return under if op in ("eq", "in") else (~under | Q(category__isnull=True))


def annotate_anchors(qs: TicketQuerySet) -> TicketQuerySet:
    """The instants "time since" counts from, as columns (status change, last reply)."""
    last_status = (
        TicketEvent.objects.filter(ticket_id=OuterRef("pk"), action=EventAction.STATUS)
        .order_by("-created_at")
        .values("created_at")[:1]
    )
    last_reply = (
        Comment.objects.filter(ticket_id=OuterRef("pk"), is_internal=False)
        .order_by("-created_at")
        .values("created_at")[:1]
    )
    return qs.annotate(
        auto_status_changed=Coalesce(Subquery(last_status), F("created_at")),
        auto_last_reply=Coalesce(Subquery(last_reply), F("created_at")),
    )


_ANCHOR_COLUMNS = {
    "created": "created_at",
    "updated": "updated_at",
    "status_changed": "auto_status_changed",
    "last_reply": "auto_last_reply",
}


def _time_q(since: str, op: str, value: dict[str, Any], now: datetime) -> tuple[Q, bool]:
    """Wall time is exact. Business time never exceeds wall time, so "more than N business
    minutes" implies "more than N wall minutes": a looser filter, checked in Python."""
    column = _ANCHOR_COLUMNS[since]
    cutoff = now - timedelta(minutes=value["minutes"])
    if op == "more_than":
        return Q(**{f"{column}__lt": cutoff}), not value["business"]
    if value["business"]:
        return Q(), False
    return Q(**{f"{column}__gt": cutoff}), True
