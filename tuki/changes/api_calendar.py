"""The change calendar over REST (/api/v1/changes/): calendar entries of a range, a change's
window with its conflicts and free slots, and blackout periods (docs/change-calendar.md).

Agents and administrators only (requesters get a 404). A change is fetched through what the
caller may see (`tickets.access`), a change the caller may not see is a 404, and conflicts
name only the changes the caller may see. Writes go through `changes.scheduling`; bad input
is a 422 naming the field.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, Literal

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router

from tuki.accounts.models import User
from tuki.changes import calendar, calendar_sources, conflicts, scheduling
from tuki.changes.models import BlackoutPeriod, Change
from tuki.cmdb import access as cmdb_access
from tuki.lib.bounds import Id, Schema
from tuki.lib.errors import ServiceError
from tuki.lib.http import ApiRequest
from tuki.tickets import access as ticket_access

calendar_sources.register_builtin_sources()  # idempotent; ChangesConfig.ready() calls it too

router = Router(tags=["change calendar"])

MAX_RANGE = timedelta(days=62)


class EntryOut(Schema):
    kind: str = Field(description="change, blackout, freeze, maintenance, release")
    title: str
    starts_at: datetime
    ends_at: datetime
    url: str
    detail: str
    tone: str


class CalendarFilters(Schema):
    start: datetime
    end: datetime
    service: Id | None = None
    item: Id | None = None


class ConflictOut(Schema):
    kind: str
    message: str
    starts_at: datetime
    ends_at: datetime
    ticket_id: int | None
    blocking: bool


class WindowOut(Schema):
    planned_start: datetime | None
    planned_end: datetime | None
    implementer: int | None
    conflicts: list[ConflictOut]


class WindowIn(Schema):
    planned_start: datetime
    planned_end: datetime
    implementer: Id | None = Field(None, description="A user id; null: no implementer")


class SlotOut(Schema):
    starts_at: datetime
    ends_at: datetime


class SlotFilters(Schema):
    count: int = Field(3, ge=1, le=10)
    horizon_days: int = Field(14, ge=1, le=60)


class BlackoutOut(Schema):
    id: int
    name: str
    kind: str
    reason: str
    starts_at: datetime
    ends_at: datetime
    items: list[int]
    allow_emergency: bool


class BlackoutIn(Schema):
    name: str = Field(max_length=200)
    kind: Literal["blackout", "freeze"] = "blackout"
    reason: str = ""
    starts_at: datetime
    ends_at: datetime
    items: list[Id] = Field(default_factory=list, description="Item ids; none: every item")
    allow_emergency: bool = True


def _agent(request: ApiRequest) -> User:
    user = request.auth
    if not cmdb_access.may_read(user):
        raise Http404("No change calendar here")
    return user


def _change(user: User, id: int) -> Change:
    ticket = ticket_access.get_ticket_for_user(user, id, related=False)
    change = Change.objects.filter(pk=ticket.pk).select_related("implementer").first()
    if change is None:
        raise Http404("Not a change")
    change.ticket = ticket
    return change


def _conflicts(found: list[conflicts.Conflict]) -> list[dict[str, Any]]:
    return [c.__dict__ for c in found]


def _window(change: Change, found: list[conflicts.Conflict]) -> dict[str, Any]:
    return {
        "planned_start": change.planned_start,
        "planned_end": change.planned_end,
        "implementer": change.implementer_id,
        "conflicts": _conflicts(found),
    }


@router.get("/calendar", response=list[EntryOut], summary="Calendar entries of a range")
def calendar_entries(request: ApiRequest, filters: Query[CalendarFilters]) -> list[Any]:
    user = _agent(request)
    if filters.end <= filters.start:
        raise ServiceError(_("The end must be after the start."), field="end", code="range")
    if filters.end - filters.start > MAX_RANGE:
        raise ServiceError(_("Ask for at most 62 days."), field="end", code="range")
    wanted = {k: v for k, v in (("service", filters.service), ("item", filters.item)) if v}
    return [e.__dict__ for e in calendar.entries(user, filters.start, filters.end, wanted)]


@router.get("/{id}/window", response=WindowOut, summary="A change's window and its conflicts")
def get_window(request: ApiRequest, id: Id) -> dict[str, Any]:
    user = _agent(request)
    change = _change(user, id)
    return _window(change, conflicts.check(change, user))


@router.put("/{id}/window", response=WindowOut, summary="Plan a change's window")
def put_window(request: ApiRequest, id: Id, payload: WindowIn) -> dict[str, Any]:
    user = _agent(request)
    change = _change(user, id)
    implementer = None
    if payload.implementer is not None:
        implementer = User.objects.filter(pk=payload.implementer).first()
        if implementer is None:
            raise ServiceError(_("No such user."), field="implementer", code="invalid")
    found = scheduling.set_window(
        user,
        change,
        start=payload.planned_start,
        end=payload.planned_end,
        implementer=implementer,
    )
    return _window(change, found)


@router.get("/{id}/conflicts", response=list[ConflictOut], summary="A change's conflicts")
def get_conflicts(request: ApiRequest, id: Id) -> list[dict[str, Any]]:
    user = _agent(request)
    return _conflicts(conflicts.check(_change(user, id), user))


@router.get("/{id}/free-slots", response=list[SlotOut], summary="The next conflict-free windows")
def get_free_slots(
    request: ApiRequest, id: Id, filters: Query[SlotFilters]
) -> list[dict[str, Any]]:
    user = _agent(request)
    slots = conflicts.free_slots(_change(user, id), filters.count, filters.horizon_days)
    return [{"starts_at": s, "ends_at": e} for s, e in slots]


def _blackout(blackout: BlackoutPeriod) -> dict[str, Any]:
    return {
        "id": blackout.pk,
        "name": blackout.name,
        "kind": blackout.kind,
        "reason": blackout.reason,
        "starts_at": blackout.starts_at,
        "ends_at": blackout.ends_at,
        "items": sorted(ci.pk for ci in blackout.items.all()),
        "allow_emergency": blackout.allow_emergency,
    }


def _blackout_values(user: User, payload: BlackoutIn) -> dict[str, Any]:
    if not scheduling.may_manage_blackouts(user):
        raise PermissionDenied
    values = payload.dict()
    wanted = set(values["items"])
    items = list(cmdb_access.items_visible_to(user).filter(pk__in=wanted))
    if len(items) != len(wanted):
        raise ServiceError(_("No such item."), field="items", code="invalid")
    values["items"] = items
    return values


@router.get("/blackouts", response=list[BlackoutOut], summary="Blackout periods and freezes")
def list_blackouts(request: ApiRequest) -> list[dict[str, Any]]:
    _agent(request)
    rows = BlackoutPeriod.objects.prefetch_related("items").order_by("starts_at", "pk")[:500]
    return [_blackout(b) for b in rows]


@router.post("/blackouts", response={201: BlackoutOut}, summary="Add a blackout period")
def create_blackout(request: ApiRequest, payload: BlackoutIn) -> tuple[int, dict[str, Any]]:
    user = _agent(request)
    blackout = scheduling.create_blackout(user, **_blackout_values(user, payload))
    return 201, _blackout(blackout)


@router.get("/blackouts/{id}", response=BlackoutOut, summary="One blackout period")
def get_blackout(request: ApiRequest, id: Id) -> dict[str, Any]:
    _agent(request)
    return _blackout(get_object_or_404(BlackoutPeriod, pk=id))


@router.put("/blackouts/{id}", response=BlackoutOut, summary="Change a blackout period")
def update_blackout(request: ApiRequest, id: Id, payload: BlackoutIn) -> dict[str, Any]:
    user = _agent(request)
    blackout = get_object_or_404(BlackoutPeriod, pk=id)
    return _blackout(scheduling.update_blackout(user, blackout, **_blackout_values(user, payload)))


@router.delete("/blackouts/{id}", response={204: None}, summary="Delete a blackout period")
def delete_blackout(request: ApiRequest, id: Id) -> tuple[int, None]:
    user = _agent(request)
    scheduling.delete_blackout(user, get_object_or_404(BlackoutPeriod, pk=id))
    return 204, None
