"""The benchmark suite: its data generator, its budgets, and a whole quick run.

Speed is never asserted here (docs/development/architecture.md); these tests check that the suite measures what
it says, on the data it says, and leaves nothing behind.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from django.db import connection

from tuki.bench import generator, report
from tuki.bench.options import Figure, Options, Run
from tuki.tickets import services
from tuki.tickets.models import ACTIVE_CATEGORIES, Comment, Kind, Ticket, TicketEvent

pytestmark = pytest.mark.bench


@pytest.mark.django_db(transaction=True)
def test_the_generator_writes_a_realistic_desk_and_the_services_go_on_from_there():
    from tuki.conftest import ensure_workflow

    ensure_workflow()
    loaded = generator.load(600, seed=3)
    assert Ticket.objects.count() == loaded.tickets == 600
    assert Comment.objects.count() == loaded.comments > 600
    assert TicketEvent.objects.count() == loaded.events > 3 * 600
    kinds = set(Ticket.objects.values_list("kind", flat=True))
    assert {Kind.INCIDENT, Kind.REQUEST} <= kinds
    # Two years of history: most tickets are closed, a few are still open.
    active = Ticket.objects.filter(status__category__in=ACTIVE_CATEGORIES).count()
    assert 0 < active < 300
    assert Ticket.objects.filter(status__key="closed").count() > 300
    # Escalated tickets were worked by a second-line group of the requester's office.
    escalated = Ticket.objects.filter(reassignment_count__gt=0).select_related("group")
    assert escalated.exists()
    assert all(t.group.tier == 2 and t.group.location_id == t.location_id for t in escalated)
    # Every ticket's events and comments belong to it and are in time order.
    sample = Ticket.objects.order_by("?").first()
    times = list(sample.events.values_list("created_at", flat=True))
    assert times == sorted(times) and times[0] == sample.created_at
    # The bench's rich tickets (the ticket page figure) have 30 timeline entries.
    rich = Ticket.objects.get(pk=loaded.rich_ids[0]) if loaded.rich_ids else None
    if rich is not None:
        assert rich.events.count() >= 30
    # The id sequences follow the bulk insert: the services create the next ticket.
    desk_agent = Ticket.objects.first().owner
    ticket = services.create_ticket(desk_agent, title="after the load", requester=sample.requester)
    assert ticket.pk > max(loaded.open_ids + [600])


def test_budgets_name_every_figure_that_misses_or_is_missing():
    run = Run(Options())
    run.figures = [
        Figure("queue", "queue", "ms", 10.0, p95=70.0),
        Figure("queue_throughput", "q", "/s", 100.0, ratio=0.5),
        Figure("ticket", "ticket", "ms", 10.0, p95=20.0),
        Figure("ticket_throughput", "t", "/s", 100.0, ratio=0.1),
        Figure("api_create", "create", "/s", 450.0),
    ]
    misses = report.check(run)
    assert any(m.startswith("queue p95 = 70.00") for m in misses)
    assert any(m.startswith("ticket_throughput ratio = 0.10") for m in misses)
    assert "search_page: not measured" in misses
    assert not any(m.startswith(("ticket p95", "api_create", "queue_throughput")) for m in misses)
    assert "floor_view_throughput: not measured" in misses
    run.figures.append(Figure("floor_view_throughput", "f", "/s", 900.0, ratio=0.9))
    assert "floor_view_throughput ratio = 0.90, budget >= 1" in report.check(run)


@pytest.mark.any_database  # minutes; the profile test below drops a SQLite quick database too
def test_a_quick_run_measures_everything_through_http_and_drops_its_database(
    tmp_path, subprocess_env
):
    """`tuki bench --quick`, as CI runs it: a real server, real figures, nothing left over."""
    env = subprocess_env  # TUKI_VAR_DIR=tmp_path / "var", a database of this worker's own
    out = tmp_path / "results"
    result = subprocess.run(
        [sys.executable, "-m", "tuki", "bench", "--quick", "--output", str(out)],
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    (written,) = out.glob("*.json")
    record = json.loads(written.read_text())
    figures = {f["name"]: f for f in record["figures"]}
    for name in ("floor_plain", "floor_view", "floor_insert", "queue", "queue_deep", "ticket"):
        assert figures[name]["samples"] > 0, name
        assert figures[name]["errors"] == 0, name
    assert figures["api_create"]["samples"] > 0 and figures["api_create"]["errors"] == 0
    assert figures["api_list"]["samples"] > 0 and figures["api_list"]["errors"] == 0
    for name in ("queue", "ticket", "api_list"):
        assert figures[name]["queries"] > 0, name
        assert 0 < figures[f"{name}_throughput"]["ratio"], name
    assert figures["floor_view"]["queries"] == 0
    # Tuki's trivial view against a plain Django project's under gunicorn, and how the two
    # web processes shared it.
    assert figures["floor_plain_throughput"]["value"] > 0
    assert figures["floor_view_throughput"]["floor"] == "floor_plain"
    assert figures["floor_view_throughput"]["ratio"] > 0
    assert "busiest of 2 workers" in figures["floor_view"]["note"]
    assert "of plain Django" in result.stdout
    # Tickets taken in by the API and by mail with the task workers running, followed until
    # their last follow-up task is done; the lag from creation to it.
    for name in ("intake_api", "intake_mail"):
        assert figures[name]["samples"] > 0 and figures[name]["errors"] == 0, name
        assert figures[name]["value"] > 0, name
        assert (
            "notify_events" in figures[name]["note"] and "unattributed" not in figures[name]["note"]
        )
        assert figures[f"{name}_lag"]["samples"] == figures[name]["samples"]
        assert 0 <= figures[f"{name}_lag"]["value"] <= figures[f"{name}_lag"]["p95"]
    assert "send_outbound" in figures["intake_mail"]["note"]  # the acknowledgement, sent
    # Monitoring alerts in Alertmanager batches through the real server, repeats included.
    alerts = figures["alerts_throughput"]
    assert alerts["samples"] > 0 and alerts["errors"] == 0 and alerts["value"] > 0
    assert "incidents opened" in alerts["note"]
    # A change through the API to its message on 200 connected pages (PostgreSQL's stream).
    if connection.vendor == "postgresql":
        live = figures["live"]
        assert live["samples"] == 20 and live["errors"] == 0
        assert 0 < live["value"] <= live["p95"]
        assert "200 event streams" in live["note"]
    else:
        assert "live" not in figures
    # The team view (a group's lead) and the 12-month report through the reports engine.
    assert figures["team_dashboard"]["samples"] > 0 and figures["team_dashboard"]["errors"] == 0
    assert figures["report_year"]["samples"] > 0 and figures["report_year"]["queries"] > 0
    assert record["data"]["report_facts"] == 2000
    # Impact analysis on the configuration database of 2,000 items (bench/cmdb.py).
    assert record["data"]["cmdb"]["cis"] == 2000 and record["data"]["cmdb"]["relations"] == 10000
    for name in ("impact", "impact_dependencies"):
        assert figures[name]["samples"] > 0 and figures[name]["queries"] > 0, name
    assert record["data"]["tickets"] == 2000
    assert record["environment"]["vendor"] == connection.vendor
    assert "budgets" in record and isinstance(record["misses"], list)
    assert not list((tmp_path / "var").glob("*bench*.sqlite3"))  # dropped after --quick
    assert "measurement" in result.stdout  # the table


def test_profile_shows_where_one_pages_time_goes_and_drops_its_quick_database(
    tmp_path, subprocess_env
):
    env = subprocess_env  # TUKI_VAR_DIR=tmp_path / "var", a database of this worker's own
    result = subprocess.run(
        [sys.executable, "-m", "tuki", "bench", "--quick", "--profile", "ticket"]
        + ["--repetitions", "3"],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    out = result.stdout
    assert "ticket: " in out and " queries, " in out
    assert "3 requests: median" in out
    assert "Ordered by: cumulative time" in out and "detail" in out  # the view itself
    assert not list((tmp_path / "var").glob("*bench*.sqlite3"))


def test_profile_refuses_what_it_cannot_profile(tmp_path, subprocess_env):
    env = subprocess_env  # TUKI_VAR_DIR=tmp_path / "var", a database of this worker's own
    result = subprocess.run(
        [sys.executable, "-m", "tuki", "bench", "--quick", "--profile", "floor_insert"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0 and "--profile takes one of" in result.stderr
