"""Assist on a real desk's history: the UCI incident event log replayed in time order.

For each month, a group model is trained (tuki/assist/learning.py, the learner the desk
uses) on every incident closed before the month starts, and predicts every incident opened
in the month from its FIRST event row, the fields known when it opened: caller, opener,
creator, contact type, location, category, subcategory, symptom, impact, urgency, priority.
The assignment group of that row (the human's first choice) and everything filled in later
(resolver, close code, reassignment counts) are never features. The truth is the incident's
final assignment group.

Reported: top-1 and top-3 of the suggestion, macro-F1, the log's own first assignment's top-1
(the baseline), and the reassignments the suggestion would have saved (incidents whose first
assignment was wrong and the suggestion right). Months with fewer than MIN_PAST incidents
closed before them are left out of every figure, the baseline's included.

The log is the zip in ../shared/datasets/uci-incident-event-log/ next to the checkout, or
the file (zip or CSV) named by TUKI_UCI_LOG; without it the module says so and measures
nothing.
"""

from __future__ import annotations

import csv
import io
import os
import time
import zipfile
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path

import numpy as np
from django.conf import settings
from sklearn.metrics import f1_score

from tuki.assist.learning import Learner
from tuki.bench.options import Figure, Run

NAME = "assist_replay"
ENV = "TUKI_UCI_LOG"
RELATIVE = Path("shared/datasets/uci-incident-event-log/incident_event_log.zip")
FEATURES = (
    "caller_id",
    "opened_by",
    "sys_created_by",
    "contact_type",
    "location",
    "category",
    "subcategory",
    "u_symptom",
    "impact",
    "urgency",
    "priority",
)
CROSSES = (
    ("category", "subcategory"),
    ("subcategory", "u_symptom"),
    ("location", "category"),
    ("opened_by", "category"),
    ("caller_id", "category"),
)
MISSING = "?"
# A month is predicted only once this many incidents closed before it: a desk does not turn
# Assist on with a handful of tickets (the log's first month has one closed incident behind it).
MIN_PAST = 1_000


@dataclass(frozen=True)
class Incident:
    number: str
    opened: datetime
    closed: datetime | None
    fields: dict[str, str]  # FEATURES, from the first event row
    first_group: str  # the first event row's group (the baseline)
    final_group: str


@dataclass
class Replay:
    incidents: int = 0  # predicted (in months with a model)
    months: int = 0
    top1: float = 0.0
    top3: float = 0.0
    macro_f1: float = 0.0
    baseline_top1: float = 0.0
    reassigned_first_wrong: int = 0  # first assignment wrong
    reassignments_saved: int = 0  # ... and the suggestion right
    suggestion_wrong_first_right: int = 0  # reassignments the suggestion would have added
    seconds: float = 0.0
    per_month: list[dict[str, object]] = field(default_factory=list)


def log_path() -> Path | None:
    """The log to replay: TUKI_UCI_LOG, else the shared data set beside the checkout."""
    named = os.environ.get(ENV, "")
    if named:
        return Path(named) if Path(named).is_file() else None
    base = Path(settings.BASE_DIR).resolve()
    for root in (base.parent, base.parent.parent):
        if (root / RELATIVE).is_file():
            return root / RELATIVE
    return None


def _rows(path: Path) -> Iterator[dict[str, str]]:
    if path.suffix == ".zip":
        with zipfile.ZipFile(path) as archive:
            name = next(n for n in archive.namelist() if n.endswith(".csv"))
            with archive.open(name) as raw:
                yield from csv.DictReader(io.TextIOWrapper(raw, encoding="utf-8", newline=""))
    else:
        with path.open(encoding="utf-8", newline="") as handle:
            yield from csv.DictReader(handle)


def _when(text: str) -> datetime | None:
    return None if not text or text == MISSING else datetime.strptime(text, "%d/%m/%Y %H:%M")


def load_incidents(path: Path, *, limit: int | None = None) -> list[Incident]:
    """One Incident per number (the first `limit` numbers), sorted by opening time."""
    events: dict[str, list[dict[str, str]]] = defaultdict(list)
    for row in _rows(path):
        if limit is not None and row["number"] not in events and len(events) >= limit:
            break
        events[row["number"]].append(row)
    incidents = []
    for number, rows in events.items():
        rows.sort(
            key=lambda r: (_when(r["sys_updated_at"]) or datetime.min, int(r["sys_mod_count"]))
        )
        first, last = rows[0], rows[-1]
        opened = _when(first["opened_at"])
        if opened is None or last["assignment_group"] == MISSING:
            continue  # no truth to compare with
        incidents.append(
            Incident(
                number=number,
                opened=opened,
                closed=_when(last["closed_at"]) or _when(last["resolved_at"]),
                fields={f: "" if first[f] == MISSING else first[f] for f in FEATURES},
                first_group=first["assignment_group"],
                final_group=last["assignment_group"],
            )
        )
    incidents.sort(key=lambda i: (i.opened, i.number))
    return incidents


