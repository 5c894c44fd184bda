"""Assist's writes and reads: train a model of one kind from the desk's resolved tickets,
suggest for a ticket (or for the fields of one not yet saved), record what a person did
with a suggestion. Nothing leaves the machine: training and prediction run in-process.
"""

from __future__ import annotations

import hmac
import pickle
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from django.db import models, transaction
from django.db.models import F, Q
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from tuki.accounts.models import User
from tuki.assist import evaluation
from tuki.assist.learning import Learner
from tuki.assist.models import AssistModel, AssistSettings, Kind, Outcome, Suggestion
from tuki.lib.errors import ServiceError
from tuki.tickets.models import StatusCategory, Ticket, status_ids

SALT = "tuki.assist.model"
MAX_SAMPLES = 50_000  # the most recent resolved tickets a model learns from
MIN_SAMPLES = 2
KEEP_MODELS = 3  # the newest models of each kind kept; older ones are deleted on training
# Fields a kind must not learn from: what it suggests, or what is derived from it.
EXCLUDED = {
    Kind.GROUP: set(),
    Kind.CATEGORY: {"category"},
    Kind.PRIORITY: {"impact", "urgency"},
}
CROSSES = [("category", "location"), ("category", "organisation"), ("requester", "category")]
TICKET_FIELDS = ("category", "organisation", "location", "requester", "created_by")
# What training reads of a ticket (the features, the labels, the order).
LOADED = (
    *TICKET_FIELDS,
    *("title", "description", "channel", "impact", "urgency", "priority", "group", "created_at"),
)


class TamperedModel(Exception):
    """A stored model whose bytes do not carry Tuki's signature: never unpickled."""


@dataclass(frozen=True)
class Suggested:
    kind: str
    value: str
    confidence: float
    top: list[tuple[str, float]]
    reason: list[int]  # ids of similar past tickets
    model_id: int | None


def record_of(source: Ticket | Mapping[str, Any]) -> dict[str, str]:
    """The fields known when a ticket opens, as the learner reads them."""
    if isinstance(source, Ticket):
        values: dict[str, Any] = {f: getattr(source, f"{f}_id") for f in TICKET_FIELDS}
        values |= {
            "title": source.title,
            "description": source.description,
            "channel": source.channel,
            "impact": source.impact,
            "urgency": source.urgency,
        }
    else:
        values = dict(source)
    return {k: "" if v is None else str(getattr(v, "pk", v)) for k, v in values.items()}


def _label(ticket: Ticket, kind: str) -> str:
    value = {Kind.GROUP: ticket.group_id, Kind.CATEGORY: ticket.category_id}.get(
        Kind(kind), ticket.priority
    )
    return "" if value is None else str(value)


def _sign(blob: bytes) -> str:
    return salted_hmac(SALT, blob, algorithm="sha256").hexdigest()


def train(kind: str) -> AssistModel | None:
    """Fit a model of `kind` on the resolved and closed tickets; None when too few."""
    kind = Kind(kind)
    done = status_ids([StatusCategory.RESOLVED, StatusCategory.CLOSED])
    tickets = list(
        Ticket.objects.filter(status_id__in=done)
        .only(*LOADED)
        .order_by("-created_at", "-id")[:MAX_SAMPLES]
    )
    tickets.reverse()  # oldest first: the learner keeps the most recent as neighbours
    samples = [(t, _label(t, kind)) for t in tickets]
    samples = [(t, label) for t, label in samples if label]
    if len(samples) < MIN_SAMPLES:
        return None
    records = [_without(record_of(t), kind) for t, _l in samples]
    labels = [label for _t, label in samples]
    learner = Learner(CROSSES)
    learner.fit(records, labels, [str(t.pk) for t, _l in samples])
    blob = pickle.dumps(learner, protocol=pickle.HIGHEST_PROTOCOL)
    # Scored on the newest fifth by a learner fitted on the older samples (evaluation.py).
    times = [t.created_at.date().isoformat() for t, _l in samples]
    held_out = evaluation.held_out(records, labels, lambda: Learner(CROSSES), times=times)
    with transaction.atomic():
        model = AssistModel.objects.create(
            kind=kind,
            samples=len(samples),
            metrics={"classes": len(set(labels)), "held_out": held_out},
            blob=blob,
            signature=_sign(blob),
        )
        # Keep a few recent models (a suggestion's log names its model); older blobs go.
        kept = AssistModel.objects.filter(kind=kind).values_list("pk", flat=True)[:KEEP_MODELS]
        AssistModel.objects.filter(kind=kind).exclude(pk__in=list(kept)).delete()
    return model


def _without(record: dict[str, str], kind: str) -> dict[str, str]:
    return {k: v for k, v in record.items() if k not in EXCLUDED[Kind(kind)]}


def load(model: AssistModel) -> Learner:
    """The fitted learner of `model`, once its signature is checked."""
    blob = bytes(model.blob)
    if not hmac.compare_digest(_sign(blob), model.signature):
        raise TamperedModel(f"assist model {model.pk}: bad signature, not loaded")
    learner = pickle.loads(blob)  # signed by this desk's SECRET_KEY, checked above
    if not isinstance(learner, Learner):
        raise TamperedModel(f"assist model {model.pk}: not a learner")
    return learner


def latest(kind: str) -> AssistModel | None:
    return AssistModel.objects.filter(kind=kind).first()


