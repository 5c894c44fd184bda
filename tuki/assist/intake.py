"""Assist at Log a call (registered in tickets/intake.py): duplicates, the suggested group,
category and priority with their reason, and the log of what the operator did with them.

What was shown travels with the form as a signed token (`assist_shown`), so the log records
what the operator saw, not a recomputation; a token that does not verify is ignored.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core import signing
from django.urls import reverse

from tuki.accounts.models import SupportGroup
from tuki.assist import duplicates, services
from tuki.assist.models import Kind
from tuki.tickets.choices import Channel, Priority
from tuki.tickets.intake import Advice, Advisor, Call
from tuki.tickets.models import Category, Ticket

if TYPE_CHECKING:
    from django.http import QueryDict

    from tuki.accounts.models import User

SALT = "tuki.assist.shown"
MAX_AGE = 24 * 3600  # a call is registered the same day
FIELD = "assist_shown"
KINDS = [Kind.GROUP, Kind.CATEGORY, Kind.PRIORITY]
REASONS = 3


def fields_of(user: User, call: Call) -> dict[str, Any]:
    caller = call.caller
    return {
        "requester": caller.pk if caller else None,
        "organisation": caller.organisation_id if caller else None,
        "location": caller.location_id if caller else None,
        "created_by": user.pk,
        "category": call.category.pk if call.category else None,
        "title": call.title,
        "description": call.description,
        "channel": Channel.PHONE,
        "impact": call.impact,
        "urgency": call.urgency,
    }


def _labels(kind: str, values: set[str], paths: dict[str, str]) -> dict[str, str]:
    """Each value's label; for categories, `paths` gets each one's path too."""
    ids = [int(v) for v in values if v.isdigit()]
    if kind == Kind.GROUP:
        return {str(g.pk): g.name for g in SupportGroup.objects.filter(pk__in=ids)}
    if kind == Kind.CATEGORY:
        categories = Category.objects.filter(pk__in=ids)
        paths.update({str(c.pk): c.path for c in categories})
        return {str(c.pk): str(c) for c in categories}
    return {str(p.value): str(p.label) for p in Priority if p.value in ids}


def services_of(path: str) -> list[str]:
    """The active services whose categories hold the category at `path` (itself or one
    above it): one query over the categories that have a service."""
    linked = (
        Category.objects.filter(services__is_active=True)
        .values_list("path", "services__name")
        .order_by("services__name")
    )
    names = [
        name for above, name in linked if path == above or path.startswith(above + duplicates.SEP)
    ]
    return list(dict.fromkeys(names))


def advise(user: User, call: Call) -> tuple[list[Advice], str]:
    """What Assist suggests for the call, ready to show, and the token to send back."""
    if call.caller is None and not call.title.strip():
        return [], ""
    suggestions = services.suggest_at_intake(fields_of(user, call), list(KINDS))
    if not suggestions:
        return [], ""
    # Only the reason tickets the operator may open are shown (one query for all kinds).
    wanted = {pk for s in suggestions for pk in s.reason}
    visible = Ticket.objects.visible_to(user).filter(pk__in=wanted).only("pk", "kind", "title")
    by_id = {t.pk: t for t in visible}
    shown = []
    advice = []
    for s in suggestions:
        paths: dict[str, str] = {}
        labels = _labels(s.kind, {s.value, *(v for v, _p in s.top)}, paths)
        if s.value not in labels:
            continue  # a group or category deleted since training
        reason = [by_id[pk] for pk in s.reason if pk in by_id]
        top = [(labels[v], p) for v, p in s.top if v in labels]
        top_values = [v for v, _p in s.top if v in labels]
        label = labels[s.value]
        offered = services_of(paths[s.value]) if s.value in paths else []
        advice.append(
            Advice(s.kind, s.value, label, s.confidence, top, reason[:REASONS], offered, top_values)
        )
        # The token is signed, not secret: it names only tickets the operator may see (a
        # ticket's id is its number).
        seen = [t.pk for t in reason]
        shown.append([s.kind, s.value, s.confidence, [list(t) for t in s.top], seen, s.model_id])
    return advice, signing.dumps(shown, salt=SALT, compress=True)


def shown_in(post: QueryDict) -> list[services.Suggested]:
    """The suggestions the form says were shown; nothing when the token does not verify."""
    token = post.get(FIELD) or ""
    if not token:
        return []
    try:
        rows = signing.loads(token, salt=SALT, max_age=MAX_AGE)
    except signing.BadSignature:
        return []
    found: dict[str, services.Suggested] = {}
    for kind, value, confidence, top, reason, model_id in rows:
        if kind in KINDS:
            top_ = [(str(v), float(p)) for v, p in top]
            reason_ = [int(pk) for pk in reason]
            found[kind] = services.Suggested(
                kind, str(value), float(confidence), top_, reason_, model_id
            )
    return list(found.values())


def final_value(ticket: Ticket, kind: str) -> str:
    value = {Kind.GROUP: ticket.group_id, Kind.CATEGORY: ticket.category_id}.get(
        Kind(kind), ticket.priority
    )
    return "" if value is None else str(value)


def registered(user: User, post: QueryDict, ticket: Ticket) -> None:
    """Inside the registering transaction: log each suggestion shown, with its outcome."""
    for suggested in shown_in(post):
        services.log_decided(
            ticket, suggested, final=final_value(ticket, suggested.kind), actor=user
        )


def section_context(user: User, ticket: Ticket) -> dict[str, Any] | None:
    """For tickets/sections.py: agents only; loads with htmx (no query here)."""
    if not (user.is_agent or user.is_superuser):
        return None
    return {"url": reverse("tickets:ticket_duplicates", args=[ticket.number])}


ADVISOR = Advisor(duplicates=duplicates.find, advise=advise, registered=registered)
