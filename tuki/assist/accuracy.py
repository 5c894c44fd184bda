"""The figures of the accuracy page and its API: per kind, the held-out test of the model in
use (evaluation.py, stored at training) and what the suggestion log says about the last
30 or 90 days. docs/assist.md, "Accuracy page", defines every figure.

Read in a fixed number of queries whatever the number of suggestions: the counts by kind and
outcome (one GROUP BY), the settled suggestions with their ticket's final values and first
group (one query, a correlated subquery for the first group move), the models (one), the
threshold (one), and per kind the latest decisions the viewer may see (three), with the
names of the groups and categories they show (at most two).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.db.models import Count, F, Min, OuterRef, Subquery
from django.utils import timezone
from sklearn.metrics import f1_score

from tuki.accounts.models import SupportGroup
from tuki.assist.models import AssistModel, AssistSettings, Kind, Outcome, Suggestion
from tuki.lib.bounds import parse_id
from tuki.tickets.access import ticket_visible
from tuki.tickets.models import Category, Priority, StatusCategory, TicketEvent

if TYPE_CHECKING:
    from tuki.accounts.models import User

PERIODS = (30, 90)  # days the page offers
DEFAULT_DAYS = 30
RECENT = 8  # decisions listed per kind
SETTLED = (StatusCategory.RESOLVED, StatusCategory.CLOSED)
# The ticket column each kind suggests (its final value once the ticket is settled).
FINAL = {Kind.GROUP: "ticket__group_id", Kind.CATEGORY: "ticket__category_id"}
FINAL_PRIORITY = "ticket__priority"


@dataclass
class Live:
    """What the log says of one kind's suggestions made in the period."""

    shown: int = 0
    accepted: int = 0
    rejected: int = 0
    pending: int = 0
    settled: int = 0  # tickets resolved or closed since, with a final value of the kind
    top1_hits: int = 0
    top3_hits: int = 0
    macro_f1: float | None = None
    # Groups only: the first group the ticket was sent to (docs/assist.md).
    right: int = 0  # settled, and the suggested group is the final group
    right_first: int = 0  # ... and the ticket's first group was it too
    avoided: int = 0  # ... of those, the suggestion was accepted: reassignments avoided
    avoidable: int = 0  # right, but the first group was another: it would have saved one
    caused: int = 0  # accepted, settled, and the final group is another

    @property
    def decided(self) -> int:
        return self.accepted + self.rejected

    @property
    def acceptance(self) -> float | None:
        return self.accepted / self.decided if self.decided else None

    @property
    def top1(self) -> float | None:
        return self.top1_hits / self.settled if self.settled else None

    @property
    def top3(self) -> float | None:
        return self.top3_hits / self.settled if self.settled else None


@dataclass
class Decision:
    """One decided suggestion, for the table of recent decisions."""

    number: str
    ticket_id: int
    title: str
    value: str
    shown_value: str
    confidence: float
    outcome: str
    outcome_label: str
    decided_by: str
    decided_at: datetime | None


@dataclass
class KindFigures:
    kind: str
    label: str
    model: AssistModel | None
    held_out: dict[str, Any]
    live: Live
    recent: list[Decision] = field(default_factory=list)


@dataclass
class Accuracy:
    days: int
    since: datetime
    threshold: float | None
    kinds: list[KindFigures]


def accuracy(viewer: User, days: int = DEFAULT_DAYS) -> Accuracy:
    """Every kind's figures over the last `days` days, as `viewer` may read them."""
    since = timezone.now() - timedelta(days=days)
    lives = live_figures(since)
    models = latest_models()
    recent = recent_decisions(viewer)
    names = value_names(s for rows in recent.values() for s in rows)
    kinds = []
    for kind in Kind:
        model = models.get(kind)
        held = model.metrics.get("held_out", {}) if model is not None else {}
        kinds.append(
            KindFigures(
                kind=kind.value,
                label=str(kind.label),
                model=model,
                held_out=held if isinstance(held, dict) else {},
                live=lives[kind],
                recent=[_decision(s, names) for s in recent[kind]],
            )
        )
    threshold = AssistSettings.objects.filter(pk=1).values_list("routing_threshold", flat=True)
    return Accuracy(days=days, since=since, threshold=threshold.first(), kinds=kinds)


def latest_models() -> dict[str, AssistModel]:
    """The model in use of each kind (the newest), without its blob."""
    found: dict[str, AssistModel] = {}
    for model in AssistModel.objects.defer("blob").order_by("kind", "-trained_at", "-id"):
        found.setdefault(model.kind, model)
    return found


