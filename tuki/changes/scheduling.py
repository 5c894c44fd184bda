"""Every write of the change calendar: a change's window, blackout periods, and the guard
that keeps changes from starting inside a blackout (docs/change-calendar.md).

- `set_window`: whoever may work the change ticket plans its window and implementer; the
  ticket's timeline records each field that changed; the conflicts found right after come
  back (they warn, they do not refuse: the board decides).
- Blackout periods are written by administrators and change managers (staff or superuser);
  agents read them.
- `blackout_guard`: a change moving to "in progress" while a blackout holds one of its items
  (or every item) is refused, unless it is an emergency change and the blackout allows them.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from tuki.changes import conflicts
from tuki.changes.models import BlackoutKind, BlackoutPeriod, Change, ChangeType
from tuki.cmdb.models import AffectedItem, ConfigurationItem
from tuki.lib.dates import absolute
from tuki.lib.errors import ServiceError
from tuki.tickets import access as ticket_access, guards, services as ticket_services
from tuki.tickets.choices import Kind
from tuki.tickets.models import EventAction, Ticket

if TYPE_CHECKING:
    from tuki.accounts.models import User
    from tuki.tickets.models import Status


class _Keep:
    """`set_window(implementer=KEEP)`: leave the implementer as it is."""


KEEP = _Keep()
GUARD_KEY = "changes.blackout"
IN_PROGRESS = "in_progress"
NAME_MAX = 200


def may_manage_blackouts(user: User | Any) -> bool:
    return bool(user.is_authenticated and user.is_active and (user.is_staff or user.is_superuser))


def _check_range(start: datetime | None, end: datetime | None, names: tuple[str, str]) -> None:
    if start is None:
        raise ServiceError(_("Give the start."), field=names[0], code="required")
    if end is None:
        raise ServiceError(_("Give the end."), field=names[1], code="required")
    if timezone.is_naive(start) or timezone.is_naive(end):
        raise ServiceError(_("Give a time zone."), field=names[0], code="invalid")
    if end <= start:
        raise ServiceError(_("The end must be after the start."), field=names[1], code="range")


def _implementer(value: Any) -> User | None:
    if value is None:
        return None
    if not (value.is_active and (value.is_agent or value.is_superuser)):
        raise ServiceError(
            _("The implementer must be an active agent."), field="implementer", code="invalid"
        )
    return value


def set_window(
    actor: User | None,
    change: Change,
    *,
    start: datetime | None,
    end: datetime | None,
    implementer: User | None | _Keep = KEEP,
) -> list[conflicts.Conflict]:
    """Plan the change's window (and implementer: None takes it away, KEEP leaves it)."""
    _check_range(start, end, ("planned_start", "planned_end"))
    chosen = None if isinstance(implementer, _Keep) else _implementer(implementer)
    with transaction.atomic():
        if actor is not None:
            ticket = Ticket.objects.visible_to(actor).filter(pk=change.pk).first()
            if ticket is None or not ticket_access.can_work(actor, ticket):
                raise PermissionDenied
        locked = Change.objects.select_for_update().select_related("ticket").get(pk=change.pk)
        who = locked.implementer if isinstance(implementer, _Keep) else chosen
        before = {
            "planned_start": locked.planned_start,
            "planned_end": locked.planned_end,
            "implementer": locked.implementer,
        }
        after = {"planned_start": start, "planned_end": end, "implementer": who}
        changed = [name for name, value in after.items() if before[name] != value]
        if not changed:
            return conflicts.check(locked, actor)
        locked.planned_start, locked.planned_end, locked.implementer = start, end, who
        locked.save(update_fields=["planned_start", "planned_end", "implementer"])
        for name in changed:
            ticket_services.record_event(
                locked.ticket,
                actor,
                EventAction.FIELD,
                field=name,
                old=_shown(before[name]),
                new=_shown(after[name]),
                touch=True,
            )
    change.planned_start, change.planned_end, change.implementer = start, end, who
    return conflicts.check(locked, actor)


