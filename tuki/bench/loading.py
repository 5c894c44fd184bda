"""Loading the data set into the benchmark database once (generator.py writes the rows),
then what a running desk would have: planner statistics, SLA clocks, the search index."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

from django.db import connection

from tuki.bench import generator
from tuki.bench.options import DATA_VERSION, Options
from tuki.calendars.models import Calendar
from tuki.reports import facts, rollups
from tuki.search import documents
from tuki.sla import services as sla_services
from tuki.sla.models import SlaClock, SlaPolicy, SlaTarget


def ensure_data(options: Options, say: Callable[[str], None]) -> dict[str, Any]:
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE IF NOT EXISTS tuki_bench_meta (key varchar(50) PRIMARY KEY, value text)"
        )
        cursor.execute("SELECT key, value FROM tuki_bench_meta")
        meta = dict(cursor.fetchall())
    if meta.get("tickets") == str(options.tickets) and meta.get("version") == DATA_VERSION:
        say(f"data: {options.tickets:,} tickets, loaded before")
        return json.loads(meta.get("load", "{}"))
    say(f"data: loading {options.tickets:,} tickets ...")
    loaded = generator.load(options.tickets, progress=lambda line: say(f"  {line}"))
    figures = generator.describe(loaded)
    started = time.perf_counter()
    generator.analyse()  # before anything reads: a planner without statistics scans it all
    figures["analyse_seconds"] = round(time.perf_counter() - started, 1)
    started = time.perf_counter()
    clocks = start_sla(loaded.open_ids)
    figures["sla_clocks"] = clocks
    figures["sla_seconds"] = round(time.perf_counter() - started, 1)
    figures |= index_for_search(say)
    figures |= fill_facts(say)
    started = time.perf_counter()
    generator.vacuum()
    figures["vacuum_seconds"] = round(time.perf_counter() - started, 1)
    figures["rich_ticket_ids"] = loaded.rich_ids[:50]
    say(
        f"  {figures['tickets']:,} tickets, {figures['comments']:,} comments, "
        f"{figures['events']:,} events in {figures['seconds']} s "
        f"({figures['rows_per_second']:,} rows/s); SLA clocks for {len(loaded.open_ids):,} "
        f"open tickets in {figures['sla_seconds']} s"
    )
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM tuki_bench_meta WHERE key IN ('tickets', 'version', 'load')")
        for key, value in (
            ("tickets", str(options.tickets)),
            ("version", DATA_VERSION),
            ("load", json.dumps(figures)),
        ):
            cursor.execute("INSERT INTO tuki_bench_meta (key, value) VALUES (%s, %s)", [key, value])
    return figures


def index_for_search(say: Callable[[str], None]) -> dict[str, Any]:
    """The tickets into the search index, in bulk (what `tuki search_reindex` does)."""

    say("  indexing the tickets for search ...")
    started = time.perf_counter()
    written = documents.rebuild(documents.TICKET)
    seconds = round(time.perf_counter() - started, 1)
    say(f"  {written:,} tickets indexed in {seconds} s")
    return {"search_documents": written, "search_index_seconds": seconds}


def fill_facts(say: Callable[[str], None]) -> dict[str, Any]:
    """Every ticket's report facts (reports.TicketFact), as `tuki reports rebuild` does: the
        generator writes rows without the services, so no event marked them stale; then the
    monthly rollups, as the periodic job would."""

    say("  computing the report facts ...")
    started = time.perf_counter()
    written = facts.refresh(facts.all_ticket_ids().values_list("pk", flat=True))
    seconds = round(time.perf_counter() - started, 1)
    say(f"  {written:,} ticket facts in {seconds} s")
    started = time.perf_counter()
    months = rollups.roll_all()
    rolled = round(time.perf_counter() - started, 1)
    say(f"  {months} months rolled up in {rolled} s")
    return {
        "report_facts": written,
        "report_facts_seconds": seconds,
        "report_rollup_months": months,
        "report_rollup_seconds": rolled,
    }


def start_sla(open_ids: list[int]) -> int:
    """An office calendar and a policy; the SLA engine starts the open tickets' clocks."""

    office, _ = Calendar.objects.get_or_create(
        name="Bench office",
        defaults={
            "time_zone": "Europe/Helsinki",
            "week": {d: [["08:00", "16:00"]] for d in ("mon", "tue", "wed", "thu", "fri")},
            "holiday_country": "FI",
        },
    )
    policy, created = SlaPolicy.objects.get_or_create(
        name="Bench standard", defaults={"order": 100, "calendar": office}
    )
    if created:
        minutes = {1: (30, 60, 240), 2: (60, 120, 480), 3: (120, 240, 1440)}
        minutes |= {4: (240, 480, 2880), 5: (480, 960, 7200)}
        for priority, (first, following, resolution) in minutes.items():
            SlaTarget.objects.create(
                policy=policy,
                priority=priority,
                first_response_minutes=first,
                next_response_minutes=following,
                resolution_minutes=resolution,
            )
    sla_services.recompute_tickets(open_ids, why="benchmark data")

    return SlaClock.objects.count()
