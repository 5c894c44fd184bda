"""The benchmark's options, its figures and the run that collects them (shared by the
other modules of tuki.bench)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

DATA_VERSION = "4"  # 3: the report facts (reports.TicketFact) are filled; 4: rolled up
HTTP_MEASUREMENTS = (
    "floor_plain",
    "floor_view",
    "floor_insert",
    "queue",
    "queue_deep",
    "queue_sla",
    "dashboard",
    "team_dashboard",
    "ticket",
    "api_list",
    "search_page",
    "api_create",
)
# Tickets taken in and fully processed, with the task workers running (intake.py).
INTAKE = ("intake_api", "intake_mail")
# Monitoring alerts posted to a real server, repeats included (alerts.py).
ALERTS = ("alerts",)
# Live pages: a change to its message on 200 connected event streams (live.py).
LIVE = ("live",)
# Assist's group suggestions replayed on the UCI incident log (assist_replay.py): minutes, so
# not in a --quick run unless named; needs no benchmark database.
ASSIST = ("assist_replay",)
# Measured in-process on the same data, after the HTTP measurements.
IN_PROCESS = ("report_year", "call_similar", "call_assist", "call_assist_total")
# Measured in-process on the configuration database (cmdb.py, impact.py); no tickets needed.
CMDB = ("impact", "impact_dependencies", "change_conflicts", "change_free_slots")


@dataclass
class Options:
    tickets: int = 100_000
    cis: int = 100_000  # configuration items for the impact measurements (5 relations each)
    quick: bool = False
    fresh: bool = False
    only: list[str] = field(default_factory=list)
    seconds: float = 5.0  # per throughput measurement
    repetitions: int = 200  # per latency measurement
    workers: int = 2
    # Concurrent keep-alive clients for page throughput: eight, so that the kernel's
    # per-connection hash (SO_REUSEPORT) rarely leaves a web process without work.
    clients: int = 8
    create_clients: int = 8
    task_workers: int = 2  # `tuki worker` processes for the intake measurements
    output: Path | None = None
    keep: bool = True
    # Whether the run needs the ticket data set (not for the CMDB measurements alone): a
    # benchmark database without it is then kept as it is.
    tickets_needed: bool = True

    @classmethod
    def quick_run(cls, **kw: Any) -> Options:
        base = {
            "tickets": 2_000,
            "cis": 2_000,
            "quick": True,
            "seconds": 0.5,
            "repetitions": 15,
            "keep": False,
        }
        return cls(**(base | kw))

    def wants(self, name: str) -> bool:
        return not self.only or name in self.only


@dataclass
class Figure:
    name: str
    label: str
    unit: str  # "ms" (latency: value = median) or "/s" (throughput)
    value: float
    p95: float | None = None
    queries: int | None = None
    floor: str = ""  # the floor it is compared with
    ratio: float | None = None  # value / floor (throughput) or floor / value (latency)
    samples: int = 0
    errors: int = 0
    note: str = ""


@dataclass
class Run:
    options: Options
    figures: list[Figure] = field(default_factory=list)
    environment: dict[str, Any] = field(default_factory=dict)
    data: dict[str, Any] = field(default_factory=dict)
    misses: list[str] = field(default_factory=list)

    def get(self, name: str) -> Figure | None:
        return next((f for f in self.figures if f.name == name), None)
