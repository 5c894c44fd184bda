"""The answer page of the mail's links: no sign-in, a GET records nothing, a POST answers once."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.core import signing
from django.test import Client
from django.utils import timezone

from tuki.conftest import Desk
from tuki.lib.testing import query_budget
from tuki.surveys import services, signals
from tuki.surveys.models import SurveyResponse
from tuki.surveys.tests.conftest import links_in, mail_text, survey_mail
from tuki.tickets.models import EventAction, Ticket, TicketEvent

ANSWER_PAGE_QUERIES = 1  # the response with its ticket and requester: no session, no user


def test_opening_a_score_link_shows_the_score_chosen_and_records_nothing(
    desk: Desk, resolved: Ticket, survey: SurveyResponse
) -> None:
    link = links_in(mail_text(survey_mail(resolved)))[1]  # score 2
    page = Client().get(link)
    assert page.status_code == 200
    html = page.content.decode()
    chosen = re.search(r'<input type="radio"[^>]*value="2"[^>]*>', html)
    assert chosen is not None and "checked" in chosen.group(0)
    assert html.count("checked") == 1
    assert "Replaced the VPN profile." in html
    survey.refresh_from_db()
    assert not survey.is_answered
    assert not TicketEvent.objects.filter(action=EventAction.SURVEY_ANSWERED).exists()


def test_posting_answers_once_with_an_event_and_the_signal(
    desk: Desk, resolved: Ticket, survey: SurveyResponse
) -> None:
    heard: list[Any] = []

    def listener(sender: Any, response: SurveyResponse, **kwargs: Any) -> None:
        heard.append(response.pk)

    signals.answered.connect(listener)
    try:
        link = links_in(mail_text(survey_mail(resolved)))[5]
        page = Client().post(link, {"score": "4", "comment": "Quick, thanks"})
    finally:
        signals.answered.disconnect(listener)
    assert page.status_code == 200
    assert "Thank you" in page.content.decode()
    survey.refresh_from_db()
    assert (survey.score, survey.comment) == (4, "Quick, thanks")
    assert survey.answered_at is not None
    event = TicketEvent.objects.get(action=EventAction.SURVEY_ANSWERED)
    assert (event.ticket_id, event.new_value, event.actor_id) == (
        resolved.pk,
        "4",
        desk.requester.pk,
    )
    assert heard == [survey.pk]
    # A second answer changes nothing; the page thanks again.
    again = Client().post(link, {"score": "1"})
    assert again.status_code == 200 and "Thank you" in again.content.decode()
    survey.refresh_from_db()
    assert survey.score == 4
    assert TicketEvent.objects.filter(action=EventAction.SURVEY_ANSWERED).count() == 1
    assert "Thank you" in Client().get(link).content.decode()


def test_a_tampered_token_is_a_404_page(survey: SurveyResponse) -> None:
    token = services.token_for(survey)
    page = Client().get(f"/surveys/{token[:-2]}xx/?score=5")
    assert page.status_code == 404
    assert "not valid" in page.content.decode()
    other_salt = signing.dumps(survey.pk, salt="tuki.approvals.link")
    assert Client().get(f"/surveys/{other_salt}/").status_code == 404
    assert Client().get("/surveys/%F0%9F%92%A9/").status_code == 404


def test_an_expired_link_is_a_410_page(survey: SurveyResponse, monkeypatch: Any) -> None:
    token = services.token_for(survey)
    later = timezone.now() + services.MAX_AGE + timedelta(days=1)
    monkeypatch.setattr("django.core.signing.time.time", lambda: later.timestamp())
    monkeypatch.setattr("tuki.surveys.services.timezone.now", lambda: later)
    page = Client().post(f"/surveys/{token}/", {"score": "5"})
    assert page.status_code == 410
    assert "expired" in page.content.decode()
    survey.refresh_from_db()
    assert not survey.is_answered


def test_a_survey_deleted_with_its_ticket_is_a_404(survey: SurveyResponse) -> None:
    token = services.token_for(survey)
    survey.delete()
    assert Client().get(f"/surveys/{token}/").status_code == 404


@pytest.mark.parametrize(
    "data",
    [{}, {"score": "0"}, {"score": "6"}, {"score": "x"}, {"score": "3", "comment": "x" * 5001}],
)
def test_bad_answers_are_field_errors_and_record_nothing(
    survey: SurveyResponse, data: dict[str, str]
) -> None:
    page = Client().post(f"/surveys/{services.token_for(survey)}/", data)
    assert page.status_code == 422
    assert "invalid-feedback" in page.content.decode()
    survey.refresh_from_db()
    assert not survey.is_answered


def test_the_page_speaks_the_requesters_language(desk: Desk, survey: SurveyResponse) -> None:
    desk.requester.language = "ro"
    desk.requester.save()
    page = Client().get(f"/surveys/{services.token_for(survey)}/")
    assert '<html lang="ro"' in page.content.decode() or 'lang="ro"' in page.content.decode()


def test_the_answer_page_has_a_query_budget(survey: SurveyResponse) -> None:
    client = Client()
    with query_budget(ANSWER_PAGE_QUERIES, exact=True):
        assert client.get(f"/surveys/{services.token_for(survey)}/?score=3").status_code == 200
