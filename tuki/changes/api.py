"""The changes API (/api/v1/changes/): changes, their CAB approval, outcome and review, the
risk with its reasons, standard change templates and the success scores (docs/changes.md,
"API"). Reads go through changes/access.py (what one may not read is a 404), writes through
changes/services.py (bad input is a 422 naming the field).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router

from tuki.accounts.models import SupportGroup, User
from tuki.approvals.models import Approval, ApprovalTemplate
from tuki.changes import access, risk, scores as scoring, services
from tuki.changes.models import Change, ChangeTemplate
from tuki.changes.views.scores import period
from tuki.lib.bounds import Id, Schema
from tuki.lib.errors import ServiceError
from tuki.lib.http import ApiRequest
from tuki.tickets.access import get_ticket_for_user
from tuki.tickets.choices import ACTIVE_CATEGORIES
from tuki.tickets.models import Category

router = Router(tags=["changes"])

TypeCode = Literal["standard", "normal", "emergency"]
OutcomeCode = Literal["successful", "with_issues", "failed", "backed_out"]
StateCode = Literal["draft", "approved", "retired"]
PAGE = 100


# --- schemas ---------------------------------------------------------------------------------


class ReasonOut(Schema):
    risk: int
    text: str = Field(description="The reason in the caller's language")
    code: str


class RiskOut(Schema):
    risk: int | None = Field(None, description="1 low, 2 moderate, 3 high, 4 very high")
    label: str
    reasons: list[ReasonOut]


class ApprovalOut(Schema):
    id: int
    name: str
    state: str
    created_at: datetime


class ChangeSummary(Schema):
    id: int
    number: str
    title: str
    type: TypeCode
    status: str
    risk: int | None
    planned_start: datetime | None
    planned_end: datetime | None
    implementer: str | None = Field(None, description="The implementer's email address")
    group: str | None


class ChangeOut(ChangeSummary):
    template: int | None
    justification: str
    implementation_plan: str
    backout_plan: str
    test_plan: str
    questionnaire: dict[str, str]
    risk_reasons: list[ReasonOut]
    cab: int | None
    approval: ApprovalOut | None = Field(None, description="The latest approval")
    outcome: str
    outcome_notes: str
    review: str
    reviewed_by: str | None
    reviewed_at: datetime | None


class ChangeIn(Schema):
    title: str
    description: str = ""
    type: TypeCode = "normal"
    template: Id | None = None
    group: Id | None = None
    category: Id | None = None
    impact: int | None = Field(None, ge=1, le=3)
    urgency: int | None = Field(None, ge=1, le=3)
    justification: str = ""
    implementation_plan: str = ""
    backout_plan: str = ""
    test_plan: str = ""
    questionnaire: dict[str, str] = Field(default_factory=dict)
    items: list[Id] = Field(default_factory=list, max_length=200)


class ChangePatch(Schema):
    type: TypeCode | None = None
    template: Id | None = None
    justification: str | None = None
    implementation_plan: str | None = None
    backout_plan: str | None = None
    test_plan: str | None = None
    questionnaire: dict[str, str] | None = None
    cab: Id | None = None


class OutcomeIn(Schema):
    outcome: OutcomeCode
    notes: str = ""


class ReviewIn(Schema):
    review: str


class CausedIn(Schema):
    incident: str = Field(description="The incident's number (INC-1042) or id")


class TemplateOut(Schema):
    id: int
    name: str
    description: str
    implementation_plan: str
    backout_plan: str
    test_plan: str
    duration_minutes: int
    group: int | None
    category: int | None
    risk: int
    state: StateCode
    approved_by: str | None
    approved_at: datetime | None


class TemplateIn(Schema):
    name: str
    description: str = ""
    implementation_plan: str = ""
    backout_plan: str = ""
    test_plan: str = ""
    duration_minutes: int = Field(60, ge=1, le=10080)
    group: Id | None = None
    category: Id | None = None
    risk: int = Field(1, ge=1, le=4)


class ScoreOut(Schema):
    id: int
    name: str
    total: int
    successful: int
    score: float | None


class ScoresOut(Schema):
    start: datetime
    end: datetime
    total: int
    successful: int
    score: float | None
    groups: list[ScoreOut]
    services: list[ScoreOut]


class ChangeFilters(Schema):
    type: TypeCode | None = None
    state: Literal["open", "closed", "all"] = "open"
    risk: int | None = Field(None, ge=1, le=4)
    group: Id | None = None
    service: Id | None = None
    cursor: Id | None = Field(None, description="The last id of the previous page")


# --- helpers ---------------------------------------------------------------------------------


def _agent(request: ApiRequest) -> User:
    user = request.auth
    if not access.may_read(user):
        raise Http404("No change management here")
    return user


def _reasons(change: Change) -> list[dict[str, Any]]:
    return [
        {"risk": r.get("risk", 1), "text": risk.reason_text(r), "code": r.get("code", "")}
        for r in change.risk_reasons or []
    ]


def _summary(change: Change) -> dict[str, Any]:
    ticket = change.ticket
    return {
        "id": ticket.pk,
        "number": ticket.number,
        "title": ticket.title,
        "type": change.change_type,
        "status": ticket.status.key,
        "risk": change.risk,
        "planned_start": change.planned_start,
        "planned_end": change.planned_end,
        "implementer": change.implementer.email if change.implementer else None,
        "group": ticket.group.name if ticket.group_id else None,
    }


def _detail(user: User, pk: int) -> dict[str, Any]:
    change = access.get_change_for_user(user, pk)
    approval = Approval.objects.filter(ticket_id=pk).first()
    return _summary(change) | {
        "template": change.template_id,
        "justification": change.justification,
        "implementation_plan": change.implementation_plan,
        "backout_plan": change.backout_plan,
        "test_plan": change.test_plan,
        "questionnaire": change.questionnaire or {},
        "risk_reasons": _reasons(change),
        "cab": change.cab_id,
        "approval": (
            {
                "id": approval.pk,
                "name": approval.name,
                "state": approval.state,
                "created_at": approval.created_at,
            }
            if approval
            else None
        ),
        "outcome": change.outcome,
        "outcome_notes": change.outcome_notes,
        "review": change.review,
        "reviewed_by": change.reviewed_by.email if change.reviewed_by else None,
        "reviewed_at": change.reviewed_at,
    }


def _ref(model: Any, pk: int | None, field: str) -> Any:
    if pk is None:
        return None
    found = model.objects.filter(pk=pk).first()
    if found is None:
        raise ServiceError(_("Not found."), field=field, code="not_found")
    return found


def _template_out(t: ChangeTemplate) -> dict[str, Any]:
    return {
        "id": t.pk,
        "name": t.name,
        "description": t.description,
        "implementation_plan": t.implementation_plan,
        "backout_plan": t.backout_plan,
        "test_plan": t.test_plan,
        "duration_minutes": t.duration_minutes,
        "group": t.group_id,
        "category": t.category_id,
        "risk": t.risk,
        "state": t.state,
        "approved_by": t.approved_by.email if t.approved_by else None,
        "approved_at": t.approved_at,
    }


# --- changes ---------------------------------------------------------------------------------


@router.get("/", response=list[ChangeSummary], summary="Changes you may see, newest first")
def list_changes(request: ApiRequest, filters: Query[ChangeFilters]) -> list[dict[str, Any]]:
    user = _agent(request)
    qs = access.visible_changes(user)
    if filters.type:
        qs = qs.filter(change_type=filters.type)
    if filters.state == "open":
        qs = qs.filter(ticket__status__category__in=ACTIVE_CATEGORIES)
    elif filters.state == "closed":
        qs = qs.exclude(ticket__status__category__in=ACTIVE_CATEGORIES)
    if filters.risk:
        qs = qs.filter(risk=filters.risk)
    if filters.group:
        qs = qs.filter(ticket__group_id=filters.group)
    if filters.service:
        qs = qs.filter(ticket__affected_items__ci_id=filters.service).distinct()
    if filters.cursor:
        qs = qs.filter(pk__lt=filters.cursor)
    qs = qs.select_related("ticket__status", "ticket__group", "implementer").order_by("-pk")
    return [_summary(c) for c in qs[:PAGE]]


@router.post("/", response={201: ChangeOut}, summary="Register a change")
def create_change(request: ApiRequest, payload: ChangeIn) -> tuple[int, dict[str, Any]]:
    user = _agent(request)
    change = services.create_change(
        user,
        title=payload.title,
        requester=user,
        description=payload.description,
        change_type=payload.type,
        template=_ref(ChangeTemplate, payload.template, "template"),
        group=_ref(SupportGroup, payload.group, "group"),
        category=_ref(Category, payload.category, "category"),
        impact=payload.impact,
        urgency=payload.urgency,
        justification=payload.justification,
        implementation_plan=payload.implementation_plan,
        backout_plan=payload.backout_plan,
        test_plan=payload.test_plan,
        questionnaire=payload.questionnaire,
        items=payload.items,
    )
    return 201, _detail(user, change.pk)


@router.get("/templates", response=list[TemplateOut], summary="Standard change templates")
def list_templates(request: ApiRequest) -> list[dict[str, Any]]:
    user = _agent(request)
    return [_template_out(t) for t in access.templates_for(user)]


@router.post("/templates", response={201: TemplateOut}, summary="Add a draft template")
def create_template(request: ApiRequest, payload: TemplateIn) -> tuple[int, dict[str, Any]]:
    user = _agent(request)
    values = payload.dict()
    values["group"] = _ref(SupportGroup, values.pop("group"), "group")
    values["category"] = _ref(Category, values.pop("category"), "category")
    template = services.create_template(user, **values)
    return 201, _template_out(access.get_template_for_user(user, template.pk))


@router.post(
    "/templates/{id}/approve",
    response=TemplateOut,
    summary="Approve a standard change template (change managers)",
)
def approve_template(request: ApiRequest, id: Id) -> dict[str, Any]:
    user = _agent(request)
    template = access.get_template_for_user(user, id)
    if not access.is_change_manager(user):
        raise PermissionDenied
    services.set_template_state(user, template, "approved")
    return _template_out(access.get_template_for_user(user, id))


@router.get("/scores", response=ScoresOut, summary="Change success score per group and service")
def get_scores(
    request: ApiRequest, start: date | None = None, end: date | None = None
) -> dict[str, Any]:
    user = _agent(request)
    begin, finish = period(start.isoformat() if start else None, end.isoformat() if end else None)
    result = scoring.scores(user, begin, finish)

    def rows(values: list[scoring.Score]) -> list[dict[str, Any]]:
        return [
            {
                "id": s.id,
                "name": s.name,
                "total": s.total,
                "successful": s.successful,
                "score": s.score,
            }
            for s in values
        ]

    return {
        "start": result.start,
        "end": result.end,
        "total": result.total,
        "successful": result.successful,
        "score": result.score,
        "groups": rows(result.groups),
        "services": rows(result.services),
    }


@router.get("/{id}", response=ChangeOut, summary="One change")
def get_change(request: ApiRequest, id: Id) -> dict[str, Any]:
    return _detail(_agent(request), id)


@router.patch("/{id}", response=ChangeOut, summary="Change a change's detail")
def update_change(request: ApiRequest, id: Id, payload: ChangePatch) -> dict[str, Any]:
    user = _agent(request)
    change = access.get_change_for_user(user, id)
    values = payload.dict(exclude_unset=True)
    fields: dict[str, Any] = {}
    if "type" in values:
        if values["type"] is None:
            raise ServiceError(_("This field cannot be empty."), field="type", code="required")
        fields["change_type"] = values.pop("type")
    if "template" in values:
        fields["template"] = _ref(ChangeTemplate, values.pop("template"), "template")
    if "cab" in values:
        fields["cab"] = _ref(ApprovalTemplate, values.pop("cab"), "cab")
    for key, value in values.items():
        fields[key] = {} if key == "questionnaire" and value is None else (value or "")
    try:
        services.update_change(user, change, **fields)
    except ServiceError as exc:
        if exc.field == "change_type":
            exc.field = "type"
        raise
    return _detail(user, id)


@router.get("/{id}/risk", response=RiskOut, summary="The change's risk with its reasons")
def get_risk(request: ApiRequest, id: Id) -> dict[str, Any]:
    change = access.get_change_for_user(_agent(request), id)
    return {
        "risk": change.risk,
        "label": change.get_risk_display() if change.risk else "",
        "reasons": _reasons(change),
    }


@router.post(
    "/{id}/request-approval",
    response={201: ApprovalOut},
    summary="Ask the change advisory board (the ECAB for an emergency change)",
)
def request_approval(request: ApiRequest, id: Id) -> tuple[int, dict[str, Any]]:
    user = _agent(request)
    change = access.get_change_for_user(user, id)
    approval = services.request_cab_approval(user, change)
    return 201, {
        "id": approval.pk,
        "name": approval.name,
        "state": approval.state,
        "created_at": approval.created_at,
    }


@router.post("/{id}/outcome", response=ChangeOut, summary="Record the outcome (once resolved)")
def record_outcome(request: ApiRequest, id: Id, payload: OutcomeIn) -> dict[str, Any]:
    user = _agent(request)
    change = access.get_change_for_user(user, id)
    services.record_outcome(user, change, outcome=payload.outcome, notes=payload.notes)
    return _detail(user, id)


@router.post("/{id}/review", response=ChangeOut, summary="The post-implementation review")
def save_review(request: ApiRequest, id: Id, payload: ReviewIn) -> dict[str, Any]:
    user = _agent(request)
    change = access.get_change_for_user(user, id)
    services.save_review(user, change, review=payload.review)
    return _detail(user, id)


@router.post(
    "/{id}/caused-incidents",
    response={201: ChangeSummary},
    summary="An incident this change caused",
)
def add_caused(request: ApiRequest, id: Id, payload: CausedIn) -> tuple[int, dict[str, Any]]:
    user = _agent(request)
    change = access.get_change_for_user(user, id)
    try:
        incident = get_ticket_for_user(user, payload.incident.strip(), related=False)
    except Http404:
        raise ServiceError(_("No such incident."), field="incident", code="not_found") from None
    services.add_caused_incident(user, change, incident)
    return 201, _summary(access.get_change_for_user(user, id))
