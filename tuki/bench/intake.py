"""End-to-end intake: tickets fully processed per second, with the workers running.

A ticket is not done when its request returns: until its follow-up work is done it is not
routed or assigned, not searchable, not in the reports, and nobody has been told. This
measurement takes tickets in through two doors while `tuki serve` and `tuki worker`
processes run on the same machine, and waits until the task queue has done everything the
new tickets set off:

- **api**: `POST /api/v1/tickets` from the bench's concurrent clients (an agent logging
  calls for requesters), for a fixed time;
- **mail**: new requests as the IMAP poller hands them to the intake
  (`tuki.mail.services.ingest_message`, the sender proven by a trusted
  Authentication-Results header), from two threads for a fixed time. Fetching over IMAP is
  not part of it.

Alerts join when the operations issue (monitoring alerts) lands.

Follow-up work is every task the tickets' changes queued (routing, assignment, indexing,
report facts, notifications, mail to the requester — sent to a real SMTP sink started
here), and what those tasks queued in turn. Each task is attributed to its ticket through
its arguments (`_attribute`); a ticket's **lag** is from its creation to the end of its
last task. The **sustained rate** is the tickets taken in divided by the time from the
first creation to the end of the last follow-up: what the desk finishes per second, not
what it accepts.
"""

from __future__ import annotations

import json
import logging
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path
from typing import Any

from django.db import connections
from django.utils import timezone

from tuki.bench.clients import cpu_seconds, free_port, p95, server, throughput
from tuki.bench.options import INTAKE, Figure, Run
from tuki.bench.targets import page_targets, scene

BENCH_MAILBOX = "intake@bench.tuki.example"
AUTHSERV = "mx.bench.tuki.example"


# --- the parts that run beside the server ------------------------------------------------


class _Sink:
    """An SMTP server that accepts and counts (aiosmtpd, a dependency for the tests)."""

    def __init__(self) -> None:
        self.received = 0
        self.lock = threading.Lock()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self.lock:
            self.received += 1
        return "250 OK"


@contextmanager
def smtp_sink() -> Iterator[tuple[int, _Sink]]:
    from aiosmtpd.controller import Controller

    sink = _Sink()
    port = free_port()
    logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd's line per command
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield port, sink
    finally:
        controller.stop()


@contextmanager
def task_workers(
    url: str, count: int, env: dict[str, str], say: Callable[[str], None]
) -> Iterator[list[subprocess.Popen[bytes]]]:
    """`count` real `tuki worker` processes on the bench database, stopped at the end."""
    from tuki.server.models import WorkerHeartbeat

    environ = dict(os.environ, TUKI_DATABASE_URL=url, TUKI_DEBUG="false", **env)
    # Their log (a line per task) goes to a file, shown when a worker fails.
    log = tempfile.NamedTemporaryFile(prefix="tuki-bench-workers-", suffix=".log", delete=False)
    processes = []
    ids = [f"bench-intake-{n}-{uuid.uuid4().hex[:6]}" for n in range(count)]
    for worker_id in ids:
        command = [sys.executable, "-m", "tuki", "worker", "--no-startup-delay"]
        command += ["--interval", "0.1", "--worker-id", worker_id]
        processes.append(subprocess.Popen(command, env=environ, stdout=log, stderr=log))
    try:
        deadline = time.monotonic() + 120
        while WorkerHeartbeat.objects.filter(worker_id__in=ids).count() < count:
            if time.monotonic() > deadline or any(p.poll() is not None for p in processes):
                raise RuntimeError(f"the benchmark's task workers did not start (log: {log.name})")
            time.sleep(0.1)
        say(f"workers: {count} × tuki worker")
        yield processes
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(60)
            except subprocess.TimeoutExpired:
                process.kill()
        log.close()
        text = Path(log.name).read_text(errors="replace")
        if "Traceback" in text or "ERROR" in text:
            say(f"  the task workers logged errors: {log.name}")
        else:
            Path(log.name).unlink(missing_ok=True)


# --- the queue ----------------------------------------------------------------------------