def _shown(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat()
    return str(getattr(value, "full_name", "") or value)


# Blackout periods


def _blackout_fields(
    *, name: str, kind: str, starts_at: datetime | None, ends_at: datetime | None, reason: str
) -> None:
    if not name.strip():
        raise ServiceError(_("Give the blackout a name."), field="name", code="required")
    if len(name) > NAME_MAX:
        raise ServiceError(_("The name is too long."), field="name", code="too_long")
    if kind not in BlackoutKind.values:
        raise ServiceError(_("Unknown kind."), field="kind", code="invalid")
    _check_range(starts_at, ends_at, ("starts_at", "ends_at"))


def create_blackout(
    actor: User | None,
    *,
    name: str,
    starts_at: datetime,
    ends_at: datetime,
    kind: str = BlackoutKind.BLACKOUT,
    reason: str = "",
    items: Iterable[ConfigurationItem] = (),
    allow_emergency: bool = True,
) -> BlackoutPeriod:
    if actor is not None and not may_manage_blackouts(actor):
        raise PermissionDenied
    _blackout_fields(name=name, kind=kind, starts_at=starts_at, ends_at=ends_at, reason=reason)
    with transaction.atomic():
        blackout = BlackoutPeriod.objects.create(
            name=name.strip(),
            kind=kind,
            reason=reason,
            starts_at=starts_at,
            ends_at=ends_at,
            allow_emergency=allow_emergency,
            created_by=actor,
        )
        blackout.items.set(list(items))
    return blackout


def update_blackout(
    actor: User | None,
    blackout: BlackoutPeriod,
    *,
    name: str,
    starts_at: datetime,
    ends_at: datetime,
    kind: str = BlackoutKind.BLACKOUT,
    reason: str = "",
    items: Iterable[ConfigurationItem] = (),
    allow_emergency: bool = True,
) -> BlackoutPeriod:
    if actor is not None and not may_manage_blackouts(actor):
        raise PermissionDenied
    _blackout_fields(name=name, kind=kind, starts_at=starts_at, ends_at=ends_at, reason=reason)
    with transaction.atomic():
        locked = BlackoutPeriod.objects.select_for_update().get(pk=blackout.pk)
        locked.name, locked.kind, locked.reason = name.strip(), kind, reason
        locked.starts_at, locked.ends_at = starts_at, ends_at
        locked.allow_emergency = allow_emergency
        locked.save()
        locked.items.set(list(items))
    return locked


def delete_blackout(actor: User | None, blackout: BlackoutPeriod) -> None:
    if actor is not None and not may_manage_blackouts(actor):
        raise PermissionDenied
    with transaction.atomic():
        BlackoutPeriod.objects.filter(pk=blackout.pk).delete()


# The workflow guard


def holding_blackout(ticket: Ticket, at: datetime) -> BlackoutPeriod | None:
    """The first blackout at `at` holding every item or one the ticket names."""
    through = BlackoutPeriod.items.through
    named = AffectedItem.objects.filter(ticket_id=ticket.pk).values("ci_id")
    everywhere = ~Exists(through.objects.filter(blackoutperiod_id=OuterRef("pk")))
    return (
        BlackoutPeriod.objects.filter(starts_at__lte=at, ends_at__gt=at)
        .annotate(everywhere=everywhere)
        .filter(Q(everywhere=True) | Q(items__in=named))
        .order_by("allow_emergency", "starts_at", "pk")  # a refusing one first
        .first()
    )


def blackout_guard(ticket: Ticket, old: Status, new: Status, actor: User | None) -> None:
    """Refuse to start a change inside a blackout (tuki/tickets/guards.py Check)."""
    if ticket.kind != Kind.CHANGE or new.key != IN_PROGRESS or old.key == IN_PROGRESS:
        return
    blackout = holding_blackout(ticket, timezone.now())
    if blackout is None:
        return
    change_type = Change.objects.filter(pk=ticket.pk).values_list("change_type", flat=True).first()
    if blackout.allow_emergency and change_type == ChangeType.EMERGENCY:
        return
    raise ServiceError(
        _("%(name)s holds changes until %(end)s; only emergency changes it allows may start.")
        % {"name": blackout.name, "end": absolute(blackout.ends_at)},
        field="status",
        code="blackout",
    )


def register_guards() -> None:
    guards.register(guards.Guard(GUARD_KEY, (Kind.CHANGE,), blackout_guard))


def unregister_guards() -> None:
    guards.unregister(GUARD_KEY)
