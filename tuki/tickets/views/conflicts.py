"""No lost edits on the ticket page: what the agent saw when they opened a form, and what
changed since.

Every edit form of the ticket page carries the ticket's version it was opened at
(`version`) and, for a field, the field's value then (`original`, signed). On submit:

- the version is still current: the edit is saved as before;
- someone else changed the ticket, but not this field: the edit is saved over the new
  version (the other changes stay);
- someone else changed this field too, to something else than what the agent typed: the
  form comes back as a conflict (theirs, who and when, against yours), with "Keep mine" /
  "Take theirs", carrying the new version; nothing typed is lost.

Actions (status, resolve, assign, ...) are refused with a reload link when what they
concern (the status, the assignment) changed since the form was opened.

The services check the version again under the row lock (`expected_version`), so a change
landing between this check and the write is refused too, never overwritten.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field as dc_field
from datetime import datetime
from typing import Any

from django.core import signing
from django.http import HttpRequest

from tuki.accounts.models import User
from tuki.lib.bounds import parse_id
from tuki.tickets import fields as custom_fields, services
from tuki.tickets.models import FIELD_LABELS, Category, Ticket, TicketEvent

SALT = "tickets.field-original"

# What each page action concerns: a change of these since the form was opened refuses it.
ACTION_FIELDS: dict[str, frozenset[str]] = {
    "assign": frozenset({"assignee", "group"}),
    "escalate": frozenset({"assignee", "group", "escalated_to"}),
    "set_status": frozenset({"status"}),
    "resolve": frozenset({"status"}),
    "reopen": frozenset({"status"}),
    "close": frozenset({"status"}),
    "comment": frozenset({"status"}),
}


@dataclass
class Conflict:
    """A field both the agent and someone else changed since the form was opened."""

    field: str
    label: str
    theirs: str
    mine: str
    by: User | None
    at: datetime | None
    version: int
    original: str
    also: list[str] = dc_field(default_factory=list)


@dataclass
class Stale:
    """An action refused: what it concerns changed since the form was opened."""

    changed: list[str]
    by: User | None
    at: datetime | None


def event_field(field: str) -> str:
    """The field's name in events: "cf_<key>" tokens are "custom.<key>"."""
    return f"custom.{field.removeprefix('cf_')}" if field.startswith("cf_") else field


def snapshot(ticket: Ticket, field: str) -> Any:
    """The field's value, comparable and JSON-able."""
    if field.startswith("cf_"):
        return (ticket.custom or {}).get(field.removeprefix("cf_"))
    if field == "category":
        return ticket.category_id
    if field == "tags":
        return sorted(t.name for t in ticket.tags.all())
    return getattr(ticket, field)


def submitted(form: Any, field: str) -> Any:
    """What the agent sent, shaped as `snapshot` (and as the services store it)."""
    if field.startswith("cf_"):
        return form.values().get(field.removeprefix("cf_"))
    value = form.cleaned_data.get(field)
    if field == "category":
        return value.pk if value is not None else None
    if field == "tags":
        return sorted({n.strip().lower()[:50] for n in value or [] if n.strip()})
    if field == "title":
        return (value or "").strip()
    return value


def sign(ticket: Ticket, field: str) -> str:
    return signing.dumps(snapshot(ticket, field), salt=SALT, compress=True)


def mark(form: Any, ticket: Ticket, field: str) -> Any:
    """Give an edit form what it carries: the version and the field's value it shows."""
    form.version = ticket.version
    form.original = sign(ticket, field)
    return form


def seen_version(request: HttpRequest) -> int | None:
    return parse_id(request.POST.get("version", "")) if request.POST.get("version") else None


def _original(request: HttpRequest) -> tuple[bool, Any]:
    try:
        return True, signing.loads(request.POST.get("original", ""), salt=SALT)
    except signing.BadSignature:
        return False, None


def _same(a: Any, b: Any) -> bool:
    return json.dumps(a, default=str, sort_keys=True) == json.dumps(b, default=str, sort_keys=True)


def _last_change(ticket: Ticket, names: set[str] | frozenset[str]) -> TicketEvent | None:
    return (
        TicketEvent.objects.filter(ticket=ticket, field__in=names)
        .select_related("actor")
        .order_by("-created_at", "-id")
        .first()
    )


def label(name: str) -> str:
    if name.startswith("custom."):
        definition = custom_fields.field_by_key(name.removeprefix("custom."))
        return str(definition.label) if definition else name
    return str(FIELD_LABELS.get(name, name))


def display(ticket: Ticket, field: str, form: Any, value: Any) -> str:
    """A value of the field as the page shows it."""
    if value in (None, "", []):
        return "—"
    if field.startswith("cf_"):
        definition = custom_fields.field_by_key(field.removeprefix("cf_"))
        return custom_fields.event_display(definition, value) if definition else str(value)
    if field == "category":
        return str(Category.objects.filter(pk=value).first() or "—")
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    form_field = form.fields.get(field)
    for key, text in getattr(form_field, "choices", None) or []:
        if str(key) == str(value):
            return str(text)
    return str(value)


def field_conflict(request: HttpRequest, ticket: Ticket, field: str, form: Any) -> Conflict | None:
    """The conflict on `field` if someone else changed it since the form was opened (the
    ticket is the current one, read after the form was sent; the form is valid)."""
    seen = seen_version(request)
    if seen is None or seen >= ticket.version:
        return None
    current = snapshot(ticket, field)
    known, original = _original(request)
    changed = services.changed_since(ticket, seen)
    name = event_field(field)
    theirs_changed = not _same(original, current) if known else name in changed
    mine = submitted(form, field)
    if not theirs_changed or _same(mine, current):
        return None
    event = _last_change(ticket, {name})
    return Conflict(
        field=field,
        label=label(name),
        theirs=display(ticket, field, form, current),
        mine=display(ticket, field, form, mine),
        by=event.actor if event else None,
        at=event.created_at if event else None,
        version=ticket.version,
        original=sign(ticket, field),
        also=[label(f) for f in changed if f != name],
    )


def action_stale(request: HttpRequest, ticket: Ticket, name: str) -> Stale | None:
    """Whether what the action concerns changed since its form was opened."""
    seen = seen_version(request)
    concerns = ACTION_FIELDS.get(name)
    if seen is None or seen >= ticket.version or not concerns:
        return None
    changed = [f for f in services.changed_since(ticket, seen) if f in concerns]
    if not changed:
        return None
    event = _last_change(ticket, set(changed))
    return Stale(
        changed=[label(f) for f in changed],
        by=event.actor if event else None,
        at=event.created_at if event else None,
    )
