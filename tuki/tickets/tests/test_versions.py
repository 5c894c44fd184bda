"""Ticket versions: every change of a field, the status or the assignment moves the version
on; a writer who saw an older version is refused ("stale"); a ticket someone else has cannot
be taken ("taken"). Over the API: ETag, If-Match, 412 and 409."""

from __future__ import annotations

import threading

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection, connections

from tuki.lib.errors import ServiceError
from tuki.tickets import services
from tuki.tickets.models import Ticket, TicketEvent, TicketLink
from tuki.tickets.tests.test_api_support import API, get, patch, post, token_client


def version_of(ticket: Ticket) -> int:
    return Ticket.objects.values_list("version", flat=True).get(pk=ticket.pk)


class TestVersions:
    def test_a_new_ticket_is_version_1_and_its_events_too(self, desk, incident):
        assert incident.version == 1 == version_of(incident)
        assert set(incident.events.values_list("version", flat=True)) == {1}

    def test_a_field_edit_moves_the_version_on_and_the_returned_ticket_has_it(self, desk, incident):
        edited = services.update_ticket(desk.operator, incident, title="VPN down for all")
        assert edited.version == 2 == version_of(incident)
        event = incident.events.get(field="title")
        assert event.version == 2

    def test_tags_custom_status_and_assignment_move_it_on(self, desk, escalated):
        start = version_of(escalated)
        services.update_ticket(desk.specialist, escalated, tags=["vpn"])
        assert version_of(escalated) == start + 1
        services.assign_ticket(desk.specialist, escalated, assignee=desk.lead)
        assert version_of(escalated) == start + 2
        services.change_status(desk.specialist, escalated, "in_progress")
        assert version_of(escalated) == start + 3

    def test_a_comment_alone_leaves_the_version(self, desk, escalated):
        start = version_of(escalated)
        services.add_comment(desk.specialist, escalated, "Looking", internal=True)
        assert version_of(escalated) == start

    def test_an_edit_that_changes_nothing_leaves_the_version(self, desk, incident):
        services.update_ticket(desk.operator, incident, title=incident.title)
        assert version_of(incident) == 1

    def test_record_event_with_touch_moves_it_on_from_a_stale_object(self, desk, incident):
        stale = Ticket.objects.get(pk=incident.pk)
        services.update_ticket(desk.operator, incident, title="Changed")
        event = services.record_event(stale, desk.operator, "field", field="tags", touch=True)
        assert version_of(incident) == 3 == stale.version == event.version


class TestExpectedVersion:
    def test_the_current_version_passes(self, desk, incident):
        edited = services.update_ticket(
            desk.operator, incident, title="Printer on fire", expected_version=1
        )
        assert edited.title == "Printer on fire"

    def test_an_older_version_is_refused_with_what_changed(self, desk, incident):
        services.update_ticket(desk.operator, incident, title="First", urgency=1)
        with pytest.raises(services.StaleTicket) as refused:
            services.update_ticket(desk.operator, incident, title="Second", expected_version=1)
        assert refused.value.code == "stale"
        assert refused.value.version == 2
        assert refused.value.changed == ["title", "urgency", "priority"]
        assert Ticket.objects.get(pk=incident.pk).title == "First"

    @pytest.mark.parametrize(
        "write",
        [
            lambda d, t: services.change_status(d.specialist, t, "in_progress", expected_version=1),
            lambda d, t: services.resolve_ticket(
                d.specialist, t, code="solved", expected_version=1
            ),
            lambda d, t: services.assign_ticket(
                d.specialist, t, assignee=d.lead, expected_version=1
            ),
            lambda d, t: services.take_ticket(d.specialist, t, expected_version=1),
            lambda d, t: services.escalate_ticket(
                d.specialist, t, to_manager=True, expected_version=1
            ),
            lambda d, t: services.add_comment(
                d.specialist, t, "x", internal=True, expected_version=1
            ),
        ],
        ids=["status", "resolve", "assign", "take", "escalate", "comment"],
    )
    def test_every_write_checks_it(self, desk, escalated, write):
        assert version_of(escalated) > 1  # escalating it moved it on
        with pytest.raises(ServiceError) as refused:
            write(desk, escalated)
        assert refused.value.code == "stale"


