"""Assist over REST, under /api/v1/assist/ (docs/assist.md).

- `POST /intake`: what Log a call shows for a ticket not yet registered (the open tickets it
  may duplicate, the live outages, the suggested group, category and priority with their
  reason), for agents, from what the agent may see. A requester or category the agent may
  not pick is a 422 naming the field; requesters get a 404.
- The accuracy figures are for whoever may read the accuracy page (administrators and
  service desk managers, access.py); the routing threshold is changed by administrators.
  Anyone else gets a 404. A threshold outside 0..1 is a 422 naming `routing_threshold`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.conf import settings
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Field, Router
from ninja.errors import ValidationError

from tuki.accounts import directory
from tuki.assist import access, duplicates, intake, services
from tuki.assist.accuracy import DEFAULT_DAYS, PERIODS, Accuracy, KindFigures, accuracy
from tuki.lib.bounds import Id, Int, Schema
from tuki.lib.errors import ServiceError
from tuki.lib.http import ApiRequest
from tuki.tickets.choices import Kind as TicketKind
from tuki.tickets.intake import Call
from tuki.tickets.models import Category
from tuki.tickets.schemas import is_agent

router = Router(tags=["assist"])


class ModelOut(Schema):
    id: int
    trained_at: datetime
    samples: int
    classes: int | None
    held_out: dict[str, Any] = Field(
        description="The test on the newest fifth of the samples by time (evaluation.py): "
        "train, test, top1, top3, macro_f1, baseline_top1, classes_test, test_from, test_to"
    )


class DecisionOut(Schema):
    ticket: str
    value: str
    label: str
    confidence: float
    outcome: str
    decided_at: datetime | None


class LiveOut(Schema):
    shown: int
    decided: int
    accepted: int
    rejected: int
    pending: int
    acceptance_rate: float | None
    settled: int
    top1: float | None
    top3: float | None
    macro_f1: float | None
    right: int | None = Field(None, description="groups: the suggestion was the final group")
    right_first: int | None = Field(None, description="groups: ... and the first group too")
    reassignments_avoided: int | None = Field(None, description="groups: ... and accepted")
    reassignments_avoidable: int | None = Field(
        None, description="groups: right, but the first group was another"
    )
    reassignments_caused: int | None = Field(
        None, description="groups: accepted, and the final group is another"
    )


class KindOut(Schema):
    kind: str
    label: str
    model: ModelOut | None
    live: LiveOut
    recent: list[DecisionOut]


class AccuracyOut(Schema):
    days: int
    since: datetime
    routing_threshold: float | None
    kinds: list[KindOut]


class IntakeIn(Schema):
    title: str = Field("", max_length=200)
    description: str = Field("", max_length=2000)
    requester: Id | None = Field(None, description="the caller: a person the agent may see")
    category: Id | None = Field(None, description="an active category")
    kind: TicketKind = TicketKind.INCIDENT
    impact: int | None = Field(None, ge=1, le=3)
    urgency: int | None = Field(None, ge=1, le=3)
    language: str = Field("en", max_length=10, description="the language the call is in")


class DuplicateOut(Schema):
    number: str
    title: str
    status: str
    similarity: float
    reasons: list[str]
    own: bool = Field(description="the caller's own ticket: the call can be added to it")
    outage: bool = Field(description="a live outage: the new ticket can be its child")


class ChoiceOut(Schema):
    value: str
    label: str
    confidence: float


class SuggestionOut(Schema):
    kind: str
    value: str = Field(description="a group's or category's id, or a priority")
    label: str
    confidence: float
    top: list[ChoiceOut] = Field(description="the best three")
    reason: list[str] = Field(description="similar past tickets the agent may open")
    services: list[str] = Field(description="categories: the services that hold it")


class IntakeOut(Schema):
    duplicates: list[DuplicateOut]
    suggestions: list[SuggestionOut]


class SettingsIn(Schema):
    routing_threshold: float | None = Field(
        None, description="0 to 1; null: routing never uses a suggestion"
    )


class SettingsOut(Schema):
    routing_threshold: float | None


@router.post("/intake", response=IntakeOut, summary="Duplicates and suggestions for a new call")
def post_intake(request: ApiRequest, payload: IntakeIn) -> dict[str, Any]:
    """What Log a call shows while a call is typed, for a ticket not yet registered.
    Nothing is logged: the suggestions are logged when a ticket is registered at Log a call."""
    user = request.auth
    if not is_agent(user):
        raise Http404
    caller = None
    if payload.requester is not None:
        caller = directory.people_visible_to(user).filter(pk=payload.requester).first()
        if caller is None:
            raise ServiceError(_("No such person."), field="requester", code="unknown")
    category = None
    if payload.category is not None:
        category = Category.objects.filter(pk=payload.category, is_active=True).first()
        if category is None:
            raise ServiceError(_("No such category."), field="category", code="unknown")
    call = Call(
        caller=caller,
        title=payload.title,
        description=payload.description,
        category=category,
        language=payload.language if payload.language in dict(settings.LANGUAGES) else "en",
        impact=payload.impact,
        urgency=payload.urgency,
        kind=payload.kind,
    )
    advice, _token = intake.advise(user, call)
    return {
        "duplicates": [
            {
                "number": d.ticket.number,
                "title": d.ticket.title,
                "status": d.ticket.status.key,
                "similarity": round(d.similarity, 3),
                "reasons": d.reasons,
                "own": d.own,
                "outage": d.outage,
            }
            for d in duplicates.find(user, call)
        ],
        "suggestions": [
            {
                "kind": a.kind,
                "value": a.value,
                "label": a.label,
                "confidence": round(a.confidence, 3),
                "top": [
                    {"value": v, "label": label, "confidence": round(p, 3)}
                    for v, (label, p) in zip(a.top_values, a.top, strict=True)
                ],
                "reason": [t.number for t in a.reason],
                "services": a.services,
            }
            for a in advice
        ],
    }


@router.get("/accuracy", response=AccuracyOut, summary="How well each kind of suggestion does")
def get_accuracy(request: ApiRequest, days: Int = DEFAULT_DAYS) -> dict[str, Any]:
    """`days`: the period of the figures from the log, 30 or 90."""
    if not access.may_view_accuracy(request.auth):
        raise Http404
    if days not in PERIODS:
        message = _("The period is one of %(days)s days.") % {
            "days": ", ".join(str(d) for d in PERIODS)
        }
        raise ValidationError([{"loc": ["query", "days"], "msg": message, "type": "period"}])
    return _accuracy(accuracy(request.auth, days))


@router.put("/settings", response=SettingsOut, summary="Set the routing threshold (admins)")
def put_settings(request: ApiRequest, payload: SettingsIn) -> dict[str, Any]:
    if not access.may_change_settings(request.auth):
        raise Http404
    row = services.set_routing_threshold(payload.routing_threshold)
    return {"routing_threshold": row.routing_threshold}


def _accuracy(figures: Accuracy) -> dict[str, Any]:
    return {
        "days": figures.days,
        "since": figures.since,
        "routing_threshold": figures.threshold,
        "kinds": [_kind(k) for k in figures.kinds],
    }


def _kind(k: KindFigures) -> dict[str, Any]:
    live = k.live
    figures: dict[str, Any] = {
        "shown": live.shown,
        "decided": live.decided,
        "accepted": live.accepted,
        "rejected": live.rejected,
        "pending": live.pending,
        "acceptance_rate": live.acceptance,
        "settled": live.settled,
        "top1": live.top1,
        "top3": live.top3,
        "macro_f1": live.macro_f1,
    }
    if k.kind == "group":
        figures |= {
            "right": live.right,
            "right_first": live.right_first,
            "reassignments_avoided": live.avoided,
            "reassignments_avoidable": live.avoidable,
            "reassignments_caused": live.caused,
        }
    model = None
    if k.model is not None:
        model = {
            "id": k.model.pk,
            "trained_at": k.model.trained_at,
            "samples": k.model.samples,
            "classes": k.model.metrics.get("classes"),
            "held_out": k.held_out,
        }
    recent = [
        {
            "ticket": d.number,
            "value": d.value,
            "label": d.shown_value,
            "confidence": d.confidence,
            "outcome": d.outcome,
            "decided_at": d.decided_at,
        }
        for d in k.recent
    ]
    return {"kind": k.kind, "label": k.label, "model": model, "live": figures, "recent": recent}
