"""Change services: edits as ticket events, the risk (rules and questionnaire), outcome and
review, caused incidents, success scores, templates and the advisory boards."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from tuki.changes import risk, scores, services
from tuki.changes.models import Change, ChangeSettings, Risk, TemplateState
from tuki.changes.tests.conftest import Board, approve
from tuki.cmdb import services as cmdb
from tuki.cmdb.models import CIAttribute, CIClass
from tuki.cmdb.tests.conftest import ensure_classes
from tuki.conftest import Desk
from tuki.lib.errors import ServiceError
from tuki.tickets import services as tickets
from tuki.tickets.models import EventAction, Kind, Ticket, TicketEvent


def implemented(desk: Desk, change: Change) -> Change:
    """Approved by the CAB, implemented and resolved."""
    services.request_cab_approval(desk.specialist, change)
    approve(change, desk.lead)
    ticket = Ticket.objects.get(pk=change.pk)
    tickets.change_status(desk.specialist, ticket, "in_progress")
    tickets.resolve_ticket(desk.specialist, Ticket.objects.get(pk=change.pk), code="solved")
    return Change.objects.select_related("ticket__status").get(pk=change.pk)


def new_change(desk: Desk, title: str = "Patch", **fields) -> Change:
    return services.create_change(
        desk.specialist, title=title, requester=desk.specialist, group=desk.network_hel, **fields
    )


def test_each_edited_field_is_an_event_in_the_ticket_timeline(desk: Desk, board: Board) -> None:
    services.update_change(
        desk.specialist, board.change, backout_plan="Roll back the image.", test_plan="Ping."
    )
    fields = set(
        TicketEvent.objects.filter(ticket_id=board.change.pk, action=EventAction.FIELD).values_list(
            "field", flat=True
        )
    )
    assert {"change_backout_plan", "change_test_plan"} <= fields
    assert "change_implementation_plan" not in fields


def test_an_unknown_field_is_refused_by_name(desk: Desk, board: Board) -> None:
    with pytest.raises(ServiceError) as error:
        services.update_change(desk.specialist, board.change, planned_start=timezone.now())
    assert error.value.field == "planned_start"


def test_an_agent_who_cannot_see_the_change_cannot_edit_it(desk: Desk, board: Board) -> None:
    with pytest.raises(PermissionDenied):
        services.update_change(desk.other_agent, board.change, test_plan="x")


def test_a_requester_cannot_register_a_change(desk: Desk) -> None:
    with pytest.raises(PermissionDenied):
        services.create_change(desk.requester, title="x", requester=desk.requester)


def test_the_risk_is_the_questionnaire_when_it_is_higher_than_the_rules(
    desk: Desk, board: Board
) -> None:
    change = services.update_change(
        desk.specialist, board.change, questionnaire={"backout": "no", "tested": "yes"}
    )
    assert change.risk == Risk.VERY_HIGH
    texts = [risk.reason_text(r) for r in change.risk_reasons]
    assert any("Can the change be backed out?" in t and t.startswith("Very high") for t in texts)
    assert TicketEvent.objects.filter(ticket_id=change.pk, field="change_risk").exists()


def test_an_unknown_answer_is_refused(desk: Desk, board: Board) -> None:
    with pytest.raises(ServiceError) as error:
        services.update_change(desk.specialist, board.change, questionnaire={"backout": "maybe"})
    assert error.value.field == "questionnaire.backout"


def test_an_emergency_change_is_at_least_high(desk: Desk, board: Board) -> None:
    change = services.update_change(desk.specialist, board.change, change_type="emergency")
    assert change.risk == Risk.HIGH
    assert risk.reason_text(change.risk_reasons[0]) == "High: an emergency change"


def test_a_critical_item_and_the_business_services_it_reaches_raise_the_risk(
    desk: Desk, board: Board
) -> None:
    ensure_classes()
    server = CIClass.objects.get(key="server")
    CIAttribute.objects.create(ci_class=server, key="criticality", label="Criticality", type="text")
    db = cmdb.create_item(
        desk.admin, name="db-01", ci_class=server, attributes={"criticality": "critical"}
    )
    shop = cmdb.create_item(
        desk.admin, name="Web shop", ci_class=CIClass.objects.get(key="business_service")
    )
    cmdb.add_relation(desk.admin, shop, "depends_on", db)
    cmdb.name_affected(desk.specialist, board.change.ticket, [db])
    change = Change.objects.get(pk=board.change.pk)  # the receiver assessed it again
    texts = [risk.reason_text(r) for r in change.risk_reasons]
    assert change.risk == Risk.VERY_HIGH
    assert "Very high: the item db-01 has criticality critical" in texts
    assert any(t.startswith("Moderate: the impact analysis reaches 1 business") for t in texts)


def test_failed_similar_changes_raise_the_risk(desk: Desk, board: Board) -> None:
    for outcome in ("failed", "backed_out", "successful"):
        done = implemented(desk, new_change(desk, category=desk.vpn))
        services.record_outcome(desk.specialist, done, outcome=outcome)
    change = new_change(desk, title="Another VPN change", category=desk.vpn)
    texts = [risk.reason_text(r) for r in change.risk_reasons]
    assert "High: 2 of the last 3 similar changes failed" in texts
    assert change.risk == Risk.HIGH


def test_the_outcome_waits_for_the_resolution_and_the_review_for_the_outcome(
    desk: Desk, board: Board
) -> None:
    with pytest.raises(ServiceError) as error:
        services.record_outcome(desk.specialist, board.change, outcome="successful")
    assert error.value.code == "not_resolved"
    change = implemented(desk, board.change)
    with pytest.raises(ServiceError) as error:
        services.save_review(desk.specialist, change, review="Went fine.")
    assert error.value.field == "review"
    services.record_outcome(desk.specialist, change, outcome="with_issues", notes="Slow reboot.")
    reviewed = services.save_review(desk.lead, change, review="Plan a longer window.")
    assert reviewed.reviewed_by == desk.lead and reviewed.reviewed_at is not None
    assert reviewed.outcome == "with_issues"


def test_an_incident_caused_by_a_change_is_linked_to_it(
    desk: Desk, board: Board, escalated: Ticket
) -> None:
    incident = escalated
    link = services.add_caused_incident(desk.specialist, board.change, incident)
    assert (link.source, link.target, link.type) == (incident, board.change.ticket, "caused_by")
    with pytest.raises(ServiceError):
        services.add_caused_incident(desk.specialist, board.change, board.change.ticket)


def test_the_success_score_counts_successful_changes_that_caused_no_incident(
    desk: Desk, board: Board, escalated: Ticket
) -> None:
    incident = escalated
    good = implemented(desk, new_change(desk, "Good"))
    services.record_outcome(desk.specialist, good, outcome="successful")
    caused = implemented(desk, new_change(desk, "Caused one"))
    services.record_outcome(desk.specialist, caused, outcome="successful")
    services.add_caused_incident(desk.specialist, caused, incident)
    failed = implemented(desk, new_change(desk, "Failed"))
    services.record_outcome(desk.specialist, failed, outcome="failed")
    now = timezone.now()
    result = scores.scores(desk.specialist, now - timedelta(days=1), now + timedelta(days=1))
    assert (result.total, result.successful) == (3, 1)
    network = next(s for s in result.groups if s.name == "Network Helsinki")
    assert network.score == pytest.approx(33.3)
    # Another group's agent sees none of Network's restricted changes; these are not.
    assert scores.scores(desk.requester, now - timedelta(days=1), now).total == 0


def test_a_template_is_approved_by_a_change_manager_only(desk: Desk, board: Board) -> None:
    template = services.create_template(
        desk.specialist, name="Renew a certificate", implementation_plan="certbot renew"
    )
    assert template.state == TemplateState.DRAFT
    with pytest.raises(PermissionDenied):
        services.set_template_state(desk.specialist, template, TemplateState.APPROVED)
    approved = services.set_template_state(desk.lead, template, TemplateState.APPROVED)
    assert approved.approved_by == desk.lead
    # Changing what it does returns it to draft.
    again = services.update_template(desk.specialist, approved, implementation_plan="other")
    assert again.state == TemplateState.DRAFT


def test_a_template_name_is_unique(desk: Desk, board: Board) -> None:
    with pytest.raises(ServiceError) as error:
        services.create_template(desk.specialist, name="restart the MAIL relay")
    assert error.value.field == "name"


def test_without_a_board_the_cab_cannot_be_asked(desk: Desk, board: Board) -> None:
    services.save_settings(desk.admin, cab=None, ecab=board.ecab)
    with pytest.raises(ServiceError) as error:
        services.request_cab_approval(desk.specialist, board.change)
    assert error.value.code == "no_board"
    assert ChangeSettings.load().ecab == board.ecab


def test_only_administrators_choose_the_boards(desk: Desk, board: Board) -> None:
    with pytest.raises(PermissionDenied):
        services.save_settings(desk.lead, cab=None, ecab=None)


def test_a_change_made_through_tickets_shows_in_the_change_list(desk: Desk) -> None:
    ticket = tickets.create_ticket(
        desk.operator, kind=Kind.CHANGE, title="x", requester=desk.operator
    )
    assert Change.objects.filter(pk=ticket.pk, risk__isnull=True).exists()


def test_the_data_migration_gives_older_change_tickets_their_detail_once(desk: Desk) -> None:
    import importlib

    from django.apps import apps

    from tuki.tickets.models import StatusTransition

    ticket = tickets.create_ticket(
        desk.operator, kind=Kind.CHANGE, title="x", requester=desk.operator
    )
    Change.objects.filter(pk=ticket.pk).delete()  # as before the changes app
    moves = StatusTransition.objects.filter(kind="change").count()
    migration = importlib.import_module("tuki.changes.migrations.0003_seed")
    migration.seed(apps, None)
    migration.seed(apps, None)
    assert Change.objects.get(pk=ticket.pk).change_type == "normal"
    assert StatusTransition.objects.filter(kind="change").count() == moves
    assert StatusTransition.objects.filter(
        kind="change", from_status__key="new", to_status__key="scheduled"
    ).exists()