class TestTake:
    def test_taking_a_ticket_someone_else_has_is_refused_naming_them(self, desk, escalated):
        services.take_ticket(desk.lead, escalated)
        with pytest.raises(ServiceError) as refused:
            services.take_ticket(desk.specialist, escalated)
        assert refused.value.code == "taken"
        assert str(desk.lead) in refused.value.message
        assert "took this ticket" in refused.value.message
        assert Ticket.objects.get(pk=escalated.pk).assignee == desk.lead

    def test_taking_ones_own_ticket_again_is_fine(self, desk, escalated):
        services.take_ticket(desk.specialist, escalated)
        again = services.take_ticket(desk.specialist, escalated)
        assert again.assignee == desk.specialist

    def test_a_deliberate_assignment_over_someone_else_remains_possible(self, desk, escalated):
        services.take_ticket(desk.lead, escalated)
        moved = services.assign_ticket(desk.specialist, escalated, assignee=desk.specialist)
        assert moved.assignee == desk.specialist

    def test_given_by_someone_else_the_message_says_assigned(self, desk, escalated):
        services.assign_ticket(desk.specialist, escalated, assignee=desk.lead)
        with pytest.raises(ServiceError) as refused:
            services.take_ticket(desk.specialist, escalated)
        assert "was assigned this ticket" in refused.value.message


