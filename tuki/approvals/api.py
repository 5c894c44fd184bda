"""Approvals over REST (/api/v1/approvals/): what waits for me, decide, request, cancel.

Steps are fetched through approvals/access.py: a step is visible to its voters only, an
approval to whoever sees its ticket; anything else is a 404. Writes are one service call.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from django.utils.translation import gettext as _
from ninja import Field, Router
from pydantic import AfterValidator

from tuki.approvals import access, services
from tuki.approvals.models import (
    Approval,
    ApprovalDecision,
    ApprovalStep,
    ApprovalTemplate,
    Via,
)
from tuki.lib.bounds import Id, Schema
from tuki.lib.errors import ServiceError
from tuki.lib.http import ApiRequest
from tuki.tickets import access as ticket_access

router = Router(tags=["approvals"])


def _no_nul(value: str) -> str:
    if "\x00" in value:
        raise ValueError(_("Text may not contain NUL characters."))
    return value


Text = Annotated[str, AfterValidator(_no_nul)]


class Person(Schema):
    id: int
    full_name: str


class DecisionOut(Schema):
    approver: Person
    decision: Literal["approve", "reject"]
    comment: str
    via: str
    decided_at: datetime


class StepOut(Schema):
    id: int
    position: int
    rule: Literal["any", "all", "majority"]
    state: str
    group: str | None = Field(None, description="The group whose members approve, if any")
    voters: list[Person] = Field(description="Who may decide, fixed when requested")
    decisions: list[DecisionOut]

    @staticmethod
    def resolve_group(obj: ApprovalStep) -> str | None:
        return obj.group.name if obj.group else None

    @staticmethod
    def resolve_voters(obj: ApprovalStep) -> list:
        return list(obj.voters.all())

    @staticmethod
    def resolve_decisions(obj: ApprovalStep) -> list:
        return list(obj.decisions.select_related("approver"))


class ApprovalOut(Schema):
    id: int
    ticket: str
    name: str
    state: str
    requested_by: Person | None
    created_at: datetime
    decided_at: datetime | None
    steps: list[StepOut]

    @staticmethod
    def resolve_ticket(obj: Approval) -> str:
        return obj.ticket.number

    @staticmethod
    def resolve_steps(obj: Approval) -> list:
        return list(obj.steps.select_related("group").order_by("position"))


class PendingOut(Schema):
    step: int = Field(description="Decide with POST /approvals/steps/{step}/decide")
    approval: int
    name: str
    ticket: str
    title: str
    requester: str
    position: int
    rule: str
    started_at: datetime | None


class DecideIn(Schema):
    decision: Literal["approve", "reject"]
    comment: Text = Field("", max_length=services.MAX_COMMENT)


class StepIn(Schema):
    rule: Literal["any", "all", "majority"] = "any"
    users: list[int] = Field(default_factory=list, description="User ids")
    group: int | None = Field(None, description="A support group whose members approve")


class RequestIn(Schema):
    ticket: str = Field(description="Ticket number (REQ-12) or id")
    template: int | None = Field(None, description="An approval template id")
    steps: list[StepIn] | None = Field(None, description="Steps, instead of a template")


class CancelIn(Schema):
    reason: Text = Field("", max_length=1000)


@router.get("/pending", response=list[PendingOut], summary="What waits for my decision")
def pending(request: ApiRequest) -> list[dict]:
    return [
        {
            "step": step.pk,
            "approval": step.approval_id,
            "name": step.approval.name,
            "ticket": step.approval.ticket.number,
            "title": step.approval.ticket.title,
            "requester": str(step.approval.ticket.requester),
            "position": step.position,
            "rule": step.rule,
            "started_at": step.started_at,
        }
        for step in access.waiting_for(request.auth)
    ]


@router.post(
    "/steps/{step_id}/decide", response={201: DecisionOut}, summary="Approve or reject a step"
)
def decide(request: ApiRequest, step_id: Id, payload: DecideIn) -> tuple[int, ApprovalDecision]:
    user = request.auth
    step = access.get_step_for_voter(user, step_id)
    made = services.decide(user, step, payload.decision, payload.comment, via=Via.API)
    return 201, made


@router.post("/request", response={201: ApprovalOut}, summary="Ask for approval (agents)")
def request_approval(request: ApiRequest, payload: RequestIn) -> tuple[int, Approval]:
    user = request.auth
    ticket = ticket_access.get_ticket_for_user(user, payload.ticket)
    template = None
    if payload.template is not None:
        template = ApprovalTemplate.objects.filter(pk=payload.template).first()
        if template is None:
            raise ServiceError(_("No such template."), field="template", code="unknown_template")
    steps = [s.dict() for s in payload.steps] if payload.steps is not None else None
    approval = services.request_approval(user, ticket, template=template, steps=steps)
    return 201, approval


@router.get("/tickets/{ref}", response=list[ApprovalOut], summary="A ticket's approvals")
def ticket_approvals(request: ApiRequest, ref: str) -> list[Approval]:
    ticket = ticket_access.get_ticket_for_user(request.auth, ref)
    return list(ticket.approvals.select_related("requested_by", "ticket"))


@router.post("/{approval_id}/cancel", response=ApprovalOut, summary="Withdraw (agents)")
def cancel(request: ApiRequest, approval_id: Id, payload: CancelIn | None = None) -> Approval:
    user = request.auth
    approval = access.get_approval_for_user(user, approval_id)
    return services.cancel_approval(user, approval, reason=payload.reason if payload else "")