def _months(incidents: Iterable[Incident]) -> list[datetime]:
    return sorted({i.opened.replace(day=1, hour=0, minute=0) for i in incidents})


def _next_month(start: datetime) -> datetime:
    return start.replace(year=start.year + start.month // 12, month=start.month % 12 + 1)


def replay(
    incidents: list[Incident],
    *,
    min_past: int = MIN_PAST,
    say: Callable[[str], None] = lambda _line: None,
) -> Replay:
    """Train on the past, predict the next month, month after month (see the module doc)."""
    started = time.perf_counter()
    result = Replay()
    truth: list[str] = []
    guessed: list[str] = []
    hits1 = hits3 = first_right = 0
    for start in _months(incidents):
        end = _next_month(start)
        past = [i for i in incidents if i.closed is not None and i.closed < start]
        month = [i for i in incidents if start <= i.opened < end]
        if len(past) < max(min_past, 1) or not month:
            continue
        learner = Learner(CROSSES)
        learner.fit(
            [i.fields for i in past], [i.final_group for i in past], [i.number for i in past]
        )
        probs, classes = learner.probabilities([i.fields for i in month])
        best = np.argsort(-probs, axis=1)[:, :3]
        month_hits = 0
        for incident, order in zip(month, best, strict=True):
            top = [classes[k] for k in order]
            right, first_ok = (
                top[0] == incident.final_group,
                incident.first_group == incident.final_group,
            )
            month_hits += right
            hits1 += right
            hits3 += incident.final_group in top
            first_right += first_ok
            result.reassigned_first_wrong += not first_ok
            result.reassignments_saved += right and not first_ok
            result.suggestion_wrong_first_right += first_ok and not right
            truth.append(incident.final_group)
            guessed.append(top[0])
        result.months += 1
        result.per_month.append(
            {
                "month": f"{start:%Y-%m}",
                "trained_on": len(past),
                "incidents": len(month),
                "top1": round(month_hits / len(month), 4),
            }
        )
        say(
            f"  {start:%Y-%m}: trained on {len(past):>6}, {len(month):>5} incidents, top-1 {month_hits / len(month):.1%}"
        )
    n = len(truth)
    if n:
        result.incidents = n
        result.top1, result.top3 = hits1 / n, hits3 / n
        result.baseline_top1 = first_right / n
        result.macro_f1 = float(f1_score(truth, guessed, average="macro", zero_division=0))
    result.seconds = time.perf_counter() - started
    return result


def measure(run: Run, say: Callable[[str], None], *, limit: int | None = None) -> Replay | None:
    """Replay the log into `run`'s figures and results record; None when there is no log."""
    path = log_path()
    if path is None:
        say(
            f"  skipped: no UCI incident event log (set {ENV}, or put ../{RELATIVE} beside the checkout)"
        )
        run.data[NAME] = {"skipped": "no UCI incident event log"}
        return None
    started = time.perf_counter()
    incidents = load_incidents(path, limit=limit)
    say(
        f"  {len(incidents):,} incidents read from {path.name} in {time.perf_counter() - started:.1f} s"
    )
    result = replay(incidents, say=say)
    figures = [
        ("top1", "Assist group top-1 (UCI replay)", 100 * result.top1, "%"),
        ("top3", "Assist group top-3 (UCI replay)", 100 * result.top3, "%"),
        ("macro_f1", "Assist group macro-F1 (UCI replay)", 100 * result.macro_f1, "%"),
        ("baseline_top1", "First assignment top-1 (UCI log)", 100 * result.baseline_top1, "%"),
        (
            "saved",
            "Reassignments saved (UCI replay)",
            float(result.reassignments_saved),
            "incidents",
        ),
        ("seconds", "Assist replay time", result.seconds, "s"),
    ]
    for name, label, value, unit in figures:
        run.figures.append(Figure(f"{NAME}:{name}", label, unit, value, samples=result.incidents))
    run.data[NAME] = {"log": path.name, "limit": limit} | asdict(result)
    return result
