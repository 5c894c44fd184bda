"""Problem management over REST (/api/v1/problems/; docs/problems.md, "API").

Problems are read through problems/access.py: a problem the caller may not see is a 404, and
requesters see nothing here (a 404 on every endpoint). Writes go through
problems/services.py; refused input is a 422 naming the field.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from django.db.models import Q
from django.http import Http404
from ninja import Field, Query, Router

from tuki.accounts.models import User
from tuki.lib.bounds import Id, Schema
from tuki.lib.http import ApiRequest
from tuki.problems import access, radar, services
from tuki.problems.models import KnownErrorState, Problem
from tuki.tickets.models import StatusCategory, Ticket

router = Router(tags=["problems"])

CategoryCode = Literal[
    "software", "hardware", "capacity", "configuration", "process", "third_party", "unknown"
]
MethodCode = Literal["five_whys", "timeline", "fishbone", "note"]
ResolutionCodeName = Literal[
    "solved",
    "workaround",
    "first_contact",
    "not_reproducible",
    "duplicate",
    "user_error",
    "cancelled",
]


class ProblemSummary(Schema):
    id: int
    number: str
    title: str
    status: str
    status_category: str
    incident_count: int
    known_error: bool
    created_at: datetime


class ProblemPage(Schema):
    items: list[ProblemSummary]
    next_cursor: int | None = Field(None, description="Pass as `cursor` for the next page")


class NoteOut(Schema):
    id: int
    method: str
    body: str
    author: str | None
    created_at: datetime


class IncidentOut(Schema):
    id: int
    number: str
    title: str
    status: str


class ProblemDetail(Schema):
    id: int
    number: str
    title: str
    description: str
    status: str
    status_category: str
    root_cause: str
    root_cause_category: str
    workaround: str
    known_error: bool
    known_error_at: datetime | None
    known_error_by: str | None
    article: str | None = Field(None, description="The known-error article's number (KB-n)")
    quiet_days: int = Field(description="The quiet period in effect")
    quiet_days_override: int | None
    notes: list[NoteOut]
    incidents: list[IncidentOut] = Field(description="Linked incidents the caller may see")


class ProblemPatch(Schema):
    root_cause: str | None = Field(None, max_length=20_000)
    root_cause_category: CategoryCode | None = None
    workaround: str | None = Field(None, max_length=20_000)
    quiet_days: int | None = Field(None, ge=0, le=365)


class LinkIn(Schema):
    incidents: list[Id] = Field(min_length=1, max_length=500)


class LinkOut(Schema):
    linked: int


class NoteIn(Schema):
    method: MethodCode = "note"
    body: str = Field(max_length=20_000)


class ResolveIn(Schema):
    code: ResolutionCodeName
    resolution: str = Field("", max_length=20_000)
    incidents: Literal["resolve", "note"] = "resolve"


class ProposalOut(Schema):
    key: str
    incidents: list[IncidentOut]
    words: list[str]
    category: str
    items: list[str]
    meaning: bool = Field(
        description="some incidents joined by meaning across languages (semantic search)"
    )


class KnownErrorOut(Schema):
    id: int
    number: str
    title: str
    root_cause: str
    workaround: str
    article: str | None
    known_error_at: datetime | None


class ProblemFilters(Schema):
    state: Literal["active", "resolved", "closed", "all"] = "all"
    known_error: bool | None = None
    cursor: Id | None = Field(None, description="`next_cursor` of the previous page")
    limit: int = Field(50, ge=1, le=200)


def _agent(request: ApiRequest) -> User:
    user = request.auth
    if not access.may_use(user):
        raise Http404("No problem management here")
    return user


def _problem(user: User, id: int) -> Problem:
    return services.problem_for(access.get_problem_ticket(user, id))


def _incident(t: Ticket) -> dict[str, Any]:
    return {"id": t.pk, "number": t.number, "title": t.title, "status": t.status.label}


def _detail(user: User, problem: Problem) -> dict[str, Any]:
    problem = Problem.objects.select_related("known_error_by", "article").get(pk=problem.pk)
    ticket = Ticket.objects.with_related().get(pk=problem.pk)
    incidents = (
        services.linked_incidents(ticket)
        .filter(pk__in=access.incidents_visible_to(user).values("pk"))
        .select_related("status")
        .order_by("pk")
    )
    notes = problem.notes.select_related("author")
    return {
        "id": ticket.pk,
        "number": ticket.number,
        "title": ticket.title,
        "description": ticket.description,
        "status": ticket.status.key,
        "status_category": ticket.status.category,
        "root_cause": problem.root_cause,
        "root_cause_category": problem.root_cause_category,
        "workaround": problem.workaround,
        "known_error": problem.is_known_error,
        "known_error_at": problem.known_error_at,
        "known_error_by": problem.known_error_by.email if problem.known_error_by else None,
        "article": problem.article.number if problem.article else None,
        "quiet_days": problem.quiet_period,
        "quiet_days_override": problem.quiet_days,
        "notes": [
            {
                "id": n.pk,
                "method": n.method,
                "body": n.body,
                "author": n.author.email if n.author else None,
                "created_at": n.created_at,
            }
            for n in notes
        ],
        "incidents": [_incident(t) for t in incidents],
    }


STATES = {
    "active": (StatusCategory.NEW, StatusCategory.OPEN, StatusCategory.PENDING),
    "resolved": (StatusCategory.RESOLVED,),
    "closed": (StatusCategory.CLOSED,),
}


@router.get("", response=ProblemPage, summary="Problems the caller may see, newest first")
def list_problems(request: ApiRequest, filters: Query[ProblemFilters]) -> dict[str, Any]:
    user = _agent(request)
    qs = access.problem_tickets(user)
    if filters.state in STATES:
        qs = qs.in_categories(STATES[filters.state])
    if filters.known_error is True:
        qs = qs.filter(problem__known_error=KnownErrorState.KNOWN)
    elif filters.known_error is False:
        qs = qs.exclude(problem__known_error=KnownErrorState.KNOWN)
    if filters.cursor is not None:
        qs = qs.filter(pk__lt=filters.cursor)
    rows = list(
        qs.select_related("status", "problem")
        .annotate(incident_count=services.incident_count())
        .order_by("-pk")[: filters.limit + 1]
    )
    more = len(rows) > filters.limit
    rows = rows[: filters.limit]
    items = [
        {
            "id": t.pk,
            "number": t.number,
            "title": t.title,
            "status": t.status.key,
            "status_category": t.status.category,
            "incident_count": t.incident_count,
            "known_error": _known(t),
            "created_at": t.created_at,
        }
        for t in rows
    ]
    return {"items": items, "next_cursor": rows[-1].pk if more and rows else None}


def _known(ticket: Ticket) -> bool:
    # A missing detail row raises RelatedObjectDoesNotExist, an AttributeError.
    problem: Problem | None = getattr(ticket, "problem", None)
    return bool(problem and problem.is_known_error)


@router.get("/known-errors", response=list[KnownErrorOut], summary="Known errors")
def known_errors(request: ApiRequest, q: str = "") -> list[dict[str, Any]]:
    user = _agent(request)
    problems = (
        Problem.objects.filter(
            known_error=KnownErrorState.KNOWN,
            ticket__in=access.problem_tickets(user).values("pk"),
        )
        .select_related("ticket", "article")
        .order_by("-known_error_at", "-pk")
    )
    q = q.replace("\x00", "").strip()[:200]
    if q:
        problems = problems.filter(
            Q(ticket__title__icontains=q) | Q(root_cause__icontains=q) | Q(workaround__icontains=q)
        )
    return [
        {
            "id": p.pk,
            "number": p.ticket.number,
            "title": p.ticket.title,
            "root_cause": p.root_cause,
            "workaround": p.workaround,
            "article": p.article.number if p.article else None,
            "known_error_at": p.known_error_at,
        }
        for p in problems[:200]
    ]


@router.get("/radar", response=list[ProposalOut], summary="The radar's proposals")
def radar_proposals(request: ApiRequest) -> list[dict[str, Any]]:
    user = _agent(request)
    return [
        {
            "key": p.key,
            "incidents": [_incident(t) for t in p.incidents],
            "words": p.words,
            "category": p.category,
            "items": p.items,
            "meaning": p.meaning,
        }
        for p in radar.proposals(user)
    ]


@router.get("/{id}", response=ProblemDetail, summary="One problem with its detail")
def get_problem(request: ApiRequest, id: Id) -> dict[str, Any]:
    user = _agent(request)
    return _detail(user, _problem(user, id))


@router.patch("/{id}", response=ProblemDetail, summary="Change the root cause, workaround...")
def update_problem(request: ApiRequest, id: Id, payload: ProblemPatch) -> dict[str, Any]:
    user = _agent(request)
    problem = _problem(user, id)
    changes = payload.dict(exclude_unset=True)
    if changes.get("root_cause_category", "") is None:
        changes.pop("root_cause_category")
    for field in ("root_cause", "workaround"):
        if field in changes and changes[field] is None:
            changes[field] = ""
    services.update_problem(user, problem, **changes)
    return _detail(user, problem)


@router.post("/{id}/incidents", response=LinkOut, summary="Link incidents to the problem")
def link_incidents(request: ApiRequest, id: Id, payload: LinkIn) -> dict[str, Any]:
    user = _agent(request)
    problem = _problem(user, id)
    ids = list(dict.fromkeys(payload.incidents))
    found = {t.pk: t for t in access.incidents_visible_to(user).filter(pk__in=ids)}
    missing = [pk for pk in ids if pk not in found]
    if missing:
        raise Http404(f"No such incident: {missing[0]}")
    return {"linked": services.link_incidents(user, problem, [found[pk] for pk in ids])}


@router.post("/{id}/notes", response={201: NoteOut}, summary="Add a root-cause analysis note")
def add_note(request: ApiRequest, id: Id, payload: NoteIn) -> tuple[int, dict[str, Any]]:
    user = _agent(request)
    note = services.add_analysis_note(
        user, _problem(user, id), method=payload.method, body=payload.body
    )
    return 201, {
        "id": note.pk,
        "method": note.method,
        "body": note.body,
        "author": user.email,
        "created_at": note.created_at,
    }


@router.post("/{id}/known-error", response=ProblemDetail, summary="Mark as a known error")
def mark_known_error(request: ApiRequest, id: Id) -> dict[str, Any]:
    user = _agent(request)
    problem = services.mark_known_error(user, _problem(user, id))
    return _detail(user, problem)


@router.post("/{id}/resolve", response=ProblemDetail, summary="Resolve with the incidents")
def resolve(request: ApiRequest, id: Id, payload: ResolveIn) -> dict[str, Any]:
    user = _agent(request)
    problem = services.resolve_problem(
        user,
        _problem(user, id),
        code=payload.code,
        resolution=payload.resolution,
        incidents=payload.incidents,
    )
    return _detail(user, problem)