def _outstanding(since: datetime | None = None) -> int:
    """Tasks due now or running (those planned for later, like SLA timers, are not)."""
    from django.db.models import Q
    from django_tasks_db.models import DBTaskResult, get_date_max

    due = Q(status="READY") & (Q(run_after=get_date_max()) | Q(run_after__lte=timezone.now()))
    rows = DBTaskResult.objects.filter(due | Q(status="RUNNING"))
    if since is not None:
        rows = rows.filter(enqueued_at__gte=since)
    return rows.count()


def drain(deadline: float, since: datetime | None = None) -> bool:
    """Wait until the queue has nothing due; False when `deadline` (monotonic) passed first."""
    while True:
        if not _outstanding(since):
            return True
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)


def _attribute(since: datetime) -> tuple[dict[int, datetime], int, int, dict[str, int]]:
    """Each ticket's last follow-up end among the tasks queued since `since`: the tasks'
    arguments name their tickets (directly, by event, or by outbound mail). Returns the
    ends, the tasks attributed, those that were not, and the tasks per path."""
    from django_tasks_db.models import DBTaskResult

    from tuki.mail.models import OutboundMessage
    from tuki.tickets.models import TicketEvent

    rows = list(
        DBTaskResult.objects.filter(enqueued_at__gte=since, finished_at__isnull=False).values_list(
            "task_path", "args_kwargs", "finished_at"
        )
    )
    by_path: dict[str, int] = {}
    direct: list[tuple[list[int], datetime]] = []
    events: list[tuple[list[int], datetime]] = []
    mails: list[tuple[int, datetime]] = []
    unattributed = 0
    for path, args_kwargs, finished in rows:
        assert finished is not None  # filtered above
        name = path.rsplit(".", 1)[-1]
        by_path[name] = by_path.get(name, 0) + 1
        args = (args_kwargs or {}).get("args") or []
        first = args[0] if args else None
        if name in ("route_ticket", "assign_ticket", "index_ticket") and isinstance(first, int):
            direct.append(([first], finished))
        elif name == "refresh_facts" and isinstance(first, list):
            direct.append((first, finished))
        elif name == "notify_events" and isinstance(first, list):
            events.append((first, finished))
        elif name == "send_outbound" and isinstance(first, int):
            mails.append((first, finished))
        else:
            unattributed += 1
    ticket_of_event = dict(
        TicketEvent.objects.filter(pk__in={e for ids, _ in events for e in ids}).values_list(
            "pk", "ticket_id"
        )
    )
    ticket_of_mail = dict(
        OutboundMessage.objects.filter(pk__in={m for m, _ in mails}).values_list("pk", "ticket_id")
    )
    for ids, finished in events:
        direct.append(([ticket_of_event[e] for e in ids if e in ticket_of_event], finished))
    for mail, finished in mails:
        if ticket_of_mail.get(mail):
            direct.append(([ticket_of_mail[mail]], finished))
    ends: dict[int, datetime] = {}
    for ids, finished in direct:
        for ticket_id in ids:
            if ticket_id not in ends or finished > ends[ticket_id]:
                ends[ticket_id] = finished
    return ends, len(rows) - unattributed, unattributed, by_path


@dataclass
class Phase:
    name: str
    label: str
    tickets: int = 0
    accepted: float = 0.0  # tickets per second while taking them in
    sustained: float = 0.0  # tickets per second, first creation to last follow-up
    lags: list[float] = field(default_factory=list)
    drained: bool = True
    tasks: int = 0
    unattributed: int = 0
    by_path: dict[str, int] = field(default_factory=dict)
    errors: int = 0
    worker_cpu: float = 0.0  # CPU seconds the task workers spent in the phase


def _settle(
    phase: Phase, since: datetime, first_id: int, deadline: float, say: Callable[[str], None]
) -> None:
    from tuki.tickets.models import Ticket

    phase.drained = drain(deadline, since)
    created = dict(
        Ticket.objects.filter(pk__gt=first_id, created_at__gte=since).values_list(
            "pk", "created_at"
        )
    )
    phase.tickets = len(created)
    if not created:
        return
    ends, phase.tasks, phase.unattributed, phase.by_path = _attribute(since)
    last = max([*ends.values(), *created.values()])
    phase.lags = [
        max(0.0, (ends.get(pk, at) - at).total_seconds()) for pk, at in sorted(created.items())
    ]
    span = (last - min(created.values())).total_seconds()
    phase.sustained = phase.tickets / span if span > 0 else 0.0


