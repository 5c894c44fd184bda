"""The workflow of each kind over REST (docs/workflows.md): read by agents, changed by
administrators through the same services as the console (tuki/tickets/workflows.py).

A write that would strand open tickets is a 422 naming them, like the console's refusal.
Requesters and visitors learn nothing (404); an agent who is not an administrator may read
the workflow and gets a 403 on a write.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router

from tuki.lib.bounds import Id, Schema
from tuki.lib.errors import ServiceError
from tuki.lib.http import ApiRequest
from tuki.tickets import workflows
from tuki.tickets.models import Kind, Status, StatusCategory, StatusTransition
from tuki.tickets.schemas import is_agent

router = Router(tags=["workflows"])


class StatusAdminOut(Schema):
    id: int
    key: str
    name: str = Field(description="The name in the caller's language.")
    name_en: str = Field(description="The name as entered (English).")
    names: dict[str, str] = Field(description="Other languages by code: ro, fi.")
    category: StatusCategory
    order: int
    is_retired: bool

    @staticmethod
    def resolve_name(obj: Status) -> str:
        return obj.label

    @staticmethod
    def resolve_name_en(obj: Status) -> str:
        return obj.name


class TransitionOut(Schema):
    id: int
    from_status: str = Field(description="The status key the move starts from.")
    to_status: str = Field(description="The status key the move leads to.")
    roles: list[str] = Field(description="Who may make it; empty: any agent.")
    required_fields: list[str]


class WorkflowOut(Schema):
    kind: Kind
    statuses: list[StatusAdminOut]
    transitions: list[TransitionOut]


class KindQuery(Schema):
    kind: Kind = Kind.INCIDENT


class Move(Schema):
    from_status: str = Field(max_length=50)
    to_status: str = Field(max_length=50)


class TransitionsIn(Schema):
    transitions: list[Move] = Field(max_length=2000)


class TransitionRulesIn(Schema):
    roles: list[str] | None = Field(default=None, max_length=20)
    required_fields: list[str] | None = Field(default=None, max_length=50)


class StatusCreateIn(Schema):
    key: str = Field(max_length=50)
    name: str = Field(max_length=200)
    names: dict[str, str] = Field(default_factory=dict)
    category: StatusCategory
    order: int = Field(default=0, ge=0, le=32767)


class StatusUpdateIn(Schema):
    name: str | None = Field(default=None, max_length=200)
    names: dict[str, str] | None = None
    category: StatusCategory | None = None
    order: int | None = Field(default=None, ge=0, le=32767)
    is_retired: bool | None = None


def _require_agent(request: ApiRequest) -> Any:
    user = request.auth
    if not is_agent(user):
        raise Http404
    return user


def _require_admin(request: ApiRequest) -> Any:
    user = _require_agent(request)
    if not workflows.is_admin(user):
        raise PermissionDenied(_("Only administrators edit the workflow."))
    return user


def _workflow(kind: str) -> dict[str, Any]:
    transitions: QuerySet[StatusTransition] = (
        StatusTransition.objects.filter(kind=kind)
        .select_related("from_status", "to_status")
        .order_by("from_status__order", "from_status_id", "to_status__order", "to_status_id")
    )
    return {
        "kind": kind,
        "statuses": list(Status.objects.all()),
        "transitions": [
            {
                "id": t.pk,
                "from_status": t.from_status.key,
                "to_status": t.to_status.key,
                "roles": list(t.roles or []),
                "required_fields": list(t.required_fields or []),
            }
            for t in transitions
        ],
    }


@router.get("/workflows", response=WorkflowOut, summary="A kind's statuses and allowed moves")
def get_workflow(request: ApiRequest, filters: Query[KindQuery]) -> dict[str, Any]:
    _require_agent(request)
    return _workflow(filters.kind)


@router.put(
    "/workflows/transitions",
    response=WorkflowOut,
    summary="Replace a kind's allowed moves (administrators)",
)
def put_transitions(
    request: ApiRequest, filters: Query[KindQuery], payload: TransitionsIn
) -> dict[str, Any]:
    user = _require_admin(request)
    by_key = {s.key: s.pk for s in Status.objects.all()}
    pairs = []
    for index, move in enumerate(payload.transitions):
        for side in ("from_status", "to_status"):
            if getattr(move, side) not in by_key:
                raise ServiceError(
                    _("Unknown status."), field=f"transitions.{index}.{side}", code="unknown"
                )
        pairs.append((by_key[move.from_status], by_key[move.to_status]))
    workflows.set_transitions(user, filters.kind, pairs)
    return _workflow(filters.kind)


@router.patch(
    "/workflows/transitions/{pk}",
    response=TransitionOut,
    summary="Who may make a move and the fields it needs (administrators)",
)
def patch_transition(request: ApiRequest, pk: Id, payload: TransitionRulesIn) -> dict[str, Any]:
    user = _require_admin(request)
    transition = (
        StatusTransition.objects.select_related("from_status", "to_status").filter(pk=pk).first()
    )
    if transition is None:
        raise Http404
    saved = workflows.update_transition_rules(
        user,
        transition,
        roles=payload.roles if payload.roles is not None else list(transition.roles or []),
        required_fields=(
            payload.required_fields
            if payload.required_fields is not None
            else list(transition.required_fields or [])
        ),
    )
    return {
        "id": saved.pk,
        "from_status": transition.from_status.key,
        "to_status": transition.to_status.key,
        "roles": list(saved.roles),
        "required_fields": list(saved.required_fields),
    }


@router.post(
    "/workflows/statuses",
    response={201: StatusAdminOut},
    summary="Add a status (administrators)",
)
def create_status(request: ApiRequest, payload: StatusCreateIn) -> tuple[int, Status]:
    user = _require_admin(request)
    status = workflows.save_status(
        user,
        None,
        key=payload.key,
        name=payload.name,
        names=payload.names,
        category=payload.category,
        order=payload.order,
    )
    return 201, status


@router.patch(
    "/workflows/statuses/{pk}",
    response=StatusAdminOut,
    summary="Rename, reorder, recategorise or retire a status (administrators)",
)
def update_status(request: ApiRequest, pk: Id, payload: StatusUpdateIn) -> Status:
    user = _require_admin(request)
    status = Status.objects.filter(pk=pk).first()
    if status is None:
        raise Http404
    if {"name", "names", "category", "order"} & payload.model_fields_set:
        status = workflows.save_status(
            user,
            status,
            key=status.key,
            name=payload.name if payload.name is not None else status.name,
            names=payload.names if payload.names is not None else status.names,
            category=payload.category or status.category,
            order=payload.order if payload.order is not None else status.order,
        )
    if payload.is_retired is not None and payload.is_retired != status.is_retired:
        status = workflows.set_status_retired(user, status, payload.is_retired)
    return status
