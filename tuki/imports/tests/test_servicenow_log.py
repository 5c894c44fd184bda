"""`tuki import servicenow-log`: incidents replayed as the events they were."""

from __future__ import annotations

from datetime import datetime
from io import StringIO
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.core.management import call_command

from tuki.accounts.models import SupportGroup, User
from tuki.calendars.models import Calendar
from tuki.imports import servicenow
from tuki.imports.directory import Directory
from tuki.imports.models import ImportedRecord
from tuki.imports.plans import Clock
from tuki.imports.services import run_import
from tuki.mail.models import OutboundMessage
from tuki.notifications.models import Notification
from tuki.reports import facts
from tuki.reports.models import TicketFact
from tuki.search.models import SearchEntry
from tuki.sla.models import SlaClock
from tuki.tickets.models import EventAction, Ticket, TicketEvent

pytestmark = pytest.mark.django_db
UTC = ZoneInfo("UTC")


def run(path: Path, *args: str) -> str:
    out = StringIO()
    call_command("import", "servicenow-log", str(path), "--no-progress", *args, stdout=out)
    return out.getvalue()


def ticket(number: str) -> Ticket:
    return ImportedRecord.objects.get(source="servicenow-log", external_id=number).ticket


def at(text: str) -> datetime:
    return datetime.strptime(text, "%d/%m/%Y %H:%M").replace(tzinfo=UTC)


def test_every_incident_is_imported_and_the_summary_reconciles(servicenow_log: Path) -> None:
    out = run(servicenow_log)
    assert Ticket.objects.count() == 6
    assert "rows read:              39" in out
    assert "tickets in the source:  6" in out
    assert "imported now:           6" in out
    assert "already there:          0" in out


def test_bad_rows_are_reported_by_line_and_skipped(servicenow_log: Path) -> None:
    out = run(servicenow_log)
    assert "bad rows skipped:       4" in out
    assert "line 31: INC0028089: unknown incident_state '-100'" in out
    assert "line 32: INC0028089" in out
    assert "line 39: INC0000062: unreadable date '31/31/2016 99:00'" in out
    assert "line 40: INC9999999" in out
    assert "skipped (no usable row): INC9999999" in out
    # The good rows of INC0028089 are imported; the bad ones left no trace.
    statuses = ticket("INC0028089").events.filter(action=EventAction.STATUS)
    assert [(e.old_value, e.new_value) for e in statuses] == [
        ("New", "Resolved"),
        ("Resolved", "Closed"),
    ]


def test_an_incident_keeps_its_opening_caller_channel_and_category_tree(
    servicenow_log: Path,
) -> None:
    run(servicenow_log)
    t = ticket("INC0066611")
    assert t.created_at == at("14/9/2016 08:26")
    assert t.channel == "web"  # Self service
    assert t.requester.full_name == "Caller 1873"
    assert not t.requester.is_agent
    assert t.location is not None and t.location.name.startswith("Location ")
    assert t.category is not None and t.category.parent is not None
    assert t.category.path == f"{t.category.parent.name} › {t.category.name}"
    assert t.status.key == "closed"
    assert t.resolved_at == at("16/9/2016 13:52")
    assert t.closed_at == at("21/9/2016 14:00")
    created = t.events.get(action=EventAction.CREATED)
    assert created.created_at == t.created_at
    assert created.actor is not None and created.actor.full_name == "Opened by 174"


def test_status_changes_and_waits_for_the_user_are_replayed_with_their_actors(
    servicenow_log: Path,
) -> None:
    run(servicenow_log)
    t = ticket("INC0000074")
    events = list(t.events.filter(action=EventAction.STATUS).select_related("actor"))
    assert [(e.old_value, e.new_value) for e in events] == [
        ("New", "In progress"),
        ("In progress", "Waiting for customer"),
        ("Waiting for customer", "Resolved"),
        ("Resolved", "Closed"),
    ]
    assert events[1].created_at == at("29/2/2016 08:38")
    assert events[1].actor is not None and events[1].actor.full_name == "Updated by 804"
    assert events[1].actor.is_agent


def test_a_reopen_is_counted_and_resolution_is_the_last_one(servicenow_log: Path) -> None:
    run(servicenow_log)
    t = ticket("INC0001155")
    assert t.reopen_count == 1
    statuses = [e.new_value for e in t.events.filter(action=EventAction.STATUS)]
    assert statuses == ["In progress", "Resolved", "In progress", "Resolved", "Closed"]
    assert t.resolved_at == at("25/4/2016 09:43")


def test_reassignments_and_priority_changes_are_events(servicenow_log: Path) -> None:
    run(servicenow_log)
    t = ticket("INC0000062")
    moves = t.events.filter(action=EventAction.GROUP)
    assert [(e.old_value, e.new_value) for e in moves] == [("Group 70", "Group 23")]
    assert t.reassignment_count == 1 and t.group.name == "Group 23"
    assert t.owner_group.name == "Group 70"
    fields = {e.field: (e.old_value, e.new_value) for e in t.events.filter(action="field")}
    assert fields == {"priority": ("3", "2"), "impact": ("2", "1")}
    assert (t.priority, t.impact, t.urgency) == (2, 1, 2)


def test_reassignments_the_source_counted_without_a_group_change_are_kept(
    servicenow_log: Path,
) -> None:
    run(servicenow_log)
    t = ticket("INC0000173")
    assert t.reassignment_count == 1
    assert t.events.filter(action=EventAction.GROUP).count() == 1


