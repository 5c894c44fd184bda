"""Automation follows answers: "Satisfaction survey answered" as a trigger, the score as a
condition (a desk's "poor score → tell the group's manager, tag, reopen")."""

from __future__ import annotations

from typing import Any

import pytest

from tuki.automation import services as automation
from tuki.automation.models import Rule, RuleRun
from tuki.conftest import Desk
from tuki.lib.errors import ServiceError
from tuki.notifications.models import Notification
from tuki.surveys import services
from tuki.surveys.models import SurveyResponse
from tuki.tickets import services as tickets
from tuki.tickets.models import ActorKind, StatusCategory, Ticket


def poor_score_rule(desk: Desk) -> Rule:
    return automation.create_rule(
        desk.admin,
        name="Poor score",
        trigger="event",
        events=["survey_answered"],
        conditions={
            "match": "all",
            "items": [{"field": "survey.score", "op": "lte", "value": 2}],
        },
        actions=[
            {"type": "add_tags", "tags": ["unhappy"]},
            {"type": "notify", "to": ["group_manager"], "text": "Poor score on {{ticket.number}}"},
            {"type": "set_status", "status": "in_progress", "reason": "Poor satisfaction score"},
        ],
    )


@pytest.fixture
def survey_of_network(desk: Desk, escalated: Ticket) -> SurveyResponse:
    tickets.take_ticket(desk.specialist, escalated)
    ticket = tickets.resolve_ticket(desk.specialist, escalated, code="solved", resolution="Done")
    return SurveyResponse.objects.get(ticket=ticket)


def test_a_poor_score_tags_tells_the_manager_and_reopens(
    desk: Desk, committed: Any, survey_of_network: SurveyResponse
) -> None:
    rule = poor_score_rule(desk)
    with committed():
        services.answer(survey_of_network, 1, "Nobody called back")
    ticket = Ticket.objects.with_related().get(pk=survey_of_network.ticket_id)
    assert {t.name for t in ticket.tags.all()} == {"unhappy"}
    assert ticket.status.category == StatusCategory.OPEN
    note = Notification.objects.get(recipient=desk.lead, ticket=ticket)
    assert ticket.number in str(note.text)
    run = RuleRun.objects.get(rule=rule)
    assert run.ok and run.trigger == "survey_answered"
    assert ticket.events.filter(actor_kind=ActorKind.RULE, reason="Poor score").exists()


def test_a_good_score_leaves_the_ticket_alone(
    desk: Desk, committed: Any, survey_of_network: SurveyResponse
) -> None:
    rule = poor_score_rule(desk)
    with committed():
        services.answer(survey_of_network, 4)
    ticket = Ticket.objects.get(pk=survey_of_network.ticket_id)
    assert not ticket.tags.exists()
    assert ticket.status.category == StatusCategory.RESOLVED
    assert not RuleRun.objects.filter(rule=rule).exists()


def test_an_answer_sets_off_no_other_trigger(
    desk: Desk, committed: Any, survey_of_network: SurveyResponse
) -> None:
    automation.create_rule(
        desk.admin,
        name="Any update",
        trigger="event",
        events=["updated", "status_changed"],
        conditions={"match": "all", "items": []},
        actions=[{"type": "add_tags", "tags": ["touched"]}],
    )
    with committed():
        services.answer(survey_of_network, 1)
    assert not Ticket.objects.get(pk=survey_of_network.ticket_id).tags.exists()


def test_a_score_outside_1_to_5_is_refused_in_a_rule(desk: Desk) -> None:
    with pytest.raises(ServiceError) as refused:
        automation.create_rule(
            desk.admin,
            name="Odd",
            trigger="event",
            events=["survey_answered"],
            conditions={
                "match": "all",
                "items": [{"field": "survey.score", "op": "lte", "value": 7}],
            },
            actions=[{"type": "add_tags", "tags": ["x"]}],
        )
    assert "survey.score" in str(refused.value.field) or refused.value.field


def test_the_rule_editor_offers_the_trigger_and_the_field(desk: Desk) -> None:
    assert "survey_answered" in desk.client_for(desk.admin).get("/automation/new/").content.decode()
    rule = poor_score_rule(desk)
    html = desk.client_for(desk.admin).get(f"/automation/{rule.pk}/").content.decode()
    assert 'value="survey.score" selected' in html or "survey.score" in html
    assert "Satisfaction score" in html


def test_the_score_condition_reads_the_latest_answer_and_previews_loosely(
    desk: Desk, survey_of_network: SurveyResponse
) -> None:
    from django.utils import timezone

    from tuki.automation.conditions import Context, matches, to_q
    from tuki.automation.validation import validate_conditions

    def met(op: str, value: Any = None) -> bool:
        item: dict[str, Any] = {"field": "survey.score", "op": op}
        if value is not None:
            item["value"] = value
        tree, _kinds = validate_conditions({"match": "all", "items": [item]})
        ticket = Ticket.objects.with_related().get(pk=survey_of_network.ticket_id)
        q, exact = to_q(tree, timezone.now())
        assert not exact and Ticket.objects.filter(q, pk=ticket.pk).exists()  # a superset
        return matches(tree, Context(ticket))

    assert met("is_not_set") and not met("lte", 2)
    services.answer(survey_of_network, 2)
    assert met("lte", 2) and met("eq", 2) and met("is_set") and not met("gt", 2)