def suggest(source: Ticket | Mapping[str, Any], kind: str) -> Suggested | None:
    """The suggested value of `kind` for a ticket or its fields; None without a model."""
    model = latest(kind)
    if model is None:
        return None
    learner = load(model)
    prediction = learner.predict(_without(record_of(source), kind))
    return Suggested(
        kind=kind,
        value=prediction.value,
        confidence=prediction.confidence,
        top=prediction.top,
        reason=[int(pk) for pk in prediction.similar],
        model_id=model.pk,
    )


def log_suggestion(ticket: Ticket, suggested: Suggested) -> Suggestion:
    """Record that `suggested` was shown for `ticket` (outcome pending)."""
    return Suggestion.objects.create(
        ticket=ticket,
        model_id=suggested.model_id,
        kind=suggested.kind,
        value=suggested.value,
        confidence=suggested.confidence,
        top=[[value, p] for value, p in suggested.top],
        reason=suggested.reason,
    )


def record_outcome(suggestion: Suggestion, *, accepted: bool, actor: User | None) -> Suggestion:
    """Mark a pending suggestion accepted or rejected, once."""
    with transaction.atomic():
        row = Suggestion.objects.select_for_update().get(pk=suggestion.pk)
        if row.outcome != Outcome.PENDING:
            raise ServiceError(
                _("This suggestion was decided already."), field="outcome", code="decided"
            )
        row.outcome = Outcome.ACCEPTED if accepted else Outcome.REJECTED
        row.decided_by = actor
        row.decided_at = timezone.now()
        row.save(update_fields=["outcome", "decided_by", "decided_at"])
    return row


def settle_routed() -> tuple[int, int]:
    """Decide the pending group suggestions (the ones routing acted on, which nobody accepts
    by hand) whose tickets are resolved or closed: accepted when the ticket ended in the
    suggested group, rejected when someone had to move it elsewhere. Two UPDATEs; safe to
    run twice. Returns (accepted, rejected)."""
    settled = Suggestion.objects.filter(
        kind=Kind.GROUP,
        outcome=Outcome.PENDING,
        ticket__status_id__in=status_ids((StatusCategory.RESOLVED, StatusCategory.CLOSED)),
    )
    now = timezone.now()
    # Compared as text: a value is a group's id written out (a cast the other way would fail
    # on PostgreSQL for any value that is not a number).
    kept = Q(value=Cast(F("ticket__group_id"), models.CharField()))
    with transaction.atomic():
        accepted = settled.filter(kept).update(outcome=Outcome.ACCEPTED, decided_at=now)
        rejected = settled.update(outcome=Outcome.REJECTED, decided_at=now)
    return accepted, rejected


def routing_may_use(suggested: Suggested) -> bool:
    """Whether routing may act on `suggested`: the admin's threshold is set and reached."""
    threshold = AssistSettings.load().routing_threshold
    return threshold is not None and suggested.confidence >= threshold


def set_routing_threshold(threshold: float | None) -> AssistSettings:
    if threshold is not None and not 0.0 <= threshold <= 1.0:
        raise ServiceError(
            _("The threshold is between 0 and 1."), field="routing_threshold", code="range"
        )
    settings = AssistSettings.load()
    settings.routing_threshold = threshold
    settings.save(update_fields=["routing_threshold"])
    return settings


# --- at intake: suggestions shown while a ticket is registered ------------------------------

_LOADED: dict[int, tuple[str, Learner]] = {}  # model id -> (signature, learner), per process


def _cached_learner(model: AssistModel) -> Learner:
    """The model's learner, unpickled once per process (a model row never changes)."""
    hit = _LOADED.get(model.pk)
    if hit is not None and hit[0] == model.signature:
        return hit[1]
    learner = load(model)
    if len(_LOADED) >= 3 * KEEP_MODELS:
        _LOADED.clear()
    _LOADED[model.pk] = (model.signature, learner)
    return learner


def suggest_at_intake(fields: Mapping[str, Any], kinds: list[str]) -> list[Suggested]:
    """The suggestions of each kind with a model, for a ticket being typed (one query for
    the models; each model is unpickled once per process)."""
    newest: dict[str, AssistModel] = {}
    for model in AssistModel.objects.filter(kind__in=kinds).defer("blob"):
        newest.setdefault(model.kind, model)
    found = []
    for kind in kinds:
        shell = newest.get(kind)
        if shell is None:
            continue
        model = shell
        if model.pk not in _LOADED or _LOADED[model.pk][0] != model.signature:
            model = AssistModel.objects.get(pk=shell.pk)
        prediction = _cached_learner(model).predict(_without(record_of(fields), kind))
        found.append(
            Suggested(
                kind=kind,
                value=prediction.value,
                confidence=prediction.confidence,
                top=prediction.top,
                reason=[int(pk) for pk in prediction.similar],
                model_id=model.pk,
            )
        )
    return found


def log_decided(
    ticket: Ticket, suggested: Suggested, *, final: str, actor: User | None
) -> Suggestion:
    """Record a suggestion shown at registration and its outcome at once: accepted when the
    ticket's final value is the suggested one. The model may have been retrained away."""
    if (
        suggested.model_id is not None
        and not AssistModel.objects.filter(pk=suggested.model_id).exists()
    ):
        suggested = replace(suggested, model_id=None)
    with transaction.atomic():
        row = log_suggestion(ticket, suggested)
        return record_outcome(row, accepted=final == suggested.value, actor=actor)
