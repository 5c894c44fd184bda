"""Editing the workflow configuration from the console (docs/workflows.md): statuses, the
transitions of each kind with who may make them and the fields they need, the priority matrix
and the category tree.

Every write is a `save()`/`delete()` of a configuration model, so the audit trail records it
(tuki/audit/registry.py) and the configuration cache drops its copy. Only administrators
(staff or superusers) edit; a refusal is a `ServiceError` naming the field.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from tuki.accounts.models import SupportGroup, User
from tuki.lib.errors import ServiceError
from tuki.tickets.models import (
    NAME_LANGUAGES,
    Category,
    CustomField,
    Impact,
    Kind,
    Priority,
    PriorityRule,
    Status,
    StatusCategory,
    StatusTransition,
    Ticket,
    Urgency,
)
from tuki.tickets.transition_rules import REQUIRED_FIELDS, TRANSITION_ROLES

KEY_RE = re.compile(r"^[a-z][a-z0-9_]{0,49}$")
CUSTOM_RE = re.compile(r"^custom\.[a-z0-9_]{1,50}$")
STRANDED_SHOWN = 50


class StrandedTickets(ServiceError):
    """A change that would leave open tickets in a status with no way out."""

    def __init__(self, message: str, tickets: list[Ticket], *, field: str = "transitions"):
        super().__init__(message, field=field, code="stranded")
        self.tickets = tickets


def is_admin(user: Any) -> bool:
    return bool(user.is_authenticated and (user.is_staff or user.is_superuser))


def _require_admin(actor: User) -> None:
    if not is_admin(actor):
        raise PermissionDenied(_("Only administrators edit the workflow."))


def _clean_names(names: dict[str, str] | None) -> dict[str, str]:
    out = {}
    for code in NAME_LANGUAGES:
        value = ((names or {}).get(code) or "").strip()
        if len(value) > 100:
            raise ServiceError(_("At most 100 characters."), field=f"name_{code}", code="too_long")
        if value:
            out[code] = value
    return out


def _open_tickets(kind: str | None, status_ids: Iterable[int]) -> list[Ticket]:
    """Tickets not closed in those statuses (of one kind, or any), oldest first."""
    qs = Ticket.objects.filter(status_id__in=list(status_ids)).exclude(
        status__category=StatusCategory.CLOSED
    )
    if kind:
        qs = qs.filter(kind=kind)
    return list(qs.only("id", "kind", "title", "status_id").order_by("id")[:STRANDED_SHOWN])


def _stranded_message(tickets: list[Ticket]) -> str:
    numbers = ", ".join(t.number for t in tickets)
    return _(
        "This would leave open tickets with no way out of their status: %(numbers)s. "
        "Move them first or keep a transition out."
    ) % {"numbers": numbers}


# --- statuses -----------------------------------------------------------------------------------


def save_status(
    actor: User,
    status: Status | None,
    *,
    key: str,
    name: str,
    names: dict[str, str] | None,
    category: str,
    order: int,
) -> Status:
    """Create a status (status=None) or change one; the key of a status is fixed once made."""
    _require_admin(actor)
    name = name.strip()
    if not name:
        raise ServiceError(_("Give the status a name."), field="name", code="required")
    if len(name) > 100:
        raise ServiceError(_("At most 100 characters."), field="name", code="too_long")
    if category not in StatusCategory.values:
        raise ServiceError(_("Choose a category."), field="category", code="invalid")
    if not 0 <= order <= 32767:
        raise ServiceError(_("Between 0 and 32767."), field="order", code="invalid")
    clean = _clean_names(names)
    with transaction.atomic():
        if status is None:
            key = key.strip()
            if not KEY_RE.match(key):
                raise ServiceError(
                    _("Lower-case letters, digits and underscores, starting with a letter."),
                    field="key",
                    code="invalid",
                )
            if Status.objects.filter(key=key).exists():
                raise ServiceError(_("A status has this key."), field="key", code="taken")
            status = Status(key=key)
        else:
            status = Status.objects.select_for_update().get(pk=status.pk)
            if status.category != category and status.category != StatusCategory.CLOSED:
                # A ticket in a status that becomes closed would lose its way out unnoticed.
                if category == StatusCategory.CLOSED:
                    tickets = _open_tickets(None, [status.pk])
                    if tickets:
                        raise StrandedTickets(_stranded_message(tickets), tickets, field="category")
        status.name = name
        status.names = clean
        status.category = category
        status.order = order
        status.save()
    return status


def set_status_retired(actor: User, status: Status, retired: bool) -> Status:
    """A retired status keeps its tickets; no transition leads into it any more."""
    _require_admin(actor)
    with transaction.atomic():
        status = Status.objects.select_for_update().get(pk=status.pk)
        status.is_retired = retired
        status.save()
    return status


def delete_status(actor: User, status: Status) -> None:
    """Only a status no ticket has ever used; one in use can only be retired."""
    _require_admin(actor)
    with transaction.atomic():
        if Ticket.objects.filter(status=status).exists():
            tickets = _open_tickets(None, [status.pk])
            if tickets:
                raise StrandedTickets(
                    _("Tickets are in this status: %(numbers)s. Retire it instead.")
                    % {"numbers": ", ".join(t.number for t in tickets)},
                    tickets,
                    field="status",
                )
            raise ServiceError(
                _("Closed tickets are in this status. Retire it instead."),
                field="status",
                code="in_use",
            )
        for transition in StatusTransition.objects.filter(from_status=status) | (
            StatusTransition.objects.filter(to_status=status)
        ):
            transition.delete()
        status.delete()


# --- transitions --------------------------------------------------------------------------------


def set_transitions(actor: User, kind: str, pairs: Iterable[tuple[int, int]]) -> None:
    """Make `pairs` (from status id, to status id) the kind's allowed moves: the matrix saved.

    Refused, with the tickets, when a status that has open tickets of the kind would keep no
    transition out."""
    _require_admin(actor)
    if kind not in Kind.values:
        raise ServiceError(_("Unknown kind."), field="kind", code="invalid")
    wanted = {(int(a), int(b)) for a, b in pairs if int(a) != int(b)}
    statuses = {s.pk: s for s in Status.objects.all()}
    if any(a not in statuses or b not in statuses for a, b in wanted):
        raise ServiceError(_("Unknown status."), field="transitions", code="unknown_status")
    with transaction.atomic():
        current = {
            (t.from_status_id, t.to_status_id): t
            for t in StatusTransition.objects.select_for_update().filter(kind=kind)
        }
        had_out = {a for a, _b in current}
        keeps_out = {a for a, _b in wanted}
        losing = [
            pk for pk in had_out - keeps_out if statuses[pk].category != StatusCategory.CLOSED
        ]
        if losing:
            tickets = _open_tickets(kind, losing)
            if tickets:
                raise StrandedTickets(_stranded_message(tickets), tickets)
        for pair, transition in current.items():
            if pair not in wanted:
                transition.delete()
        for a, b in sorted(wanted - set(current)):
            StatusTransition(kind=kind, from_status_id=a, to_status_id=b).save()


def update_transition_rules(
    actor: User, transition: StatusTransition, *, roles: list[str], required_fields: list[str]
) -> StatusTransition:
    """Who may make one move and the fields it needs."""
    _require_admin(actor)
    unknown = [r for r in roles if r not in TRANSITION_ROLES]
    if unknown:
        raise ServiceError(_("Unknown role."), field="roles", code="invalid")
    fields = []
    for field in required_fields:
        field = field.strip()
        if not field:
            continue
        if field not in REQUIRED_FIELDS and not CUSTOM_RE.match(field):
            raise ServiceError(
                _("“%(field)s” is not a field a transition can require.") % {"field": field},
                field="required_fields",
                code="invalid",
            )
        if field not in fields:
            fields.append(field)
    custom = {f[len("custom.") :] for f in fields if f.startswith("custom.")}
    known = set(CustomField.objects.filter(key__in=custom).values_list("key", flat=True))
    for key in sorted(custom - known):
        raise ServiceError(
            _("There is no custom field “%(key)s”.") % {"key": key},
            field="required_fields",
            code="unknown_field",
        )
    with transaction.atomic():
        transition = StatusTransition.objects.select_for_update().get(pk=transition.pk)
        transition.roles = [r for r in TRANSITION_ROLES if r in roles]
        transition.required_fields = fields
        transition.save()
    return transition


# --- priority matrix ----------------------------------------------------------------------------


def set_priority_matrix(actor: User, cells: dict[tuple[int, int], int]) -> None:
    """Set every impact × urgency cell; each must be a priority 1..5."""
    _require_admin(actor)
    for (impact, urgency), priority in cells.items():
        if impact not in Impact.values or urgency not in Urgency.values:
            raise ServiceError(_("Unknown cell."), field="matrix", code="invalid")
        if priority not in Priority.values:
            raise ServiceError(
                _("Choose a priority."), field=f"cell_{impact}_{urgency}", code="invalid"
            )
    with transaction.atomic():
        existing = {(r.impact, r.urgency): r for r in PriorityRule.objects.select_for_update()}
        for cell, priority in cells.items():
            rule = existing.get(cell) or PriorityRule(impact=cell[0], urgency=cell[1])
            if rule.pk is None or rule.priority != priority:
                rule.priority = priority
                rule.save()


# --- categories ---------------------------------------------------------------------------------


def save_category(
    actor: User,
    category: Category | None,
    *,
    name: str,
    names: dict[str, str] | None,
    parent: Category | None,
    default_group: SupportGroup | None,
    is_active: bool,
) -> Category:
    """Create, rename, move or (de)activate a category; a move under itself is refused."""
    _require_admin(actor)
    name = name.strip()
    if not name:
        raise ServiceError(_("Give the category a name."), field="name", code="required")
    if len(name) > 100 or "›" in name:
        raise ServiceError(_("At most 100 characters, without “›”."), field="name", code="invalid")
    clean = _clean_names(names)
    with transaction.atomic():
        if parent is not None:
            # Fresh from the database: the stored translated paths are built from it.
            parent = Category.objects.get(pk=parent.pk)
        if category is not None:
            category = Category.objects.select_for_update().get(pk=category.pk)
            node = parent
            while node is not None:
                if node.pk == category.pk:
                    raise ServiceError(
                        _("A category cannot move under itself or one of its subcategories."),
                        field="parent",
                        code="cycle",
                    )
                node = node.parent
        else:
            category = Category()
        clash = Category.objects.filter(parent=parent, name=name)
        if category.pk:
            clash = clash.exclude(pk=category.pk)
        if clash.exists():
            raise ServiceError(
                _("A category with this name is already there."), field="name", code="taken"
            )
        category.name = name
        category.names = clean
        category.parent = parent
        category.default_group = default_group
        category.is_active = is_active
        category.save()
    return category
