"""`tuki import tickets FILE --map column=field`: one ticket per row."""

from __future__ import annotations

from datetime import datetime
from io import StringIO
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tuki.accounts.models import SupportGroup, User
from tuki.imports.models import ImportedRecord
from tuki.tickets.models import EventAction, Ticket, TicketEvent

pytestmark = pytest.mark.django_db
HELSINKI = ZoneInfo("Europe/Helsinki")
MAPPING = [
    "Id=external_id",
    "Subject=title",
    "Body=description",
    "From=requester",
    "Name=requester_name",
    "Company=organisation",
    "Team=group",
    "Agent=assignee",
    "Area=category",
    "Prio=priority",
    "State=status",
    "Source=channel",
    "Opened=created_at",
    "Solved=resolved_at",
    "Closed=closed_at",
]


def run(path: Path, *args: str) -> str:
    out = StringIO()
    maps = [a for m in MAPPING for a in ("--map", m)]
    call_command(
        "import",
        "tickets",
        str(path),
        "--no-progress",
        "--time-zone",
        "Europe/Helsinki",
        *maps,
        *args,
        stdout=out,
    )
    return out.getvalue()


def ticket(external_id: str) -> Ticket:
    return ImportedRecord.objects.get(source="tickets", external_id=external_id).ticket


def test_rows_become_tickets_with_their_people_groups_and_categories(tickets_csv: Path) -> None:
    out = run(tickets_csv)
    assert "tickets in the source:  3" in out and "imported now:           3" in out
    t = ticket("T-1")
    assert t.title == "VPN drops every hour"
    assert t.requester.email == "maria@acme.example" and not t.requester.is_agent
    assert t.requester.full_name == "Maria Popescu"
    assert t.organisation is not None and t.organisation.name == "Acme"
    assert t.group.name == "Network Helsinki"
    assert t.assignee is not None and t.assignee.is_agent
    assert SupportGroup.objects.get(name="Network Helsinki").members.filter(pk=t.assignee.pk)
    assert t.category is not None and t.category.path == "Network › VPN"
    assert (t.priority, t.channel, t.status.key) == (2, "email", "closed")
    assert t.created_at == datetime(2025, 3, 3, 9, 15, tzinfo=HELSINKI)
    assert t.resolved_at == datetime(2025, 3, 3, 11, 45, tzinfo=HELSINKI)
    assert t.closed_at == datetime(2025, 3, 6, 12, tzinfo=HELSINKI)
    statuses = [(e.old_value, e.new_value, e.created_at) for e in t.events.filter(action="status")]
    assert statuses == [
        ("New", "Resolved", t.resolved_at),
        ("Resolved", "Closed", t.closed_at),
    ]
    assert ticket("T-2").status.key == "pending_customer"
    assert ticket("T-2").group.name == "Service desk"  # no team: the default desk
    assert ticket("T-3").channel == "web"
    assert ticket("T-3").events.get().action == EventAction.CREATED


def test_bad_rows_are_reported_by_line_and_skipped(tickets_csv: Path) -> None:
    out = run(tickets_csv)
    assert "bad rows skipped:       7" in out
    assert "line 5: no title or no requester" in out
    assert "line 6: unreadable date 'yesterday'" in out
    assert "line 7: unknown status 'Exploded'" in out
    assert "line 8: priority 9 out of range 1-5" in out
    assert "line 9: unknown channel 'fax'" in out
    assert "line 10: requester 'not-an-email' is not an email address" in out
    assert "line 11: external id 'T-3' repeated" in out
    assert not User.objects.filter(email__startswith="ana").exists()


def test_running_it_again_duplicates_nothing(tickets_csv: Path) -> None:
    run(tickets_csv)
    counts = Ticket.objects.count(), TicketEvent.objects.count(), User.objects.count()
    out = run(tickets_csv)
    assert "already there:          3" in out
    assert (Ticket.objects.count(), TicketEvent.objects.count(), User.objects.count()) == counts


def test_a_mapping_to_an_unknown_field_or_column_is_refused(tickets_csv: Path) -> None:
    with pytest.raises(CommandError, match="COLUMN=FIELD"):
        run(tickets_csv, "--map", "Subject=headline")
    with pytest.raises(CommandError, match="no column Nope"):
        run(tickets_csv, "--map", "Nope=title")
    assert not Ticket.objects.exists()


def test_columns_named_like_fields_need_no_mapping(tmp_path: Path) -> None:
    path = tmp_path / "plain.csv"
    path.write_text(
        "title,requester,created_at,status,priority\n"
        "Mouse broken,ion@acme.example,2025-01-02T10:00:00+00:00,in progress,1 - Critical\n",
        encoding="utf-8",
    )
    out = StringIO()
    call_command("import", "tickets", str(path), "--no-progress", stdout=out)
    t = ticket("line-2")
    assert (t.title, t.priority, t.status.key) == ("Mouse broken", 1, "in_progress")


def test_a_bad_time_zone_or_source_is_refused(tickets_csv: Path) -> None:
    with pytest.raises(CommandError, match="Mars/Olympus"):
        run(tickets_csv, "--time-zone", "Mars/Olympus")
    with pytest.raises(CommandError, match="--source"):
        run(tickets_csv, "--source", "x" * 51)
    assert not Ticket.objects.exists()
