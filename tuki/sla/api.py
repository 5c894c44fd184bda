"""Service levels over REST: a ticket's clocks explained; services, agreements and policies.

Mounted at /api/v1/sla/ (business calendars are at /api/v1/sla/calendars, their own app).
Reading a ticket's clocks follows the ticket's visibility (404 otherwise; group targets only
for agents). The rules are read by agents and written by administrators, through rules.py.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Router

from tuki.lib.bounds import Id, Schema
from tuki.lib.http import ApiRequest
from tuki.sla import rules
from tuki.sla.access import clock_views
from tuki.sla.explain import ClockView
from tuki.sla.models import Agreement, Metric, Service, SlaPolicy
from tuki.tickets import access
from tuki.tickets.models import Kind

router = Router(tags=["service levels"])

Minutes = Annotated[int, Field(gt=0, le=10_000_000)]
Priority = Annotated[int, Field(ge=1, le=5)]


# --- clocks ------------------------------------------------------------------------------------


class HistoryOut(Schema):
    at: datetime
    text: str = Field(description="What changed and why, in the caller's language")
    old_deadline: datetime | None
    new_deadline: datetime | None


class ClockOut(Schema):
    metric: Metric
    group: str | None = Field(None, description="The group of an OLA clock")
    cycle: int
    title: str
    state: str
    status: str = Field(
        description='What the pages show, e.g. "4 h 10 min business time left", '
        '"overdue by 5 min business time", "paused with 3 h business time left", "met"'
    )
    due: str = Field(
        description='The deadline as the pages show it, e.g. "due 7 Dec 2026, 10:30", '
        '"no deadline while paused"'
    )
    reading: str = Field(description="status and due together, as every page and mail shows them")
    measure: str = Field(
        description="business (by the clock's calendar) or calendar (a 24×7 calendar)"
    )
    minutes: float | None = Field(
        None, description="Minutes left (running, paused) or late (overdue) in that measure"
    )
    tone: str = Field(description="success, warning, danger or secondary")
    policy: str | None
    calendar: str | None
    target_minutes: int
    elapsed_minutes: float
    started_at: datetime
    warn_at: datetime | None
    deadline: datetime | None
    stopped_at: datetime | None
    history: list[HistoryOut]


def _clock_out(view: ClockView) -> dict[str, Any]:
    clock = view.clock
    return {
        "metric": clock.metric,
        "group": clock.group.name if clock.group else None,
        "cycle": clock.cycle,
        "title": view.title,
        "state": clock.state,
        "status": view.status,
        "due": view.reading.due,
        "reading": view.reading.full,
        "measure": view.reading.measure,
        "minutes": view.reading.minutes,
        "tone": view.tone,
        "policy": clock.policy.name if clock.policy else None,
        "calendar": clock.calendar.name if clock.calendar else None,
        "target_minutes": clock.target_minutes,
        "elapsed_minutes": clock.elapsed_minutes,
        "started_at": clock.started_at,
        "warn_at": clock.warn_at,
        "deadline": clock.deadline,
        "stopped_at": clock.stopped_at,
        "history": [line.__dict__ for line in view.lines],
    }


@router.get(
    "/tickets/{ref}/clocks",
    response=list[ClockOut],
    summary="A ticket's SLA clocks, with why each deadline is what it is",
)
def ticket_clocks(request: ApiRequest, ref: str) -> list[dict[str, Any]]:
    user = request.auth
    ticket = access.get_ticket_for_user(user, ref, related=False)
    return [_clock_out(view) for view in clock_views(ticket, user)]


# --- rules: output -----------------------------------------------------------------------------


class ServiceOut(Schema):
    id: int
    name: str
    description: str
    categories: list[int]
    is_active: bool

    @staticmethod
    def resolve_categories(obj: Service) -> list[int]:
        return [c.pk for c in obj.categories.all()]


class AgreementOut(Schema):
    id: int
    name: str
    organisation: int = Field(alias="organisation_id")
    services: list[int]
    policy: int | None = Field(None, alias="policy_id")
    calendar: int | None = Field(None, alias="calendar_id")
    valid_from: date
    valid_until: date | None
    is_active: bool
    target_percent: float | None = Field(None, description="% of clocks promised to be met")

    @staticmethod
    def resolve_services(obj: Agreement) -> list[int]:
        return [s.pk for s in obj.services.all()]


class TargetIO(Schema):
    priority: Priority
    first_response_minutes: Minutes | None = None
    next_response_minutes: Minutes | None = None
    resolution_minutes: Minutes | None = None


class OlaIO(Schema):
    group: int
    priority: Priority | None = Field(None, description="null: every priority")
    minutes: Minutes


class PolicyOut(Schema):
    id: int
    name: str
    description: str
    order: int
    is_active: bool
    kinds: list[str]
    priorities: list[int]
    organisations: list[int]
    agreements: list[int]
    services: list[int]
    categories: list[int]
    calendar: int | None = Field(None, alias="calendar_id")
    warning_thresholds: list[int]
    pause_statuses: list[str]
    targets: list[TargetIO]
    ola_targets: list[OlaIO]

    @staticmethod
    def resolve_organisations(obj: SlaPolicy) -> list[int]:
        return [o.pk for o in obj.organisations.all()]

    @staticmethod
    def resolve_agreements(obj: SlaPolicy) -> list[int]:
        return [a.pk for a in obj.agreements.all()]

    @staticmethod
    def resolve_services(obj: SlaPolicy) -> list[int]:
        return [s.pk for s in obj.services.all()]

    @staticmethod
    def resolve_categories(obj: SlaPolicy) -> list[int]:
        return [c.pk for c in obj.categories.all()]

    @staticmethod
    def resolve_pause_statuses(obj: SlaPolicy) -> list[str]:
        return [s.key for s in obj.pause_statuses.all()]

    @staticmethod
    def resolve_targets(obj: SlaPolicy) -> list[dict[str, Any]]:
        return [
            {
                "priority": t.priority,
                "first_response_minutes": t.first_response_minutes,
                "next_response_minutes": t.next_response_minutes,
                "resolution_minutes": t.resolution_minutes,
            }
            for t in obj.targets.all()
        ]

    @staticmethod
    def resolve_ola_targets(obj: SlaPolicy) -> list[dict[str, Any]]:
        return [
            {"group": t.group_id, "priority": t.priority, "minutes": t.minutes}
            for t in obj.ola_targets.all()
        ]


# --- rules: input ------------------------------------------------------------------------------


class ServiceIn(Schema):
    name: str = Field(None, max_length=100)  # type: ignore[assignment]  # pydantic: may be left out, not null
    description: str = Field(None)  # type: ignore[assignment]  # pydantic: may be left out, not null
    categories: list[int] = Field(None)  # type: ignore[arg-type]  # pydantic: may be left out, not null
    is_active: bool = Field(None)  # type: ignore[assignment]  # pydantic: may be left out, not null


class AgreementIn(Schema):
    name: str = Field(None, max_length=150)  # type: ignore[assignment]  # pydantic: may be left out, not null
    organisation: int = Field(None)  # type: ignore[assignment]  # pydantic: may be left out, not null
    services: list[int] = Field(None, description="Empty: every service")  # type: ignore[arg-type]  # pydantic: may be left out, not null
    policy: int | None = None
    calendar: int | None = None
    valid_from: date = Field(None)  # type: ignore[assignment]  # pydantic: may be left out, not null
    valid_until: date | None = None
    is_active: bool = Field(None)  # type: ignore[assignment]  # pydantic: may be left out, not null
    target_percent: float | None = Field(None, ge=0, le=100, description="Empty: the desk's")


class PolicyIn(Schema):
    name: str = Field(None, max_length=100)  # type: ignore[assignment]  # pydantic: may be left out, not null
    description: str = Field(None)  # type: ignore[assignment]  # pydantic: may be left out, not null
    order: int = Field(None, ge=0, le=1_000_000)  # type: ignore[assignment]  # pydantic: may be left out, not null
    is_active: bool = Field(None)  # type: ignore[assignment]  # pydantic: may be left out, not null
    kinds: list[Kind] = Field(None, description="Empty: every kind")  # type: ignore[arg-type]  # pydantic: may be left out, not null
    priorities: list[Priority] = Field(None, description="Empty: every priority")  # type: ignore[arg-type]  # pydantic: may be left out, not null
    organisations: list[int] = Field(None)  # type: ignore[arg-type]  # pydantic: may be left out, not null
    agreements: list[int] = Field(None)  # type: ignore[arg-type]  # pydantic: may be left out, not null
    services: list[int] = Field(None)  # type: ignore[arg-type]  # pydantic: may be left out, not null
    categories: list[int] = Field(None, description="Subcategories match too")  # type: ignore[arg-type]  # pydantic: may be left out, not null
    calendar: int | None = None
    warning_thresholds: list[int] = Field(None, description="Percentages 1-99, e.g. [75, 90]")  # type: ignore[arg-type]  # pydantic: may be left out, not null
    pause_statuses: list[str] = Field(None, description="Status keys; empty: pending ones")  # type: ignore[arg-type]  # pydantic: may be left out, not null
    targets: list[TargetIO] = Field(None, description="Replaces every target when given")  # type: ignore[arg-type]  # pydantic: may be left out, not null
    ola_targets: list[OlaIO] = Field(None, description="Replaces every OLA target when given")  # type: ignore[arg-type]  # pydantic: may be left out, not null


def _require_agent(request: ApiRequest) -> None:
    user = request.auth
    if not (user.is_agent or user.is_superuser):
        raise PermissionDenied(_("Only agents may read the service level rules."))


def _data(payload: Schema) -> dict[str, Any]:
    data = payload.model_dump(exclude_unset=True)
    for key in ("kinds",):
        if key in data:
            data[key] = [str(v) for v in data[key]]
    return data


def _policies() -> Any:
    return SlaPolicy.objects.prefetch_related(
        "organisations",
        "agreements",
        "services",
        "categories",
        "pause_statuses",
        "targets",
        "ola_targets",
    )


# --- rules: endpoints --------------------------------------------------------------------------


@router.get("/services", response=list[ServiceOut], summary="Services (agents)")
def list_services(request: ApiRequest) -> Any:
    _require_agent(request)
    return Service.objects.prefetch_related("categories")


@router.post("/services", response={201: ServiceOut}, summary="Add a service (administrators)")
def create_service(request: ApiRequest, payload: ServiceIn) -> tuple[int, Service]:
    return 201, rules.save_service(request.auth, Service(), _data(payload))


@router.patch("/services/{pk}", response=ServiceOut, summary="Change a service (administrators)")
def update_service(request: ApiRequest, pk: Id, payload: ServiceIn) -> Service:
    _require_agent(request)
    service = get_object_or_404(Service, pk=pk)
    return rules.save_service(request.auth, service, _data(payload))


@router.get("/agreements", response=list[AgreementOut], summary="Agreements (agents)")
def list_agreements(request: ApiRequest) -> Any:
    _require_agent(request)
    return Agreement.objects.prefetch_related("services")


@router.post(
    "/agreements", response={201: AgreementOut}, summary="Add an agreement (administrators)"
)
def create_agreement(request: ApiRequest, payload: AgreementIn) -> tuple[int, Agreement]:
    return 201, rules.save_agreement(request.auth, Agreement(), _data(payload))


@router.patch(
    "/agreements/{pk}", response=AgreementOut, summary="Change an agreement (administrators)"
)
def update_agreement(request: ApiRequest, pk: Id, payload: AgreementIn) -> Agreement:
    _require_agent(request)
    agreement = get_object_or_404(Agreement, pk=pk)
    return rules.save_agreement(request.auth, agreement, _data(payload))


@router.get("/policies", response=list[PolicyOut], summary="SLA policies in order (agents)")
def list_policies(request: ApiRequest) -> Any:
    _require_agent(request)
    return _policies()


@router.post("/policies", response={201: PolicyOut}, summary="Add a policy (administrators)")
def create_policy(request: ApiRequest, payload: PolicyIn) -> tuple[int, SlaPolicy]:
    policy = rules.save_policy(request.auth, SlaPolicy(), _data(payload))
    return 201, _policies().get(pk=policy.pk)


@router.patch("/policies/{pk}", response=PolicyOut, summary="Change a policy (administrators)")
def update_policy(request: ApiRequest, pk: Id, payload: PolicyIn) -> SlaPolicy:
    _require_agent(request)
    policy = get_object_or_404(SlaPolicy, pk=pk)
    rules.save_policy(request.auth, policy, _data(payload))
    return _policies().get(pk=pk)