def _last_ticket_id() -> int:
    from tuki.tickets.models import Ticket

    return Ticket.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def _api_phase(
    run: Run, port: int, workers: list[int], deadline_s: float, say: Callable[[str], None]
) -> Phase:
    options = run.options
    s = scene(run.data)
    _label, target, ok = page_targets(s)["api_create"]
    phase = Phase("intake_api", f"intake by API, {options.create_clients} clients")
    headers = {"Authorization": f"Bearer {s.token}"}
    # Warm the server's and the workers' processes (imports, caches, connections) first.
    throughput(port, headers, _unique(target), options.create_clients, 1.0, ok)
    drain(time.monotonic() + deadline_s)
    first_id, since = _last_ticket_id(), timezone.now()
    cpu = cpu_seconds(workers)
    seconds = options.seconds * 2
    phase.accepted, _done, phase.errors = throughput(
        port,
        headers,
        _unique(target),
        options.create_clients,
        seconds,
        ok,
    )
    _settle(phase, since, first_id, time.monotonic() + deadline_s, say)
    phase.worker_cpu = cpu_seconds(workers) - cpu
    return phase


def _unique(target: Callable[[int], tuple[str, str, bytes | None]]) -> Any:
    """The create target with a fresh title per call (no duplicate detection in the way)."""

    def make(i: int) -> tuple[str, str, bytes | None]:
        method, path, body = target(i)
        data = json.loads(body or b"{}")
        data["title"] = f"{data.get('title', 'Intake')} {uuid.uuid4().hex[:8]}"
        return method, path, json.dumps(data).encode()

    return make


def bench_mailbox() -> Any:
    """An inactive mailbox (never polled) whose MTA's Authentication-Results are trusted."""
    from tuki.accounts.models import SupportGroup
    from tuki.mail.models import Mailbox

    desk = SupportGroup.objects.filter(tier=SupportGroup.Tier.SERVICE_DESK).first()
    mailbox, _ = Mailbox.objects.update_or_create(
        address=BENCH_MAILBOX,
        defaults={
            "name": "bench-intake",
            "is_active": False,
            "imap_host": "imap.bench.invalid",
            "trusted_authserv_ids": AUTHSERV,
            "group": desk,
        },
    )
    return mailbox


def mail_request(sender: str, n: int) -> bytes:
    msg = EmailMessage()
    msg["Authentication-Results"] = (
        f"{AUTHSERV}; dmarc=pass header.from={sender.rpartition('@')[2]}"
    )
    msg["From"] = sender
    msg["To"] = BENCH_MAILBOX
    msg["Subject"] = f"Printer on floor {n % 9} prints blank pages ({uuid.uuid4().hex[:6]})"
    msg["Date"] = format_datetime(timezone.now())
    msg["Message-ID"] = make_msgid(idstring=uuid.uuid4().hex[:12], domain="client.bench.example")
    body = "The printer next to the kitchen prints only blank pages since this morning."
    msg.set_content(f"{body}\n\n--\nBest regards\nA requester\n")
    msg.add_alternative(f"<html><body><p>{body}</p><p>Best regards</p></body></html>", "html")
    return msg.as_bytes()