def _race(*calls):
    """Run the calls at once, each in its own thread (its own connection)."""
    barrier = threading.Barrier(len(calls))
    results: list[object] = [None] * len(calls)

    def run(i, call):
        try:
            barrier.wait()
            results[i] = call()
        except BaseException as exc:
            results[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_agents_taking_at_once_one_wins(desk, escalated):
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL")
    results = _race(
        lambda: services.take_ticket(desk.specialist, escalated),
        lambda: services.take_ticket(desk.lead, escalated),
    )
    won = [r for r in results if isinstance(r, Ticket)]
    lost = [r for r in results if isinstance(r, ServiceError)]
    assert len(won) == 1 and len(lost) == 1, results
    assert lost[0].code == "taken"
    winner = won[0].assignee
    assert Ticket.objects.get(pk=escalated.pk).assignee == winner
    assert TicketEvent.objects.filter(ticket=escalated, field="assignee").count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_edits_of_the_same_version_one_passes(desk, incident):
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL")
    results = _race(
        lambda: services.update_ticket(desk.operator, incident, title="A", expected_version=1),
        lambda: services.update_ticket(desk.admin, incident, title="B", expected_version=1),
    )
    assert sorted(type(r).__name__ for r in results) == ["StaleTicket", "Ticket"], results
    assert version_of(incident) == 2


# --- the API ---------------------------------------------------------------------------------


@pytest.fixture
def specialist(desk):
    return token_client(desk.specialist)


def _path(ticket: Ticket) -> str:
    return f"/tickets/{ticket.number}"


class TestApi:
    def test_get_answers_the_version_as_etag_and_in_the_body(self, desk, escalated, specialist):
        response = get(specialist, _path(escalated))
        version = version_of(escalated)
        assert response["ETag"] == f'"{version}"'
        assert response.json()["version"] == version

    def test_a_write_with_the_current_etag_passes_and_answers_the_new_one(
        self, desk, escalated, specialist
    ):
        etag = get(specialist, _path(escalated))["ETag"]
        response = specialist.patch(
            API + _path(escalated),
            {"title": "New title"},
            content_type="application/json",
            headers={"If-Match": etag},
        )
        assert response.status_code == 200, response.content
        assert response["ETag"] == f'"{version_of(escalated)}"' != etag
        assert response.json()["version"] == version_of(escalated)

    def test_an_old_etag_is_a_412_with_the_current_version_and_what_changed(
        self, desk, escalated, specialist
    ):
        etag = get(specialist, _path(escalated))["ETag"]
        services.update_ticket(desk.lead, escalated, title="Theirs")
        response = specialist.patch(
            API + _path(escalated),
            {"title": "Mine"},
            content_type="application/json",
            headers={"If-Match": etag},
        )
        assert response.status_code == 412, response.content
        body = response.json()
        assert "changed since" in body["detail"]
        assert body["version"] == version_of(escalated)
        assert body["changed"] == ["title"]
        assert response["ETag"] == f'"{body["version"]}"'
        assert Ticket.objects.get(pk=escalated.pk).title == "Theirs"

    @pytest.mark.parametrize(
        "action, body",
        [
            ("status", {"status": "in_progress"}),
            ("resolve", {"code": "solved"}),
            ("take", {}),
            ("escalate", {"to_manager": True}),
            ("comments", {"body": "hello", "internal": True}),
        ],
    )
    def test_every_action_honours_if_match(self, desk, escalated, specialist, action, body):
        response = specialist.post(
            f"{API}{_path(escalated)}/{action}",
            body,
            content_type="application/json",
            headers={"If-Match": '"1"'},
        )
        assert response.status_code == 412, response.content
        assert response.json()["version"] == version_of(escalated)

    @pytest.mark.parametrize("header", ["*", " * "])
    def test_if_match_star_passes(self, desk, escalated, specialist, header):
        response = specialist.post(
            f"{API}{_path(escalated)}/take",
            content_type="application/json",
            headers={"If-Match": header},
        )
        assert response.status_code == 200, response.content

    @pytest.mark.parametrize("header", ["abc", 'W/"3"', '"3', '""', '"-1"', "9" * 40, '"٣"'])
    def test_a_malformed_if_match_is_a_400_with_a_message(
        self, desk, escalated, specialist, header
    ):
        response = specialist.post(
            f"{API}{_path(escalated)}/take",
            content_type="application/json",
            headers={"If-Match": header},
        )
        assert response.status_code == 400, response.content
        assert "If-Match" in response.json()["detail"]
        assert Ticket.objects.get(pk=escalated.pk).assignee is None

    @pytest.mark.parametrize("action", ["links", "merge"])
    def test_links_and_merges_honour_if_match_of_the_ticket_in_the_path(
        self, desk, escalated, action
    ):
        other = services.create_ticket(desk.operator, title="Other", requester=desk.requester)
        body = {"target": other.number, "type": "related", "into": other.number}
        response = token_client(desk.operator).post(
            f"{API}{_path(escalated)}/{action}",
            body,
            content_type="application/json",
            headers={"If-Match": '"1"'},
        )
        assert response.status_code == 412, response.content
        assert not TicketLink.objects.filter(source=escalated).exists()
        assert Ticket.objects.get(pk=escalated.pk).merged_into is None

    def test_two_takes_are_200_then_409_naming_who_took_it(self, desk, escalated, specialist):
        first = post(token_client(desk.lead), f"{_path(escalated)}/take")
        assert first.status_code == 200, first.content
        second = post(specialist, f"{_path(escalated)}/take")
        assert second.status_code == 409, second.content
        assert str(desk.lead) in second.json()["detail"]
        assert Ticket.objects.get(pk=escalated.pk).assignee == desk.lead

    def test_a_comment_answers_the_unchanged_etag(self, desk, escalated, specialist):
        version = version_of(escalated)
        response = specialist.post(
            f"{API}{_path(escalated)}/comments",
            {"body": "note", "internal": True},
            content_type="application/json",
            headers={"If-Match": f'"{version}"'},
        )
        assert response.status_code == 201, response.content
        assert response["ETag"] == f'"{version}"'

    def test_without_if_match_writes_as_before(self, desk, escalated, specialist):
        services.update_ticket(desk.lead, escalated, title="Changed meanwhile")
        response = patch(specialist, _path(escalated), {"urgency": 1})
        assert response.status_code == 200, response.content

    @pytest.mark.parametrize("role", ["requester", "other_agent", "outsider"])
    def test_if_match_reveals_nothing_of_an_invisible_ticket(self, desk, escalated, role):
        client = token_client(getattr(desk, role))
        response = client.post(
            f"{API}{_path(escalated)}/take",
            content_type="application/json",
            headers={"If-Match": '"1"'},
        )
        assert response.status_code in (403, 404)
        if role != "requester":
            assert response.status_code == 404


def test_a_requester_cannot_take(desk, escalated):
    with pytest.raises(PermissionDenied):
        services.take_ticket(desk.requester, escalated)
