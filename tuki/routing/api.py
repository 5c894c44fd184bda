"""Routing and assignment over REST, mounted at /api/v1/routing/.

Routing rules: administrators (list, read, create, change, move, delete). Away dates: an
agent's own (`user_id` for a member of a group one manages, or anyone for administrators).
Groups: the assignment mode of the groups one may manage, and who is away today. Writes
go through services; a refusal is a 422 naming the field.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Router

from tuki.accounts import services as accounts
from tuki.accounts.models import Absence, SupportGroup, User
from tuki.lib.bounds import Id, Schema
from tuki.lib.errors import ServiceError
from tuki.lib.http import ApiRequest
from tuki.routing import access, services
from tuki.routing.models import RoutingRule

router = Router(tags=["routing"])


# --- rules -----------------------------------------------------------------------------------


class RuleOut(Schema):
    id: int
    position: int
    name: str
    is_active: bool
    kind: str = Field(description='A ticket kind, or "" for any')
    category_id: int | None = Field(description="Subcategories match too")
    service_id: int | None
    organisation_id: int | None = Field(description="The requester's organisation")
    location_id: int | None = Field(description="The requester's office")
    group_id: int = Field(description="Where a matching new ticket's work goes")
    use_assist: bool = Field(
        description="Send the work to Assist's suggested group when its confidence reaches "
        "the Assist routing threshold; otherwise to group_id"
    )


class RuleIn(Schema):
    name: str = Field(None, max_length=120)  # type: ignore[assignment]  # pydantic: may be left out, not null
    position: int | None = Field(None, ge=0, le=services.MAX_POSITION)
    is_active: bool = Field(None)  # type: ignore[assignment]  # pydantic: may be left out, not null
    kind: str = Field(None, max_length=20)  # type: ignore[assignment]  # pydantic: may be left out, not null
    category_id: Id | None = Field(None)
    service_id: Id | None = Field(None)
    organisation_id: Id | None = Field(None)
    location_id: Id | None = Field(None)
    group_id: Id = Field(None)  # type: ignore[assignment]  # pydantic: may be left out, not null
    use_assist: bool = Field(None)  # type: ignore[assignment]  # pydantic: may be left out, not null


class MoveIn(Schema):
    offset: int = Field(description="-1 moves the rule up one place, 1 down", ge=-1000, le=1000)


FOREIGN_KEYS = ("category", "service", "organisation", "location", "group")


def _save(request: ApiRequest, rule: RoutingRule, payload: RuleIn) -> RoutingRule:
    try:
        return services.save_rule(request.auth, rule, _rule_data(payload))
    except ServiceError as exc:
        if exc.field in FOREIGN_KEYS:
            exc.field += "_id"  # the name the caller sent
        raise


def _rule_data(payload: RuleIn) -> dict[str, Any]:
    data = payload.model_dump(exclude_unset=True)
    # The services take the field names of the model; ids are resolved (and refused) there.
    return {key.removesuffix("_id"): value for key, value in data.items()}


@router.get("/rules", response=list[RuleOut], summary="Routing rules in order (administrators)")
def list_rules(request: ApiRequest) -> Any:
    access.require_rule_admin(request.auth)
    return RoutingRule.objects.all()


@router.post("/rules", response={201: RuleOut}, summary="Add a routing rule (administrators)")
def create_rule(request: ApiRequest, payload: RuleIn) -> tuple[int, RoutingRule]:
    return 201, _save(request, RoutingRule(), payload)


@router.get("/rules/{pk}", response=RuleOut, summary="A routing rule (administrators)")
def get_rule(request: ApiRequest, pk: Id) -> RoutingRule:
    return access.get_rule_for_user(request.auth, pk)


@router.patch("/rules/{pk}", response=RuleOut, summary="Change a routing rule (administrators)")
def update_rule(request: ApiRequest, pk: Id, payload: RuleIn) -> RoutingRule:
    rule = access.get_rule_for_user(request.auth, pk)
    return _save(request, rule, payload)


@router.post("/rules/{pk}/move", response=list[RuleOut], summary="Reorder (administrators)")
def move_rule(request: ApiRequest, pk: Id, payload: MoveIn) -> Any:
    rule = access.get_rule_for_user(request.auth, pk)
    services.move_rule(request.auth, rule, payload.offset)
    return RoutingRule.objects.all()


@router.delete("/rules/{pk}", response={204: None}, summary="Delete a rule (administrators)")
def delete_rule(request: ApiRequest, pk: Id) -> tuple[int, None]:
    rule = access.get_rule_for_user(request.auth, pk)
    services.delete_rule(request.auth, rule)
    return 204, None


# --- away dates ------------------------------------------------------------------------------


class AbsenceOut(Schema):
    id: int
    user_id: int
    starts_on: date
    ends_on: date = Field(description="Included; days in the agent's time zone")
    note: str


class AbsenceIn(Schema):
    starts_on: date
    ends_on: date
    note: str = Field("", max_length=200)
    user_id: Id | None = Field(
        None, description="Someone else's dates: a member of a group you manage (default you)"
    )


def _require_agent(user: User) -> None:
    if not (user.is_agent or user.is_superuser):
        raise PermissionDenied(_("Only agents have away dates."))


@router.get("/absences", response=list[AbsenceOut], summary="My away dates not yet over")
def list_absences(request: ApiRequest) -> Any:
    _require_agent(request.auth)
    return access.current_absences([request.auth]).order_by("starts_on")


@router.post("/absences", response={201: AbsenceOut}, summary="Add away dates")
def create_absence(request: ApiRequest, payload: AbsenceIn) -> tuple[int, Absence]:
    actor = request.auth
    person = actor
    if payload.user_id is not None and payload.user_id != actor.pk:
        other = User.objects.filter(pk=payload.user_id).first()
        if other is None or not accounts.may_manage_absences(actor, other):
            raise ServiceError(_("Unknown or not allowed."), field="user_id", code="not_allowed")
        person = other
    absence = accounts.add_absence(
        actor, person, starts_on=payload.starts_on, ends_on=payload.ends_on, note=payload.note
    )
    return 201, absence


@router.delete("/absences/{pk}", response={204: None}, summary="Remove away dates")
def delete_absence(request: ApiRequest, pk: Id) -> tuple[int, None]:
    absence = access.get_absence_for_user(request.auth, pk)
    accounts.delete_absence(request.auth, absence)
    return 204, None


# --- groups ----------------------------------------------------------------------------------


class GroupOut(Schema):
    id: int
    name: str
    assignment: SupportGroup.Assignment
    away_today: list[int] = Field(description="Ids of the members away today")


class GroupIn(Schema):
    assignment: SupportGroup.Assignment


def _with_away(groups: list[SupportGroup]) -> list[dict[str, Any]]:
    members = {m.pk: m for g in groups for m in g.members.all()}
    away = accounts.away_user_ids(members.values())
    return [
        {
            "id": group.pk,
            "name": group.name,
            "assignment": group.assignment,
            "away_today": sorted(m.pk for m in group.members.all() if m.pk in away),
        }
        for group in groups
    ]


@router.get("/groups", response=list[GroupOut], summary="Groups whose assignment I may set")
def list_groups(request: ApiRequest) -> Any:
    return _with_away(list(access.managed_groups(request.auth).prefetch_related("members")))


@router.patch("/groups/{pk}", response=GroupOut, summary="Set a group's assignment mode")
def update_group(request: ApiRequest, pk: Id, payload: GroupIn) -> dict[str, Any]:
    group = access.get_group_for_user(request.auth, pk)
    accounts.set_assignment_mode(request.auth, group, payload.assignment)
    group = get_object_or_404(SupportGroup.objects.prefetch_related("members"), pk=pk)
    return _with_away([group])[0]
