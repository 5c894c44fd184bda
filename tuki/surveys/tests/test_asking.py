"""A resolution asks the requester once, by one mail of signed links in their language."""

from __future__ import annotations

import pytest
from django.test import override_settings

from tuki.conftest import Desk
from tuki.mail.models import OutboundMessage
from tuki.surveys.models import SurveyResponse
from tuki.surveys.tests.conftest import links_in, mail_text, resolve, survey_mail
from tuki.tickets import services as tickets
from tuki.tickets.models import Ticket


def test_resolving_makes_one_survey_with_who_resolved(desk: Desk, escalated: Ticket) -> None:
    tickets.take_ticket(desk.specialist, escalated)
    ticket = tickets.resolve_ticket(
        desk.specialist, escalated, code="solved", resolution="Reset the tunnel."
    )
    response = SurveyResponse.objects.get(ticket=ticket)
    assert response.cycle == 1
    assert response.requester == desk.requester
    assert response.agent == desk.specialist
    assert response.group == desk.network_hel
    assert not response.is_answered


def test_the_mail_holds_five_score_links_a_comment_link_and_the_solution(
    desk: Desk, resolved: Ticket
) -> None:
    assert OutboundMessage.objects.filter(ticket=resolved, what="survey").count() == 1
    message = survey_mail(resolved)
    assert message["To"] == desk.requester.email
    text = mail_text(message)
    assert "Replaced the VPN profile." in text
    links = links_in(text)
    assert len(links) == 6
    assert [link.rsplit("=", 1)[-1] for link in links[:5]] == ["1", "2", "3", "4", "5"]
    assert "?" not in links[5]
    html = message.get_body(preferencelist=("html",))
    assert html is not None and "survey-score" in html.get_content()


def test_the_mail_speaks_the_requesters_language(desk: Desk, incident: Ticket) -> None:
    desk.requester.language = "fi"
    desk.requester.save()
    resolve(desk, incident)
    message = survey_mail(incident)
    assert "Hei" in mail_text(message) or "Hei" in str(message["Subject"])


def test_reopened_and_resolved_again_asks_again(desk: Desk, resolved: Ticket) -> None:
    tickets.reopen_ticket(desk.requester, resolved, reason="Still drops")
    ticket = resolve(desk, Ticket.objects.get(pk=resolved.pk), "Replaced the router.")
    assert list(SurveyResponse.objects.filter(ticket=ticket).values_list("cycle", flat=True)) == [
        2,
        1,
    ]
    assert OutboundMessage.objects.filter(ticket=ticket, what="survey").count() == 2


def test_an_agents_own_ticket_is_not_surveyed(desk: Desk) -> None:
    ticket = tickets.create_ticket(desk.operator, title="My laptop", requester=desk.specialist)
    resolve(desk, ticket)
    assert not SurveyResponse.objects.filter(ticket=ticket).exists()
    assert not OutboundMessage.objects.filter(ticket=ticket, what="survey").exists()


@override_settings(SURVEYS=False)
def test_surveys_switched_off_ask_nobody(desk: Desk, incident: Ticket) -> None:
    resolve(desk, incident)
    assert not SurveyResponse.objects.exists()
    assert not OutboundMessage.objects.filter(what="survey").exists()


def test_watchers_are_never_asked_and_a_restricted_tickets_requester_is(
    desk: Desk, incident: Ticket
) -> None:
    tickets.add_watchers(desk.operator, incident, [desk.colleague])
    tickets.update_ticket(desk.operator, incident, restricted=True)
    resolve(desk, Ticket.objects.get(pk=incident.pk))
    message = survey_mail(incident)
    assert message["To"] == desk.requester.email
    assert message["Cc"] is None
    assert SurveyResponse.objects.get().requester == desk.requester


def test_a_failed_resolution_leaves_no_survey(desk: Desk, resolved: Ticket) -> None:
    with pytest.raises(tickets.ServiceError):
        resolve(desk, resolved)  # already resolved: the workflow refuses
    assert SurveyResponse.objects.count() == 1


def test_the_survey_mail_replaces_the_resolved_notice(desk: Desk, resolved: Ticket) -> None:
    notice = OutboundMessage.objects.get(ticket=resolved, what="resolved")
    assert notice.status == "skipped"
    assert "satisfaction survey" in notice.shown_reason
    assert OutboundMessage.objects.get(ticket=resolved, what="survey").status == "pending"


def test_with_watchers_copied_the_resolved_notice_still_goes(desk: Desk, incident: Ticket) -> None:
    tickets.add_watchers(desk.operator, incident, [desk.colleague])
    resolve(desk, incident)
    notice = OutboundMessage.objects.get(ticket=incident, what="resolved")
    assert notice.status == "pending" and notice.cc_list == [desk.colleague.email]
    assert survey_mail(incident)["Cc"] is None


@override_settings(SURVEYS=False)
def test_without_surveys_the_resolved_notice_goes(desk: Desk, incident: Ticket) -> None:
    resolve(desk, incident)
    assert OutboundMessage.objects.get(ticket=incident, what="resolved").status == "pending"