def _mail_phase(
    run: Run, workers: list[int], deadline_s: float, say: Callable[[str], None]
) -> Phase:
    from tuki.accounts.models import User
    from tuki.mail.services import ingest_message

    phase = Phase("intake_mail", "intake by mail, 2 pollers")
    mailbox = bench_mailbox()
    senders = list(
        User.objects.filter(is_agent=False, is_active=True, organisation__isnull=False)
        .exclude(email="")
        .order_by("pk")
        .values_list("email", flat=True)[:500]
    )
    if not senders:
        return phase
    first_id, since = _last_ticket_id(), timezone.now()
    cpu = cpu_seconds(workers)
    seconds = run.options.seconds * 2
    counts = [0, 0]
    failures = [0, 0]
    stop_at = time.perf_counter() + seconds

    def poller(n: int) -> None:
        i = n
        try:
            while time.perf_counter() < stop_at:
                result = ingest_message(mail_request(senders[i % len(senders)], i), mailbox)
                if result.inbound is not None and result.inbound.ticket_id:
                    counts[n] += 1
                else:
                    failures[n] += 1
                i += 2
        finally:
            connections.close_all()

    began = time.perf_counter()
    threads = [threading.Thread(target=poller, args=(n,)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    phase.accepted = sum(counts) / (time.perf_counter() - began)
    phase.errors = sum(failures)
    _settle(phase, since, first_id, time.monotonic() + deadline_s, say)
    phase.worker_cpu = cpu_seconds(workers) - cpu
    return phase


# --- the measurement ----------------------------------------------------------------------


def measure(run: Run, url: str, say: Callable[[str], None]) -> None:
    options = run.options
    wanted = [n for n in INTAKE if options.wants(n)]
    if not wanted:
        return
    deadline_s = 60.0 if options.quick else 900.0
    with smtp_sink() as (smtp_port, sink):
        env = {"TUKI_EMAIL_HOST": "127.0.0.1", "TUKI_EMAIL_PORT": str(smtp_port)}
        with (
            server(url, options, say) as port,
            task_workers(url, options.task_workers, env, say) as processes,
        ):
            pids = [p.pid for p in processes]
            started = time.monotonic()
            backlog = _outstanding()
            if not drain(time.monotonic() + deadline_s):
                say(f"  the queue's backlog of {backlog} tasks did not drain in {deadline_s:.0f} s")
            elif backlog:
                say(
                    f"  backlog before: {backlog} tasks, done in {time.monotonic() - started:.1f} s"
                )
            for name in wanted:
                if name == "intake_api":
                    phase = _api_phase(run, port, pids, deadline_s, say)
                else:
                    phase = _mail_phase(run, pids, deadline_s, say)
                _record(run, phase, options.task_workers, say)
        say(f"  mail delivered to the SMTP sink: {sink.received}")


def _record(run: Run, phase: Phase, workers: int, say: Callable[[str], None]) -> None:
    if not phase.tickets:
        say(f"  {phase.label}: no tickets taken in")
        run.figures.append(Figure(phase.name, phase.label, "/s", 0.0, errors=phase.errors + 1))
        return
    lags = phase.lags
    paths = ", ".join(f"{k} {v}" for k, v in sorted(phase.by_path.items(), key=lambda kv: -kv[1]))
    note = (
        f"{phase.tickets} tickets, taken in at {phase.accepted:,.0f}/s, lag p50 "
        f"{statistics.median(lags):.2f} s, {workers} workers using "
        f"{phase.worker_cpu / phase.tickets * 1000:.0f} ms of CPU per ticket; tasks: {paths}"
    )
    if phase.unattributed:
        note += f"; {phase.unattributed} unattributed"
    figure = Figure(
        phase.name,
        f"{phase.label}, fully processed",
        "/s",
        phase.sustained,
        samples=phase.tickets,
        errors=phase.errors + (0 if phase.drained else 1),
        note=note,
    )
    run.figures.append(figure)
    run.figures.append(
        Figure(
            f"{phase.name}_lag",
            f"{phase.label}: lag to the last follow-up",
            "s",
            statistics.median(lags),
            p95=p95(lags),
            samples=len(lags),
        )
    )
    say(
        f"  {figure.label:<48} {figure.value:10,.1f} /s  lag p50 {statistics.median(lags):.2f} s"
        f"  p95 {p95(lags):.2f} s  ({phase.tickets} tickets; accepted {phase.accepted:,.0f}/s)"
        + ("" if phase.drained else "  [the queue did not drain]")
        + (f"  [{phase.errors} errors]" if phase.errors else "")
    )
    say(
        f"    workers' CPU {phase.worker_cpu / phase.tickets * 1000:.0f} ms per ticket; "
        f"tasks: {paths}"
    )
