"""Switching a ticket's kind: the status is mapped onto the new workflow (and its rules), and
the old number keeps working for links, search and mail threading."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.urls import reverse

from tuki.lib.errors import ServiceError
from tuki.mail.inbound.threads import ticket_by_subject
from tuki.tickets import access, guards, services
from tuki.tickets.models import Ticket, TicketAlias, TicketEvent


@pytest.fixture
def no_change_in_progress() -> Iterator[None]:
    """A rule of the change workflow, as the changes app registers them: no change is in
    progress without an approval (here: never)."""

    def check(ticket, old, new, actor):
        if new.key == "in_progress":
            raise ServiceError("No approval yet.", field="status", code="needs_approval")

    guards.register(guards.Guard("test-change", ("change",), check))
    yield
    guards.unregister("test-change")


def switch(desk, ticket: Ticket, kind: str) -> Ticket:
    return services.update_ticket(desk.operator, ticket, kind=kind)


class TestStatus:
    def test_a_status_the_new_workflow_has_is_kept(self, desk, incident):
        ticket = services.take_ticket(desk.operator, incident)
        assert ticket.status.key == "in_progress"
        ticket = switch(desk, ticket, "problem")
        ticket.refresh_from_db()
        assert (ticket.kind, ticket.status.key) == ("problem", "in_progress")
        assert ticket.number == f"PRB-{ticket.pk}"

    def test_a_status_the_new_workflow_lacks_is_mapped_and_the_ticket_can_still_be_resolved(
        self, desk, incident
    ):
        ticket = services.change_status(desk.operator, incident, "pending_customer")
        ticket = switch(desk, ticket, "problem")
        ticket.refresh_from_db()
        # Problems never wait for a customer: it waits for a supplier, still pending.
        assert ticket.status.key == "pending_supplier"
        moved = [
            (e.old_value, e.new_value)
            for e in TicketEvent.objects.filter(ticket=ticket, field="status").order_by("pk")
        ]
        assert moved[-1] == ("Waiting for customer", "Waiting for supplier")
        ticket = services.resolve_ticket(desk.operator, ticket, code="solved", resolution="x")
        assert ticket.status.category == "resolved"

    def test_the_new_kinds_rules_pick_the_status(self, desk, incident, no_change_in_progress):
        ticket = services.take_ticket(desk.operator, incident)
        ticket = switch(desk, ticket, "change")
        ticket.refresh_from_db()
        # In progress is a change status, but its rule refuses it: the first open one allowed.
        assert (ticket.kind, ticket.status.key) == ("change", "assigned")

    def test_when_no_status_is_allowed_the_switch_is_refused_and_nothing_is_written(
        self, desk, incident
    ):
        def never(ticket, old, new, actor):
            raise ServiceError("Never a change.", field="status", code="never")

        guards.register(guards.Guard("test-never", ("change",), never))
        try:
            with pytest.raises(ServiceError) as exc:
                switch(desk, incident, "change")
        finally:
            guards.unregister("test-never")
        assert exc.value.field == "kind"
        assert "Never a change." in exc.value.message
        incident.refresh_from_db()
        assert incident.kind == "incident"
        assert not TicketAlias.objects.exists()
        assert not TicketEvent.objects.filter(ticket=incident, field="kind").exists()

    def test_the_guards_are_asked_on_every_status_move(self, desk, incident):
        switch(desk, incident, "problem")
        seen = []
        guards.register(
            guards.Guard("test-seen", ("problem",), lambda t, o, n, a: seen.append(n.key))
        )
        try:
            ticket = Ticket.objects.get(pk=incident.pk)
            ticket = services.change_status(desk.operator, ticket, "in_progress")
            services.resolve_ticket(desk.operator, ticket, code="solved", resolution="x")
        finally:
            guards.unregister("test-seen")
        assert seen == ["in_progress", "resolved"]


class TestOldNumber:
    @pytest.fixture
    def switched(self, desk, incident) -> tuple[str, Ticket]:
        old = incident.number
        ticket = switch(desk, incident, "problem")
        return old, ticket

    def test_the_old_number_finds_the_ticket(self, desk, switched):
        old, ticket = switched
        assert access.get_ticket_for_user(desk.operator, old).pk == ticket.pk
        assert Ticket.objects.filter(Ticket.number_q(*Ticket.parse_number(old))).get() == ticket

    def test_the_old_number_does_not_find_another_ticket_with_that_prefix(self, desk, switched):
        old, ticket = switched
        other = services.create_ticket(desk.operator, title="Other", requester=desk.requester)
        with pytest.raises(Exception):  # noqa: B017 - Http404
            access.get_ticket_for_user(desk.operator, f"CHG-{other.pk}")

    def test_an_old_link_redirects_to_the_new_number(self, client, desk, switched):
        old, ticket = switched
        client.force_login(desk.operator)
        response = client.get(reverse("tickets:detail", args=[old]))
        assert response.status_code == 302
        assert response["Location"] == reverse("tickets:detail", args=[ticket.number])

    def test_a_requester_follows_an_old_link_in_the_portal(self, client, desk, switched):
        old, ticket = switched
        client.force_login(desk.requester)
        response = client.get(reverse("portal:detail", args=[old]))
        assert response.status_code in (200, 302)

    def test_a_mailed_reply_to_the_old_number_threads_onto_the_ticket(self, desk, switched):
        old, ticket = switched
        assert ticket_by_subject(f"Re: [{old}] VPN down").pk == ticket.pk

    def test_the_queue_search_jumps_from_the_old_number(self, client, desk, switched):
        old, ticket = switched
        client.force_login(desk.operator)
        response = client.get(reverse("tickets:queue"), {"q": old})
        assert response.status_code == 302
        follow = client.get(response["Location"])
        assert follow.status_code == 302
        assert follow["Location"] == reverse("tickets:detail", args=[ticket.number])

    def test_the_api_finds_the_ticket_by_its_old_number(self, client, desk, switched):
        old, ticket = switched
        client.force_login(desk.operator)
        response = client.get(f"/api/v1/tickets/{old}")
        assert response.status_code == 200, response.content
        assert response.json()["number"] == ticket.number

    def test_switching_back_and_forth_keeps_every_number(self, desk, switched):
        old, ticket = switched
        ticket = switch(desk, ticket, "change")
        assert set(TicketAlias.objects.values_list("prefix", flat=True)) == {"INC", "PRB"}
        for number in (old, f"PRB-{ticket.pk}", f"CHG-{ticket.pk}"):
            assert access.get_ticket_for_user(desk.operator, number).pk == ticket.pk