def test_resolvers_become_agents_in_their_groups(servicenow_log: Path) -> None:
    run(servicenow_log)
    for t in Ticket.objects.exclude(assignee=None).select_related("assignee", "group"):
        assert t.assignee is not None and t.assignee.is_agent
        assert SupportGroup.objects.filter(members=t.assignee).exists()
    assert ticket("INC0000074").assignee is not None


def test_a_phone_call_is_its_own_first_response(servicenow_log: Path) -> None:
    run(servicenow_log)
    phone = ticket("INC0000074")
    assert phone.first_response_at == phone.created_at
    web = ticket("INC0066611")
    assert web.first_response_at == at("16/9/2016 13:52")


def test_running_it_again_duplicates_nothing(servicenow_log: Path) -> None:
    run(servicenow_log)
    counts = (Ticket.objects.count(), TicketEvent.objects.count(), User.objects.count())
    out = run(servicenow_log)
    assert "imported now:           0" in out
    assert "already there:          6" in out
    assert (Ticket.objects.count(), TicketEvent.objects.count(), User.objects.count()) == counts


def test_a_killed_import_resumes_without_duplicates_or_half_written_incidents(
    servicenow_log: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = {"n": 0}
    real = ImportedRecord.objects.bulk_create

    def dies_in_the_third_batch(*args: object, **kwargs: object) -> object:
        calls["n"] += 1
        if calls["n"] == 3:  # after the batch's tickets and events were inserted
            raise KeyboardInterrupt
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(ImportedRecord.objects, "bulk_create", dies_in_the_third_batch)
    with pytest.raises(KeyboardInterrupt):
        run(servicenow_log, "--batch", "2")
    assert Ticket.objects.count() == ImportedRecord.objects.count() == 4
    assert not TicketEvent.objects.exclude(ticket__in=Ticket.objects.all()).exists()
    monkeypatch.setattr(ImportedRecord.objects, "bulk_create", real)
    out = run(servicenow_log, "--batch", "2")
    assert "imported now:           2" in out
    assert "already there:          4" in out
    assert Ticket.objects.count() == 6
    numbers = ImportedRecord.objects.values_list("external_id", flat=True)
    assert len(set(numbers)) == 6


def test_an_import_sends_nothing_and_queues_nothing(
    servicenow_log: Path, desk: object, django_capture_on_commit_callbacks: Any
) -> None:
    """No receiver of ticket events runs: nothing waits for the commit (mail, tasks,
    rules), no SLA clock starts for history, nobody is notified."""
    Calendar.default()  # a desk has one (the report facts read it; made here, SLA recomputes)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        run(servicenow_log)
    assert callbacks == []
    assert mail.outbox == []
    assert not SlaClock.objects.exists()
    assert not Notification.objects.exists()
    assert not OutboundMessage.objects.exists()


def test_imported_tickets_are_in_the_search_index(servicenow_log: Path) -> None:
    run(servicenow_log)
    ids = set(Ticket.objects.values_list("pk", flat=True))
    assert set(SearchEntry.objects.filter(kind="ticket").values_list("object_id", flat=True)) == ids


def test_a_dry_run_writes_nothing_and_finds_the_bad_rows(servicenow_log: Path) -> None:
    out = run(servicenow_log, "--dry-run")
    assert "Checked from servicenow-log" in out
    assert "bad rows skipped:       4" in out
    assert not Ticket.objects.exists() and not User.objects.exists()


def test_progress_is_reported_per_batch(servicenow_log: Path) -> None:
    seen: list[tuple[int, int]] = []
    directory = Directory(servicenow.SOURCE)
    clock = Clock("UTC", servicenow.DATE_FORMATS)
    with servicenow_log.open(encoding="utf-8") as stream:
        source = servicenow.source(stream, directory, clock)
        summary = run_import(source, directory, batch=4, progress=lambda d, t: seen.append((d, t)))
    assert seen == [(4, 6), (6, 6)]
    assert summary.reconciled


def test_a_file_that_is_not_a_servicenow_log_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(Exception, match="not a ServiceNow incident log"):
        run(path)


def test_imported_tickets_have_their_report_facts(servicenow_log: Path) -> None:
    run(servicenow_log)
    t = ticket("INC0001155")
    fact = TicketFact.objects.get(ticket=t)
    assert TicketFact.objects.count() == Ticket.objects.count()
    assert (fact.reopen_count, fact.resolved_at) == (1, t.resolved_at)
    assert TicketFact.objects.get(ticket=ticket("INC0000062")).hops == 1


def test_a_run_killed_before_the_facts_finishes_them_when_run_again(
    servicenow_log: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def killed(*args: object, **kwargs: object) -> int:
        raise KeyboardInterrupt

    with monkeypatch.context() as patch:
        patch.setattr(facts, "refresh", killed)
        with pytest.raises(KeyboardInterrupt):
            run(servicenow_log)
    assert Ticket.objects.count() == 6 and not TicketFact.objects.exists()
    out = run(servicenow_log)
    assert "already there:          6" in out
    assert "report facts and search index: 6 tickets" in out
    assert TicketFact.objects.count() == 6
    assert SearchEntry.objects.filter(kind="ticket").count() == 6


def test_an_imported_ticket_shows_its_history(servicenow_log: Path, desk: Any) -> None:
    run(servicenow_log)
    t = ticket("INC0000062")
    response = desk.client_for(desk.admin).get(t.get_absolute_url())
    assert response.status_code == 200
    page = response.content.decode()
    assert "Group 70" in page and "Group 23" in page
