"""The majors API (/api/v1/majors/): list, get, declare, propose, accept or reject, attach
children, post an update, resolve, review (docs/major-incidents.md, "API").

Agents only: anything else gets 404, like a major incident of a ticket the caller may not see.
Refused input is a 422 naming the field.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router

from tuki.accounts.models import User
from tuki.lib.bounds import Id, Schema
from tuki.lib.errors import ServiceError
from tuki.lib.http import ApiRequest
from tuki.majors import access, services
from tuki.majors.models import ACTIVE_STATES, Communication, MajorIncident
from tuki.tickets import access as ticket_access
from tuki.tickets.models import LinkType, Ticket

router = Router(tags=["majors"])


class CommunicationOut(Schema):
    id: int
    kind: str
    body: str
    posted_by: str | None
    posted_at: datetime
    reached: int


class MajorOut(Schema):
    id: int
    ticket: str
    title: str
    state: str
    manager_id: int | None
    declared_via: str
    declared_at: datetime | None
    summary: str
    bridge: str
    resolved_at: datetime | None
    children: list[str]


class MajorDetail(MajorOut):
    communications: list[CommunicationOut]
    review_timeline: str
    review_root_cause: str
    review_actions: str
    reviewed_at: datetime | None


class MajorPage(Schema):
    items: list[MajorOut]
    next_cursor: int | None


class MajorFilters(Schema):
    state: Literal["proposed", "declared", "rejected", "resolved", "reviewed", "active"] | None = (
        None
    )
    cursor: Id | None = None
    limit: int = Field(50, ge=1, le=200)


class DeclareIn(Schema):
    ticket: str = Field(..., max_length=40, description="INC-12 or the ticket's id")
    manager: Id | None = None
    summary: str = ""


class ProposeIn(Schema):
    ticket: str = Field(..., max_length=40)
    summary: str = ""


class AcceptIn(Schema):
    manager: Id | None = None
    summary: str = ""


class RejectIn(Schema):
    reason: str = ""


class ChildrenIn(Schema):
    tickets: list[str] = Field(..., max_length=services.MAX_CHILDREN_AT_ONCE)


class UpdateIn(Schema):
    body: str
    kind: Literal["public", "internal", "stakeholder"] = "public"


class ResolveIn(Schema):
    code: str = Field(..., max_length=30)
    resolution: str = ""


class ReviewIn(Schema):
    timeline: str
    root_cause: str = ""
    actions: str = ""


def _agent(request: ApiRequest) -> User:
    user = request.auth
    if not access.is_agent(user):
        raise Http404("No major incidents here")
    return user


def _ticket(user: User, ref: str) -> Ticket:
    """The ticket by INC-12 or id: a ticket the caller may not see is a 404, like no ticket."""
    return ticket_access.get_ticket_for_user(user, ref.strip())


def _manager(pk: int | None) -> User | None:
    if pk is None:
        return None
    user = User.objects.filter(pk=pk).first()
    if user is None:
        raise ServiceError(_("No such person."), field="manager", code="not_found")
    return user


def _children_numbers(user: User, majors: list[MajorIncident]) -> dict[int, list[str]]:
    out: dict[int, list[str]] = {m.pk: [] for m in majors}
    rows = (
        Ticket.objects.visible_to(user)
        .filter(links_in__source_id__in=list(out), links_in__type=LinkType.PARENT_OF)
        .values_list("links_in__source_id", "pk", "kind")
        .order_by("pk")
    )
    for parent, pk, kind in rows:
        out[parent].append(Ticket(pk=pk, kind=kind).number)
    return out


def _out(major: MajorIncident, children: list[str]) -> dict[str, Any]:
    return {
        "id": major.pk,
        "ticket": major.ticket.number,
        "title": major.ticket.title,
        "state": major.state,
        "manager_id": major.manager_id,
        "declared_via": major.declared_via,
        "declared_at": major.declared_at,
        "summary": major.summary,
        "bridge": major.bridge,
        "resolved_at": major.resolved_at,
        "children": children,
    }


def _detail(user: User, major: MajorIncident) -> dict[str, Any]:
    out = _out(major, _children_numbers(user, [major])[major.pk])
    out["communications"] = [
        {
            "id": c.pk,
            "kind": c.kind,
            "body": c.body,
            "posted_by": c.posted_by.get_full_name() if c.posted_by else None,
            "posted_at": c.posted_at,
            "reached": c.reached,
        }
        for c in Communication.objects.filter(major=major).select_related("posted_by")[:500]
    ]
    out.update(
        review_timeline=major.review_timeline,
        review_root_cause=major.review_root_cause,
        review_actions=major.review_actions,
        reviewed_at=major.reviewed_at,
    )
    return out


def _get(user: User, id: int) -> MajorIncident:
    return access.get_major_for_user(user, id)


@router.get("", response=MajorPage, summary="Major incidents you may see, active first by id")
def list_majors(request: ApiRequest, filters: Query[MajorFilters]) -> dict[str, Any]:
    user = _agent(request)
    qs = access.majors_visible_to(user).select_related("ticket")
    if filters.state == "active":
        qs = qs.filter(state__in=ACTIVE_STATES)
    elif filters.state:
        qs = qs.filter(state=filters.state)
    if filters.cursor is not None:
        qs = qs.filter(pk__lt=filters.cursor)
    majors = list(qs.order_by("-pk")[: filters.limit + 1])
    more = len(majors) > filters.limit
    majors = majors[: filters.limit]
    kids = _children_numbers(user, majors)
    return {
        "items": [_out(m, kids[m.pk]) for m in majors],
        "next_cursor": majors[-1].pk if more else None,
    }


@router.post("/declare", response={201: MajorDetail}, summary="Declare an incident major")
def declare(request: ApiRequest, payload: DeclareIn) -> tuple[int, dict[str, Any]]:
    user = _agent(request)
    ticket = _ticket(user, payload.ticket)
    major = services.declare_major(
        user, ticket, manager=_manager(payload.manager), summary=payload.summary
    )
    return 201, _detail(user, _get(user, major.pk))


@router.post("/propose", response={201: MajorDetail}, summary="Propose an incident as major")
def propose(request: ApiRequest, payload: ProposeIn) -> tuple[int, dict[str, Any]]:
    user = _agent(request)
    ticket = _ticket(user, payload.ticket)
    major = services.propose_major(user, ticket, summary=payload.summary)
    return 201, _detail(user, _get(user, major.pk))


@router.get("/{id}", response=MajorDetail, summary="One major incident with its communications")
def get_major(request: ApiRequest, id: Id) -> dict[str, Any]:
    user = _agent(request)
    return _detail(user, _get(user, id))


@router.post("/{id}/accept", response=MajorDetail, summary="Accept a proposal: declare it")
def accept(request: ApiRequest, id: Id, payload: AcceptIn) -> dict[str, Any]:
    user = _agent(request)
    major = services.accept_proposal(
        user, _get(user, id), manager=_manager(payload.manager), summary=payload.summary
    )
    return _detail(user, _get(user, major.pk))


@router.post("/{id}/reject", response=MajorDetail, summary="Reject a proposal")
def reject(request: ApiRequest, id: Id, payload: RejectIn) -> dict[str, Any]:
    user = _agent(request)
    services.reject_proposal(user, _get(user, id), reason=payload.reason)
    return _detail(user, _get(user, id))


@router.post("/{id}/children", response=MajorDetail, summary="Attach child incidents")
def attach(request: ApiRequest, id: Id, payload: ChildrenIn) -> dict[str, Any]:
    user = _agent(request)
    major = _get(user, id)
    found = services.tickets_by_numbers(user, payload.tickets)
    services.attach_children(user, major, found)
    return _detail(user, _get(user, id))


@router.post("/{id}/updates", response={201: CommunicationOut}, summary="Post an update")
def post_update(request: ApiRequest, id: Id, payload: UpdateIn) -> tuple[int, dict[str, Any]]:
    user = _agent(request)
    c = services.post_update(user, _get(user, id), payload.body, kind=payload.kind)
    return 201, {
        "id": c.pk,
        "kind": c.kind,
        "body": c.body,
        "posted_by": user.get_full_name(),
        "posted_at": c.posted_at,
        "reached": c.reached,
    }


@router.post("/{id}/resolve", response=MajorDetail, summary="Resolve it and its children")
def resolve(request: ApiRequest, id: Id, payload: ResolveIn) -> dict[str, Any]:
    user = _agent(request)
    services.resolve_major(user, _get(user, id), code=payload.code, resolution=payload.resolution)
    return _detail(user, _get(user, id))


@router.post("/{id}/review", response=MajorDetail, summary="Save the post-incident review")
def review(request: ApiRequest, id: Id, payload: ReviewIn) -> dict[str, Any]:
    user = _agent(request)
    services.review_major(
        user,
        _get(user, id),
        timeline=payload.timeline,
        root_cause=payload.root_cause,
        actions=payload.actions,
    )
    return _detail(user, _get(user, id))
