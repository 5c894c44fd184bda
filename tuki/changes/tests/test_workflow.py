"""No normal change reaches "scheduled" without its approvals, through any door: the
services, the ticket page, the API, bulk actions, automation rules, the kind switch."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from tuki.approvals import services as approvals
from tuki.changes import services
from tuki.changes.models import Change, ChangeType, TemplateState
from tuki.changes.tests.conftest import Board, approve
from tuki.conftest import Desk
from tuki.lib.errors import ServiceError
from tuki.tickets import services as tickets
from tuki.tickets.models import ActorKind, Kind, Status, Ticket


def status_of(change: Change) -> str:
    return Ticket.objects.get(pk=change.pk).status.key


def test_a_new_change_ticket_gets_its_detail_row_of_type_normal(desk: Desk) -> None:
    ticket = tickets.create_ticket(
        desk.operator, kind=Kind.CHANGE, title="x", requester=desk.operator
    )
    assert Change.objects.get(pk=ticket.pk).change_type == ChangeType.NORMAL


def test_a_ticket_switched_to_change_gets_its_detail_row(desk: Desk, incident: Ticket) -> None:
    tickets.update_ticket(desk.operator, incident, kind=Kind.CHANGE)
    assert Change.objects.filter(pk=incident.pk).exists()


def test_no_normal_change_reaches_scheduled_without_its_approvals(desk: Desk, board: Board) -> None:
    with pytest.raises(ServiceError) as error:
        tickets.change_status(desk.specialist, board.change.ticket, "scheduled")
    assert error.value.field == "status" and error.value.code == "approval_required"
    assert status_of(board.change) == "assigned"


def test_waiting_for_approval_by_hand_is_refused_with_a_pointer_to_the_cab(
    desk: Desk, board: Board
) -> None:
    with pytest.raises(ServiceError) as error:
        tickets.change_status(desk.specialist, board.change.ticket, "awaiting_approval")
    assert "Request CAB approval" in error.value.message
    assert status_of(board.change) == "assigned"


def test_the_cab_approval_schedules_the_change(desk: Desk, board: Board) -> None:
    approval = services.request_cab_approval(desk.specialist, board.change)
    assert approval.template == board.cab
    assert status_of(board.change) == "awaiting_approval"
    with pytest.raises(ServiceError):
        tickets.change_status(desk.specialist, board.change.ticket, "scheduled")
    approve(board.change, desk.lead)
    assert status_of(board.change) == "scheduled"
    ticket = Ticket.objects.get(pk=board.change.pk)
    tickets.change_status(desk.specialist, ticket, "in_progress")
    tickets.resolve_ticket(desk.specialist, Ticket.objects.get(pk=ticket.pk), code="solved")
    assert status_of(board.change) == "resolved"


def test_a_rejected_change_is_cancelled_and_stays_unscheduled(desk: Desk, board: Board) -> None:
    services.request_cab_approval(desk.specialist, board.change)
    step = board.change.ticket.approvals.get().steps.get(state="pending")
    approvals.decide(desk.lead, step, "reject", "Not now.")
    assert status_of(board.change) == "cancelled"


def test_after_a_rejection_a_new_approval_is_needed(desk: Desk, board: Board) -> None:
    services.request_cab_approval(desk.specialist, board.change)
    approvals.cancel_approval(desk.specialist, board.change.ticket.approvals.get())
    ticket = Ticket.objects.get(pk=board.change.pk)
    with pytest.raises(ServiceError):
        tickets.change_status(desk.specialist, ticket, "scheduled")
    assert status_of(board.change) == "assigned"


def test_cancelling_a_change_needs_no_approval(desk: Desk, board: Board) -> None:
    tickets.change_status(desk.specialist, board.change.ticket, "cancelled")
    assert status_of(board.change) == "cancelled"


def test_an_emergency_change_approved_by_the_cab_instead_of_the_ecab_is_refused(
    desk: Desk, board: Board
) -> None:
    services.update_change(desk.specialist, board.change, change_type=ChangeType.EMERGENCY)
    ticket = Ticket.objects.get(pk=board.change.pk)
    approvals.request_approval(desk.specialist, ticket, board.cab)  # the wrong board
    step = ticket.approvals.get().steps.get(state="pending")
    # The CAB's yes cannot move it on: the decision is refused, the change still waits.
    with pytest.raises(ServiceError) as error:
        approvals.decide(desk.lead, step, "approve")
    assert status_of(board.change) == "awaiting_approval"
    assert error.value.code == "ecab_required"


def test_an_emergency_change_asks_the_ecab_and_its_approval_schedules_it(
    desk: Desk, board: Board
) -> None:
    change = services.update_change(desk.specialist, board.change, change_type="emergency")
    approval = services.request_cab_approval(desk.specialist, change)
    assert approval.template == board.ecab
    approve(change, desk.admin)
    assert status_of(change) == "scheduled"


def test_a_standard_change_from_an_approved_template_is_scheduled_without_approval(
    desk: Desk, board: Board
) -> None:
    change = services.create_change(
        desk.specialist,
        title="Restart the relay",
        requester=desk.specialist,
        change_type="standard",
        template=board.template,
    )
    assert change.implementation_plan == "systemctl restart relay"
    assert change.ticket.group == desk.network_hel
    tickets.change_status(desk.specialist, Ticket.objects.get(pk=change.pk), "scheduled")
    assert status_of(change) == "scheduled"


def test_a_standard_change_whose_template_was_retired_is_not_scheduled(
    desk: Desk, board: Board
) -> None:
    change = services.create_change(
        desk.specialist,
        title="Restart the relay",
        requester=desk.specialist,
        change_type="standard",
        template=board.template,
    )
    services.set_template_state(desk.lead, board.template, TemplateState.RETIRED)
    with pytest.raises(ServiceError) as error:
        tickets.change_status(desk.specialist, Ticket.objects.get(pk=change.pk), "scheduled")
    assert "approved template" in error.value.message


def test_a_standard_change_without_a_template_is_refused(desk: Desk, board: Board) -> None:
    with pytest.raises(ServiceError) as error:
        services.create_change(
            desk.specialist, title="x", requester=desk.specialist, change_type="standard"
        )
    assert error.value.field == "template"
    with pytest.raises(ServiceError):
        services.update_change(desk.specialist, board.change, change_type="standard")


def test_the_ticket_page_door_refuses_scheduling_without_approval(desk: Desk, board: Board) -> None:
    client = desk.client_for(desk.specialist)
    response = client.post(
        reverse("tickets:set_status", args=[board.change.ticket.number]),
        {"status": "scheduled", "reason": ""},
    )
    assert response.status_code in (200, 302, 422)
    assert status_of(board.change) == "assigned"


def test_the_api_door_refuses_scheduling_without_approval(desk: Desk, board: Board) -> None:
    client = desk.client_for(desk.specialist)
    response = client.post(
        f"/api/v1/tickets/{board.change.ticket.number}/status",
        data=json.dumps({"status": "scheduled"}),
        content_type="application/json",
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "status"]
    assert status_of(board.change) == "assigned"


def test_the_bulk_door_refuses_closing_a_change_that_was_never_approved(
    desk: Desk, board: Board
) -> None:
    # A change moved to Resolved before the guard existed (old data).
    Ticket.objects.filter(pk=board.change.pk).update(status=Status.objects.get(key="resolved"))
    done, failed = tickets.bulk_apply(
        desk.specialist, [Ticket.objects.get(pk=board.change.pk)], "close"
    )
    assert done == 0 and len(failed) == 1
    assert status_of(board.change) == "resolved"


def test_the_automation_door_refuses_scheduling_without_approval(desk: Desk, board: Board) -> None:
    with tickets.acting_as(ActorKind.RULE, "Schedule every change"):
        with pytest.raises(ServiceError):
            tickets.change_status(None, board.change.ticket, "scheduled")
    assert status_of(board.change) == "assigned"


def test_the_kind_switch_door_never_makes_an_unapproved_change_in_progress(
    desk: Desk, incident: Ticket
) -> None:
    Ticket.objects.filter(pk=incident.pk).update(status=Status.objects.get(key="in_progress"))
    tickets.update_ticket(desk.operator, Ticket.objects.get(pk=incident.pk), kind=Kind.CHANGE)
    ticket = Ticket.objects.get(pk=incident.pk)
    # In progress is a change status, but not without an approval: the first open status
    # the workflow allows.
    assert (ticket.kind, ticket.status.key) == (Kind.CHANGE, "assigned")
    assert Change.objects.get(pk=incident.pk).change_type == "normal"
