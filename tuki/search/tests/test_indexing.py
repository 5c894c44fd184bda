"""Tickets are indexed from their events, after commit; `tuki search_reindex` rebuilds all."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from tuki.conftest import Desk
from tuki.search import documents, engine, queries
from tuki.search.models import SearchEntry
from tuki.search.tests.conftest import Library
from tuki.tickets import services
from tuki.tickets.models import Ticket

pytestmark = pytest.mark.django_db


def ticket_ids(user: object, q: str, *, public: bool = False) -> list[int]:
    allowed = {documents.TICKET: Ticket.objects.visible_to(user).values("pk")}
    return [h.object_id for h in engine.search(q, allowed=allowed, public_only=public)]


def test_a_new_ticket_is_found_after_commit(desk: Desk, django_capture_on_commit_callbacks) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        ticket = services.create_ticket(
            desk.requester, title="Monitor flickers", description="Dell U2720Q.",
            requester=desk.requester,
        )  # fmt: skip
    assert ticket_ids(desk.requester, "flickering monitor") == [ticket.pk]
    assert SearchEntry.objects.get(kind="ticket", object_id=ticket.pk).language == "en"


def test_replies_notes_and_edits_are_indexed(
    desk: Desk, incident: Ticket, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        services.add_comment(desk.operator, incident, "Firmware quokka update", internal=True)
        services.add_comment(desk.operator, incident, "Please restart the router.", internal=False)
        services.update_ticket(desk.operator, incident, title="Router keeps rebooting")
    assert ticket_ids(desk.operator, "quokka") == [incident.pk]
    assert ticket_ids(desk.requester, "quokka", public=True) == []
    assert ticket_ids(desk.requester, "restart router", public=True) == [incident.pk]
    assert ticket_ids(desk.operator, "rebooting") == [incident.pk]


def test_the_requesters_language_picks_the_stemmer(
    desk: Desk, django_capture_on_commit_callbacks
) -> None:
    desk.requester.language = "fi"
    desk.requester.save(update_fields=["language"])
    with django_capture_on_commit_callbacks(execute=True):
        ticket = services.create_ticket(
            desk.requester, title="Tulostimen paperitukos", description="", requester=desk.requester
        )
    assert ticket_ids(desk.requester, "tulostin") == [ticket.pk]


def test_events_without_text_do_not_reindex(desk: Desk, incident: Ticket) -> None:
    from tuki.search.receivers import changes_text

    for action, field, expected in [
        ("created", "", True),
        ("reply", "", True),
        ("note", "", True),
        ("field", "title", True),
        ("field", "priority", False),
        ("status", "status", False),
        ("assigned", "assignee", False),
    ]:
        event = incident.events.model(ticket=incident, action=action, field=field)
        assert changes_text(event) is expected


def test_a_deleted_ticket_leaves_the_index(desk: Desk, library: Library) -> None:
    pk = library.outsiders.pk
    library.outsiders.delete()
    assert not SearchEntry.objects.filter(kind="ticket", object_id=pk).exists()


def test_search_reindex_rebuilds_everything(desk: Desk, library: Library) -> None:
    SearchEntry.objects.all().delete()
    out = StringIO()
    call_command("search_reindex", stdout=out)
    assert "ticket: 3 documents" in out.getvalue() and "article: 6 documents" in out.getvalue()
    results, total = queries.run(desk.admin, queries.Filters(q="printer"), portal=False, limit=50)
    assert total == 7


def test_search_reindex_of_one_kind(desk: Desk, library: Library) -> None:
    out = StringIO()
    call_command("search_reindex", "--kind", "ticket", stdout=out)
    assert "article" not in out.getvalue()