def live_figures(since: datetime) -> dict[str, Live]:
    lives = {kind.value: Live() for kind in Kind}
    counts = (
        Suggestion.objects.filter(created_at__gte=since)
        .values_list("kind", "outcome")
        .annotate(n=Count("id"))
        .order_by()
    )
    for kind, outcome, n in counts:
        if kind in lives and outcome in Outcome.values:
            live = lives[kind]
            setattr(live, outcome, getattr(live, outcome) + n)
            live.shown += n
    truths: dict[str, list[str]] = defaultdict(list)
    guesses: dict[str, list[str]] = defaultdict(list)
    for row in settled_rows(since):
        final = _final(row)
        if not final or row["kind"] not in lives:
            continue
        live = lives[row["kind"]]
        _count(live, row, final)
        truths[row["kind"]].append(final)
        guesses[row["kind"]].append(row["value"])
    for kind, truth in truths.items():
        score = f1_score(truth, guesses[kind], average="macro", zero_division=0)
        lives[kind].macro_f1 = float(score)
    return lives


def settled_rows(since: datetime) -> Iterable[Mapping[str, Any]]:
    """The first suggestion of each kind shown for each ticket in the period, whose ticket is
    resolved or closed now, with the ticket's final values and its first group."""
    firsts = (
        Suggestion.objects.filter(created_at__gte=since)
        .values("ticket_id", "kind")
        .annotate(first=Min("id"))
        .values("first")
        .order_by()
    )
    # The first group the ticket was sent to: the new value of its first group event (at
    # registration when logged straight to a group, else the first escalation from the
    # desk). None: it never left the group it was registered in. Events name groups by name.
    first_move = (
        TicketEvent.objects.filter(ticket_id=OuterRef("ticket_id"), field="group")
        .order_by("created_at", "id")
        .values("new_value")[:1]
    )
    return (
        Suggestion.objects.filter(pk__in=firsts, ticket__status__category__in=SETTLED)
        .annotate(
            final_group=F(FINAL[Kind.GROUP]),
            final_category=F(FINAL[Kind.CATEGORY]),
            final_priority=F(FINAL_PRIORITY),
            final_group_name=F("ticket__group__name"),
            first_move=Subquery(first_move),
        )
        .values(
            "kind",
            "value",
            "top",
            "outcome",
            "final_group",
            "final_category",
            "final_priority",
            "final_group_name",
            "first_move",
        )
        .order_by()
        .iterator(chunk_size=2000)
    )


def _final(row: Mapping[str, Any]) -> str:
    value = {
        Kind.GROUP: row["final_group"],
        Kind.CATEGORY: row["final_category"],
        Kind.PRIORITY: row["final_priority"],
    }.get(row["kind"])
    return "" if value is None else str(value)


def _count(live: Live, row: Mapping[str, Any], final: str) -> None:
    live.settled += 1
    right = row["value"] == final
    live.top1_hits += right
    top = row["top"] if isinstance(row["top"], list) else []
    live.top3_hits += final in {str(pair[0]) for pair in top[:3] if pair}
    if row["kind"] != Kind.GROUP:
        return
    accepted = row["outcome"] == Outcome.ACCEPTED
    if right:
        live.right += 1
        first = row["first_move"] or row["final_group_name"]
        if first == row["final_group_name"]:
            live.right_first += 1
            live.avoided += accepted
        else:
            live.avoidable += 1
    elif accepted:
        live.caused += 1


def recent_decisions(viewer: User) -> dict[str, list[Suggestion]]:
    """Per kind, the latest decided suggestions on tickets `viewer` may see."""
    found = {}
    for kind in Kind:
        rows = (
            Suggestion.objects.filter(kind=kind)
            .exclude(outcome=Outcome.PENDING)
            .filter(ticket_visible(viewer))
            .select_related("ticket", "decided_by")
            .only(
                "kind",
                "value",
                "confidence",
                "outcome",
                "decided_at",
                "ticket__id",
                "ticket__kind",
                "ticket__title",
                "decided_by__full_name",
            )
            .order_by("-decided_at", "-id")[:RECENT]
        )
        found[kind.value] = list(rows)
    return found


def value_names(suggestions: Iterable[Suggestion]) -> dict[tuple[str, str], str]:
    """How each suggested value reads: a group's or category's name, a priority's label."""
    wanted: dict[str, set[int]] = defaultdict(set)
    for s in suggestions:
        pk = parse_id(s.value) if s.kind in FINAL else None
        if pk is not None:
            wanted[s.kind].add(pk)
    names: dict[tuple[str, str], str] = {}
    sources = {Kind.GROUP: SupportGroup.objects, Kind.CATEGORY: Category.objects}
    for kind, ids in wanted.items():
        for pk, name in sources[Kind(kind)].filter(pk__in=ids).values_list("pk", "name"):
            names[(kind, str(pk))] = name
    for value, label in Priority.choices:
        names[(Kind.PRIORITY.value, str(value))] = str(label)
    return names


def _decision(s: Suggestion, names: dict[tuple[str, str], str]) -> Decision:
    return Decision(
        number=s.ticket.number,
        ticket_id=s.ticket_id,
        title=s.ticket.title,
        value=s.value,
        shown_value=names.get((s.kind, s.value), s.value),
        confidence=s.confidence,
        outcome=s.outcome,
        outcome_label=str(Outcome(s.outcome).label),
        decided_by=s.decided_by.full_name if s.decided_by else "",
        decided_at=s.decided_at,
    )
