"""The whole UCI incident log (141,712 events of 24,918 incidents) imported, and Tuki's
figures compared with figures computed directly from the CSV by a few lines here.

The dataset is read from ../shared/datasets/uci-incident-event-log next to the repository
(or a folder above it, or TUKI_UCI_LOG_ZIP); the test is skipped without it. Unpacked into tmp_path, never
committed.
"""

from __future__ import annotations

import csv
import os
import statistics
import zipfile
from collections import Counter, defaultdict
from datetime import datetime
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db.models import Count

from tuki.tickets.models import Ticket

pytestmark = [pytest.mark.slow, pytest.mark.django_db]

REPO = Path(__file__).resolve().parents[3]
DATASET = "shared/datasets/uci-incident-event-log/incident_event_log.zip"
# Beside the repository (../shared), or higher up for a git worktree.
FOUND = [p / DATASET for p in REPO.parents if (p / DATASET).exists()]
ZIP = Path(os.environ.get("TUKI_UCI_LOG_ZIP") or (FOUND[0] if FOUND else REPO.parent / DATASET))
CHANNELS = {"Phone": "phone", "IVR": "phone", "Email": "email", "Self service": "web"}
CHANNELS["Direct opening"] = "chat"


@pytest.fixture
def uci_log(tmp_path: Path) -> Path:
    if not ZIP.exists():
        pytest.skip(f"the UCI incident log is not at {ZIP}")
    with zipfile.ZipFile(ZIP) as archive:
        archive.extract("incident_event_log.csv", tmp_path)
    return tmp_path / "incident_event_log.csv"


def expected(path: Path) -> dict[str, object]:
    """The figures, straight from the CSV: each incident's rows (noise rows left out)."""
    rows = defaultdict(list)
    with path.open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            if row["incident_state"] != "-100":
                rows[row["number"]].append(row)
    when = lambda text: datetime.strptime(text, "%d/%m/%Y %H:%M")  # noqa: E731
    hours: dict[int, list[float]] = defaultdict(list)
    for events in rows.values():
        last = events[-1]
        resolved = last["resolved_at"]
        if resolved == "?":  # no resolution stamped: when it last became resolved (or closed)
            done = ("Resolved", "Closed")
            ends = [
                b
                for a, b in zip([{}, *events], events, strict=False)
                if b["incident_state"] in done and a.get("incident_state") not in done
            ]
            resolved = ends[-1]["sys_updated_at"]
        took = when(resolved) - when(last["opened_at"])
        hours[int(last["priority"][0])].append(took.total_seconds() / 3600)
    lasts = [events[-1] for events in rows.values()]
    return {
        "incidents": len(rows),
        "by_priority": Counter(int(r["priority"][0]) for r in lasts),
        "by_channel": Counter(CHANNELS[e[0]["contact_type"]] for e in rows.values()),
        "reopen_share": sum(int(r["reopen_count"]) > 0 for r in lasts) / len(lasts),
        "mean_reassignments": statistics.mean(int(r["reassignment_count"]) for r in lasts),
        "median_hours": {p: statistics.median(h) for p, h in hours.items()},
    }


def measured() -> dict[str, object]:
    """The same figures as Tuki has them (Ticket fields, set from the replayed events).

    TODO: through the reports engine (tuki.reports.indicators.compute) once merged."""
    tickets = Ticket.objects.all()
    hours: dict[int, list[float]] = defaultdict(list)
    for priority, created, resolved in tickets.values_list("priority", "created_at", "resolved_at"):
        hours[priority].append((resolved - created).total_seconds() / 3600)
    count = tickets.count()
    return {
        "incidents": count,
        "by_priority": Counter(dict(tickets.values_list("priority").annotate(n=Count("id")))),
        "by_channel": Counter(dict(tickets.values_list("channel").annotate(n=Count("id")))),
        "reopen_share": tickets.filter(reopen_count__gt=0).count() / count,
        "mean_reassignments": statistics.mean(tickets.values_list("reassignment_count", flat=True)),
        "median_hours": {p: statistics.median(h) for p, h in hours.items()},
    }


def test_the_full_uci_log_imports_and_tuki_agrees_with_the_csv(uci_log: Path) -> None:
    out = StringIO()
    call_command("import", "servicenow-log", str(uci_log), "--no-progress", stdout=out)
    summary = out.getvalue()
    assert "rows read:              141712" in summary
    assert "imported now:           24918" in summary
    assert "bad rows skipped:       5" in summary
    want, got = expected(uci_log), measured()
    assert want["incidents"] == got["incidents"] == 24918
    assert got["by_priority"] == want["by_priority"]
    assert got["by_channel"] == want["by_channel"]
    assert got["reopen_share"] == pytest.approx(want["reopen_share"])
    assert got["mean_reassignments"] == pytest.approx(want["mean_reassignments"])
    assert got["median_hours"] == pytest.approx(want["median_hours"])
