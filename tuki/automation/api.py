"""Automation rules over REST, mounted at /api/v1/automation/. Administrators (staff) only.

Every write goes through services.py, which validates the whole rule with validation.validate_rule:
a refused rule is a 422 naming the field path, e.g. `["body", "conditions.items.2.value"]`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Router

from tuki.automation import access, services
from tuki.automation.models import Rule, RuleRun
from tuki.lib.bounds import Id, Int, Schema
from tuki.lib.http import ApiRequest
from tuki.tickets.models import Ticket

router = Router(tags=["automation"])


class RuleOut(Schema):
    id: int
    name: str
    description: str
    is_active: bool
    position: int
    trigger: str
    events: list[str]
    kinds: list[str]
    conditions: dict[str, Any]
    wait: dict[str, Any]
    actions: list[dict[str, Any]]
    stop_processing: bool
    created_at: datetime
    updated_at: datetime


class RuleIn(Schema):
    """Every field optional on PATCH; POST needs at least a name, events or a wait, and one
    action (the 422 says which is missing)."""

    name: str = Field(None, max_length=120)  # type: ignore[assignment]  # pydantic: may be left out, not null
    description: str = Field(None)  # type: ignore[assignment]  # pydantic: may be left out, not null
    is_active: bool = Field(None)  # type: ignore[assignment]  # pydantic: may be left out, not null
    position: int = Field(None, ge=0, le=1_000_000)  # type: ignore[assignment]  # pydantic: may be left out, not null
    trigger: Rule.Trigger = Field(None)  # type: ignore[assignment]  # pydantic: may be left out, not null
    events: list[str] = Field(None, description="Keys of /automation/schema events")  # type: ignore[arg-type]  # pydantic: may be left out, not null
    kinds: list[str] = Field(None, description="Ticket kinds; empty: every kind")  # type: ignore[arg-type]  # pydantic: may be left out, not null
    conditions: dict[str, Any] = Field(
        None,  # type: ignore[arg-type]  # pydantic: may be left out, not null
        description='{"match": "all"|"any", "items": [condition or group]}',
    )
    wait: dict[str, Any] = Field(
        None,  # type: ignore[arg-type]  # pydantic: may be left out, not null
        description='Scheduled rules: {"minutes": n, "business": bool, "since": ...}',
    )
    actions: list[dict[str, Any]] = Field(None, description='[{"type": ..., params}]')  # type: ignore[arg-type]  # pydantic: may be left out, not null
    stop_processing: bool = Field(None)  # type: ignore[assignment]  # pydantic: may be left out, not null


class PreviewIn(Schema):
    conditions: dict[str, Any] = Field(default_factory=lambda: {"match": "all", "items": []})
    kinds: list[str] = Field(default_factory=list)
    trigger: Rule.Trigger = Rule.Trigger.EVENT
    limit: int = Field(50, ge=1, le=200)


class TicketBrief(Schema):
    number: str
    title: str
    status: str
    priority: int
    group: str
    url: str


class PreviewOut(Schema):
    count: int
    exact: bool = Field(description="False: only the first candidates were checked")
    tickets: list[TicketBrief]


class RunOut(Schema):
    id: int
    ticket: str
    trigger: str
    ok: bool
    error: str
    changes: list[Any]
    depth: int
    at: datetime


def _staff(request: ApiRequest) -> Any:
    user = request.auth
    if not access.may_manage_rules(user):
        raise PermissionDenied(_("Only administrators may manage rules."))
    return user


def _data(payload: Schema) -> dict[str, Any]:
    data = payload.model_dump(exclude_unset=True)
    if "trigger" in data and data["trigger"] is not None:
        data["trigger"] = str(data["trigger"])
    return data


def _brief(ticket: Ticket) -> dict[str, Any]:
    return {
        "number": ticket.number,
        "title": ticket.title,
        "status": ticket.status.label,
        "priority": ticket.priority,
        "group": ticket.group.name,
        "url": ticket.get_absolute_url(),
    }


@router.get("/rules", response=list[RuleOut], summary="Rules in run order (administrators)")
def list_rules(request: ApiRequest) -> Any:
    _staff(request)
    return Rule.objects.order_by("position", "id")


@router.post("/rules", response={201: RuleOut}, summary="Add a rule (administrators)")
def create_rule(request: ApiRequest, payload: RuleIn) -> tuple[int, Rule]:
    return 201, services.create_rule(_staff(request), **_data(payload))


@router.post("/rules/preview", response=PreviewOut, summary="Open tickets these conditions match")
def preview(request: ApiRequest, payload: PreviewIn) -> dict[str, Any]:
    result = services.preview_rule(
        _staff(request),
        conditions=payload.conditions,
        kinds=payload.kinds,
        limit=payload.limit,
        trigger=str(payload.trigger),
    )
    return {
        "count": result.count,
        "exact": result.exact,
        "tickets": [_brief(t) for t in result.tickets],
    }


@router.get("/rules/{pk}", response=RuleOut, summary="One rule (administrators)")
def get_rule(request: ApiRequest, pk: Id) -> Rule:
    _staff(request)
    return get_object_or_404(Rule, pk=pk)


@router.patch("/rules/{pk}", response=RuleOut, summary="Change a rule (administrators)")
def update_rule(request: ApiRequest, pk: Id, payload: RuleIn) -> Rule:
    user = _staff(request)
    return services.update_rule(user, get_object_or_404(Rule, pk=pk), **_data(payload))


@router.delete("/rules/{pk}", response={204: None}, summary="Delete a rule (administrators)")
def delete_rule(request: ApiRequest, pk: Id) -> tuple[int, None]:
    user = _staff(request)
    services.delete_rule(user, get_object_or_404(Rule, pk=pk))
    return 204, None


@router.get("/rules/{pk}/runs", response=list[RunOut], summary="A rule's last runs")
def rule_runs(request: ApiRequest, pk: Id, limit: Int = 50) -> list[dict[str, Any]]:
    user = _staff(request)
    rule = get_object_or_404(Rule, pk=pk)
    runs: list[RuleRun] = services.last_runs(user, rule, limit=max(1, min(limit, 200)))
    return [
        {
            "id": r.pk,
            "ticket": r.ticket.number,
            "trigger": r.trigger,
            "ok": r.ok,
            "error": r.error,
            "changes": r.changes,
            "depth": r.depth,
            "at": r.at,
        }
        for r in runs
    ]


@router.get("/schema", summary="What rules are built from: events, fields, operators, actions")
def catalogue(request: ApiRequest) -> dict[str, Any]:
    _staff(request)
    return access.catalogue()
