"""Where survey answers show: the portal (the requester answers in place, the solution
stays) and the agent's ticket page (a small panel); never to anyone else."""

from __future__ import annotations

import pytest

from tuki.conftest import Desk
from tuki.lib.testing import assert_same_count, query_budget
from tuki.surveys import services
from tuki.surveys.models import SurveyResponse
from tuki.tickets import services as tickets
from tuki.tickets.models import EventAction, Ticket, TicketEvent


def portal(ticket: Ticket) -> str:
    return f"/portal/tickets/{ticket.number}/"


def agent_page(ticket: Ticket) -> str:
    return f"/desk/tickets/{ticket.number}/"


# --- the portal --------------------------------------------------------------------------------


def test_the_requester_sees_the_question_and_the_solution(
    desk: Desk, resolved: Ticket, survey: SurveyResponse
) -> None:
    html = desk.client_for(desk.requester).get(portal(resolved)).content.decode()
    assert 'id="survey"' in html
    assert "Replaced the VPN profile." in html


def test_a_closed_request_keeps_its_solution_and_its_question(
    desk: Desk, resolved: Ticket, survey: SurveyResponse
) -> None:
    tickets.close_ticket(desk.requester, resolved)
    html = desk.client_for(desk.requester).get(portal(resolved)).content.decode()
    assert 'id="solution"' in html and "Replaced the VPN profile." in html
    assert 'id="survey"' in html


def test_the_requester_answers_in_the_portal(
    desk: Desk, resolved: Ticket, survey: SurveyResponse
) -> None:
    client = desk.client_for(desk.requester)
    page = client.post(portal(resolved) + "survey/", {"score": "2", "comment": "Slow"})
    assert page.status_code == 302
    survey.refresh_from_db()
    assert (survey.score, survey.comment) == (2, "Slow")
    assert TicketEvent.objects.filter(action=EventAction.SURVEY_ANSWERED).count() == 1
    html = client.get(portal(resolved)).content.decode()
    assert 'id="survey"' not in html
    again = client.post(portal(resolved) + "survey/", {"score": "5"})
    assert again.status_code == 422
    survey.refresh_from_db()
    assert survey.score == 2


def test_a_bad_portal_answer_is_a_field_error(
    desk: Desk, resolved: Ticket, survey: SurveyResponse
) -> None:
    page = desk.client_for(desk.requester).post(portal(resolved) + "survey/", {"score": "9"})
    assert page.status_code == 422
    assert "invalid-feedback" in page.content.decode()
    survey.refresh_from_db()
    assert not survey.is_answered


def test_a_colleague_who_may_read_the_request_is_not_asked(
    desk: Desk, resolved: Ticket, survey: SurveyResponse
) -> None:
    desk.colleague.sees_organisation_tickets = True
    desk.colleague.save()
    client = desk.client_for(desk.colleague)
    html = client.get(portal(resolved)).content.decode()
    assert "Replaced the VPN profile." in html and 'id="survey"' not in html
    assert client.post(portal(resolved) + "survey/", {"score": "1"}).status_code == 403
    survey.refresh_from_db()
    assert not survey.is_answered


@pytest.mark.parametrize("who", ["outsider", "other_agent"])
def test_others_get_not_found(desk: Desk, resolved: Ticket, who: str) -> None:
    client = desk.client_for(getattr(desk, who))
    assert client.post(portal(resolved) + "survey/", {"score": "1"}).status_code == 404


def test_anonymous_visitors_are_sent_to_sign_in(client, resolved: Ticket) -> None:
    assert client.post(portal(resolved) + "survey/", {"score": "1"}).status_code == 302


# --- the agent's ticket page -------------------------------------------------------------------


def test_agents_see_the_score_comment_and_when(
    desk: Desk, resolved: Ticket, survey: SurveyResponse
) -> None:
    services.answer(survey, 2, "Took a week")
    html = desk.client_for(desk.operator).get(agent_page(resolved)).content.decode()
    assert 'id="survey-panel"' in html
    assert "2 of 5" in html and "Took a week" in html and "answered" in html


def test_an_unanswered_survey_says_so(desk: Desk, resolved: Ticket, survey: SurveyResponse) -> None:
    html = desk.client_for(desk.operator).get(agent_page(resolved)).content.decode()
    assert "not answered yet" in html


def test_the_requester_never_sees_the_panel(
    desk: Desk, resolved: Ticket, survey: SurveyResponse
) -> None:
    services.answer(survey, 2, "Took a week")
    page = desk.client_for(desk.requester).get(agent_page(resolved), follow=True)
    assert 'id="survey-panel"' not in page.content.decode()


def test_the_panel_costs_one_query_whatever_the_number_of_surveys(
    desk: Desk, resolved: Ticket
) -> None:
    client = desk.client_for(desk.operator)
    client.get(agent_page(resolved))
    with query_budget() as one:
        client.get(agent_page(resolved))
    for _ in range(3):
        ticket = tickets.reopen_ticket(desk.requester, Ticket.objects.get(pk=resolved.pk))
        tickets.resolve_ticket(desk.operator, ticket, code="solved", resolution="Again")
    assert SurveyResponse.objects.filter(ticket=resolved).count() == 4
    with query_budget() as four:
        client.get(agent_page(resolved))
    assert_same_count(one, four)
