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
from datetime import date, datetime
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from tuki.accounts.models import User
from tuki.reports.filters import Filters
from tuki.reports.indicators import compute
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
    done = ("Resolved", "Closed")
    minutes: dict[int, list[float]] = defaultdict(list)
    for events in rows.values():
        # Resolved when it last became resolved (or closed) from an active state.
        ends = [
            b
            for a, b in zip([{}, *events], events, strict=False)
            if b["incident_state"] in done and a.get("incident_state") not in done
        ]
        took = when(ends[-1]["sys_updated_at"]) - when(events[0]["opened_at"])
        minutes[int(events[-1]["priority"][0])].append(took.total_seconds() / 60)
    lasts = [events[-1] for events in rows.values()]
    return {
        "incidents": len(rows),
        "by_priority": Counter(int(r["priority"][0]) for r in lasts),
        "by_channel": Counter(CHANNELS[e[0]["contact_type"]] for e in rows.values()),
        "reopen_share": sum(int(r["reopen_count"]) > 0 for r in lasts) / len(lasts),
        "mean_reassignments": statistics.mean(int(r["reassignment_count"]) for r in lasts),
        "median_minutes": {p: statistics.median(m) for p, m in minutes.items()},
    }


def reported() -> dict[str, object]:
    """The same figures as the reports engine computes them (from the replayed events)."""
    viewer = User.objects.create_superuser("manager@example.com", full_name="Manager")
    period = Filters(start=date(2016, 1, 1), end=date(2017, 12, 31))

    def rows(code: str, by: str, **options: str) -> dict[str, float | None]:
        return {c.key: c.value for c in compute(viewer, code, period, by, **options).rows}

    volume = compute(viewer, "volume", period)
    by_priority = rows("volume", "priority")
    resolve = rows("resolve_time", "priority", clock="calendar", statistic="median")
    return {
        "incidents": volume.total.value,
        "by_priority": Counter({int(k): int(v or 0) for k, v in by_priority.items() if v}),
        "by_channel": Counter({k: int(v or 0) for k, v in rows("volume", "channel").items() if v}),
        "reopen_share": compute(viewer, "reopen_rate", period).total.value,
        "mean_reassignments": compute(viewer, "reassignments", period).total.value,
        "median_minutes": {int(k): v for k, v in resolve.items() if v is not None},
    }


def in_tickets() -> dict[str, object]:
    """A few of them from the tickets' own fields, which the import sets from the events."""
    tickets = Ticket.objects.all()
    return {
        "incidents": tickets.count(),
        "reopen_share": tickets.filter(reopen_count__gt=0).count() / tickets.count(),
        "mean_reassignments": statistics.mean(tickets.values_list("reassignment_count", flat=True)),
    }


def test_the_full_uci_log_imports_and_the_reports_agree_with_the_csv(uci_log: Path) -> None:
    out = StringIO()
    call_command("import", "servicenow-log", str(uci_log), "--no-progress", stdout=out)
    summary = out.getvalue()
    assert "rows read:              141712" in summary
    assert "imported now:           24918" in summary
    assert "bad rows skipped:       5" in summary
    want, got, fields = expected(uci_log), reported(), in_tickets()
    assert want["incidents"] == got["incidents"] == fields["incidents"] == 24918
    assert got["by_priority"] == want["by_priority"]
    assert got["by_channel"] == want["by_channel"]
    assert fields["reopen_share"] == pytest.approx(want["reopen_share"])
    assert got["reopen_share"] == pytest.approx(100 * want["reopen_share"], abs=1e-3)
    assert fields["mean_reassignments"] == pytest.approx(want["mean_reassignments"])
    assert got["mean_reassignments"] == pytest.approx(want["mean_reassignments"], abs=1e-3)
    # The engine reads percentiles from a log-scale histogram (within 0.5 % of the value).
    assert got["median_minutes"] == pytest.approx(want["median_minutes"], rel=0.01)
