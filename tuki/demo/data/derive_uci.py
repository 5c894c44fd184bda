"""Derive data/uci_profile.json from the UCI incident event log (run by hand, rarely).

    python -m tuki.demo.data.derive_uci path/to/incident_event_log.zip

The source is the UCI "Incident management process enriched event log" (CC BY 4.0,
https://archive.ics.uci.edu/dataset/498; Amaral, Fantinato, Peres, FedCSIS 2018). Only
aggregate shares and quantiles are kept: how incidents arrive, how urgent they are, how
often they bounce between groups, wait for the user, reopen, and how long they take. The
demo loader samples from these so its tickets behave like a real desk's.
"""

from __future__ import annotations

import csv
import io
import json
import statistics
import sys
import zipfile
from collections import Counter
from datetime import datetime
from pathlib import Path

OUT = Path(__file__).with_name("uci_profile.json")
# The log's contact types, as Tuki's channels.
CHANNELS = {
    "Phone": "phone",
    "IVR": "phone",
    "Email": "email",
    "Self service": "web",
    "Direct opening": "chat",
}


def _when(text: str) -> datetime | None:
    return None if text in ("", "?") else datetime.strptime(text, "%d/%m/%Y %H:%M")


def _incidents(path: Path) -> dict[str, dict[str, object]]:
    """The last row of each incident, plus whether it ever waited for the user."""
    incidents: dict[str, dict[str, object]] = {}
    with zipfile.ZipFile(path) as archive, archive.open("incident_event_log.csv") as raw:
        for row in csv.DictReader(io.TextIOWrapper(raw, encoding="utf-8")):
            seen = incidents.setdefault(row["number"], {"waited": False})
            seen["waited"] = seen["waited"] or row["incident_state"] == "Awaiting User Info"
            seen.update(row)
    return incidents


def _shares(counter: Counter[str]) -> dict[str, float]:
    total = sum(counter.values())
    return {key: round(count / total, 4) for key, count in sorted(counter.items())}


def derive(path: Path) -> dict[str, object]:
    incidents = _incidents(path)
    hours: list[float] = []
    for row in incidents.values():
        opened, resolved = _when(str(row["opened_at"])), _when(str(row["resolved_at"]))
        if opened and resolved and resolved >= opened:
            hours.append((resolved - opened).total_seconds() / 3600)
    cuts = statistics.quantiles(hours, n=20)
    return {
        "source": "UCI Machine Learning Repository, Incident management process enriched "
        "event log (https://archive.ics.uci.edu/dataset/498), CC BY 4.0; Amaral, Fantinato, "
        "Peres, FedCSIS 2018. Aggregates derived by tuki/demo/data/derive_uci.py.",
        "incidents": len(incidents),
        "channel": _shares(
            Counter(CHANNELS.get(str(r["contact_type"]), "web") for r in incidents.values())
        ),
        "impact_urgency": _shares(
            Counter(f"{str(r['impact'])[0]}{str(r['urgency'])[0]}" for r in incidents.values())
        ),
        "reassignments": _shares(
            Counter(str(min(int(str(r["reassignment_count"])), 3)) for r in incidents.values())
        ),
        "reopened": round(
            sum(int(str(r["reopen_count"])) > 0 for r in incidents.values()) / len(incidents), 4
        ),
        "waited_for_user": round(
            sum(bool(r["waited"]) for r in incidents.values()) / len(incidents), 4
        ),
        "resolution_hours_vigintiles": [round(c, 2) for c in cuts],
    }


if __name__ == "__main__":
    OUT.write_text(json.dumps(derive(Path(sys.argv[1])), indent=2) + "\n")
    print(f"wrote {OUT}")
