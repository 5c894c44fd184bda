import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied

from tuki.tickets import services
from tuki.tickets.models import Ticket, TicketEvent


def actions(ticket: Ticket) -> list[str]:
    return list(TicketEvent.objects.filter(ticket=ticket).values_list("action", flat=True))


class TestCreate:
    def test_the_registering_desk_owns_the_ticket_and_works_it_first(self, desk, incident):
        assert incident.owner_group == desk.service_desk
        assert incident.owner == desk.operator
        assert incident.group == desk.service_desk
        assert incident.status.key == "new"
        assert incident.number == f"INC-{incident.pk}"
        assert incident.organisation == desk.acme
        assert incident.priority == 3  # impact 2 × urgency 2 in the default matrix
        assert actions(incident) == ["created"]

    def test_a_blank_title_is_refused_and_nothing_is_written(self, desk):
        with pytest.raises(services.ServiceError) as exc:
            services.create_ticket(desk.operator, title="  ", requester=desk.requester)
        assert exc.value.field == "title"
        assert Ticket.objects.count() == 0

    def test_a_requester_cannot_file_for_someone_else(self, desk):
        with pytest.raises(PermissionDenied):
            services.create_ticket(desk.requester, title="x", requester=desk.colleague)


class TestStory:
    def test_escalation_moves_the_work_but_not_the_ownership(self, desk, escalated):
        assert escalated.group == desk.network_hel
        assert escalated.owner_group == desk.service_desk
        assert escalated.status.key == "assigned"
        assert escalated.reassignment_count == 1
        assert "escalated" in actions(escalated)

    def test_a_specialist_without_requester_contact_can_only_note(self, desk, escalated):
        with pytest.raises(services.ServiceError) as exc:
            services.add_comment(desk.specialist, escalated, "Hello user", internal=False)
        assert exc.value.code == "no_public_reply"
        services.add_comment(desk.specialist, escalated, "Router reset", internal=True)
        assert escalated.comments.get().is_internal

    def test_full_lifecycle_records_every_step(
        self, desk, escalated, django_capture_on_commit_callbacks
    ):
        ticket = services.take_ticket(desk.specialist, escalated)
        assert ticket.assignee == desk.specialist and ticket.status.key == "in_progress"
        services.add_comment(desk.specialist, ticket, "Replaced the switch port", internal=True)
        with django_capture_on_commit_callbacks(execute=True):
            ticket = services.resolve_ticket(
                desk.specialist, ticket, code="solved", resolution="Switch port replaced"
            )
        assert ticket.status.category == "resolved" and ticket.resolved_at
        assert mail.outbox and f"[{ticket.number}]" in mail.outbox[-1].subject
        services.add_comment(desk.operator, ticket, "Does the VPN work now?")
        ticket.refresh_from_db()
        assert ticket.first_response_at is not None
        services.add_comment(desk.requester, ticket, "Yes, thank you!")
        ticket = services.close_ticket(desk.requester, ticket)
        assert ticket.status.key == "closed" and ticket.closed_at
        assert actions(ticket) == [
            "created",
            "escalated",
            "status",
            "assigned",
            "status",
            "note",
            "status",
            "resolution",
            "reply",
            "reply",
            "status",
        ]

    def test_reopen_counts_and_clears_resolution_time(self, desk, escalated):
        ticket = services.resolve_ticket(desk.specialist, escalated, code="workaround")
        ticket = services.reopen_ticket(desk.requester, ticket, reason="Broken again")
        assert ticket.reopen_count == 1 and ticket.resolved_at is None and ticket.is_active


class TestWorkflow:
    def test_a_closed_ticket_cannot_jump_back_to_new(self, desk, incident):
        ticket = services.resolve_ticket(desk.operator, incident, code="first_contact")
        ticket = services.close_ticket(desk.operator, ticket)
        with pytest.raises(services.ServiceError) as exc:
            services.change_status(desk.operator, ticket, "new")
        assert exc.value.code == "transition_not_allowed"

    def test_requester_reply_wakes_a_pending_ticket(self, desk, incident):
        services.change_status(desk.operator, incident, "pending_customer")
        services.add_comment(desk.requester, incident, "Here is the screenshot")
        incident.refresh_from_db()
        assert incident.status.category == "open"

    def test_priority_follows_impact_and_urgency(self, desk, incident):
        ticket = services.update_ticket(desk.operator, incident, impact=1, urgency=1)
        assert ticket.priority == 1
        assert TicketEvent.objects.filter(ticket=ticket, field="priority").exists()

    def test_merge_closes_the_duplicate_and_keeps_its_requester_informed(self, desk, incident):
        dup = services.create_ticket(desk.operator, title="VPN again", requester=desk.colleague)
        target = services.merge_tickets(desk.operator, dup, incident)
        dup.refresh_from_db()
        assert dup.merged_into == target and dup.status.category == "closed"
        assert desk.colleague in target.watchers.all()


class TestSignals:
    def test_other_apps_hear_of_each_event_inside_and_after_the_transaction(
        self, desk, django_capture_on_commit_callbacks
    ):
        from tuki.tickets import signals

        inside, after = [], []

        def on_recorded(event, **kwargs):
            inside.append(event.action)

        def on_committed(event, **kwargs):
            after.append(event.action)

        signals.event_recorded.connect(on_recorded)
        signals.event_committed.connect(on_committed)
        try:
            with django_capture_on_commit_callbacks(execute=True):
                services.create_ticket(desk.operator, title="Printer", requester=desk.requester)
                assert inside == ["created"] and after == []
            assert after == ["created"]
        finally:
            signals.event_recorded.disconnect(on_recorded)
            signals.event_committed.disconnect(on_committed)
