"""A survey in real Chromium, answered from the link in the mail the SMTP server received:
signed out, at desktop and phone widths; then the desk sees the answer on the ticket page.
Screenshots for the docs: docs/screenshots/survey-*.png."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

from tuki.conftest import Desk
from tuki.mail.tests.conftest import SmtpSink, smtp_sink  # noqa: F401  (the fixture)
from tuki.surveys.models import SurveyResponse
from tuki.tickets import services as tickets
from tuki.tickets.models import EventAction, Ticket, TicketEvent
from tuki.tickets.tests.test_browser_story import sign_in

pytestmark = pytest.mark.browser

DOCS = Path(__file__).resolve().parents[3] / "docs" / "screenshots"


def survey_links(sink: SmtpSink, count: int, to: str) -> list[str]:
    """The score links of the survey mail sent to `to`, as paths."""
    for message in sink.wait_for(count):
        if to in str(message["To"]) and "How did we do?" in str(message["Subject"]):
            body = message.get_body(preferencelist=("plain",))
            assert body is not None
            base = re.escape(settings.SITE_URL.rstrip("/"))
            return re.findall(base + r"(/surveys/\S+)", body.get_content())
    raise AssertionError("no survey mail was sent")


def page_at(browser: Any, width: int) -> Any:
    page = browser.new_context(viewport={"width": width, "height": 900}).new_page()
    page.set_default_timeout(15_000)
    return page


def save(page: Any, name: str) -> None:
    DOCS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(DOCS / f"{name}.png"), full_page=True)


def test_a_survey_answered_from_the_mail_link(
    chromium: Any,
    live_server: Any,
    desk: Desk,
    incident: Ticket,
    smtp_sink: SmtpSink,  # noqa: F811  (the fixture imported above)
    django_capture_on_commit_callbacks: Any,
    shoot: Any,
) -> None:
    base = live_server.url
    with django_capture_on_commit_callbacks(execute=True):
        tickets.resolve_ticket(
            desk.operator,
            incident,
            code="solved",
            resolution="Your VPN profile was out of date. We installed the new one.",
        )
    links = survey_links(smtp_sink, 1, desk.requester.email)
    assert len(links) == 6
    assert len(smtp_sink.received) == 1  # one mail on resolve: the survey tells the solution

    # 1. Signed out, the requester opens the "2" link: the score is chosen, nothing recorded.
    page = page_at(chromium, 1280)
    page.goto(base + links[1])
    assert page.is_checked("#survey-form input[value='2']")
    assert not SurveyResponse.objects.get().is_answered
    page.fill("#id_comment", "It works now, but it took three days.")
    save(page, "survey-answer-1280")
    shoot(page, "answer")
    page.click("#survey-form button[type=submit]")
    page.wait_for_selector("#survey-thanks")
    save(page, "survey-thanks-1280")
    answered = SurveyResponse.objects.get()
    assert (answered.score, answered.comment) == (2, "It works now, but it took three days.")
    assert TicketEvent.objects.filter(action=EventAction.SURVEY_ANSWERED).count() == 1

    # 2. Opened again, on a phone: already answered, the thanks page.
    phone = page_at(chromium, 390)
    phone.goto(base + links[4])
    phone.wait_for_selector("#survey-thanks")
    assert SurveyResponse.objects.get().score == 2

    # 3. The desk sees the answer on the ticket page, and in the timeline.
    operator = sign_in(chromium, base, desk.operator.email)
    operator.set_viewport_size({"width": 1280, "height": 900})
    operator.goto(f"{base}/desk/tickets/{incident.number}/")
    operator.wait_for_selector("#survey-panel")
    assert "took three days" in operator.inner_text("#survey-panel")
    save(operator, "survey-panel-1280")


def test_a_survey_answered_on_a_phone_and_in_the_portal(
    chromium: Any,
    live_server: Any,
    desk: Desk,
    incident: Ticket,
    smtp_sink: SmtpSink,  # noqa: F811  (the fixture imported above)
    django_capture_on_commit_callbacks: Any,
) -> None:
    base = live_server.url
    with django_capture_on_commit_callbacks(execute=True):
        tickets.resolve_ticket(
            desk.operator, incident, code="solved", resolution="Reset the tunnel."
        )
    links = survey_links(smtp_sink, 1, desk.requester.email)
    phone = page_at(chromium, 390)
    phone.goto(base + links[4])
    assert phone.is_checked("#survey-form input[value='5']")
    save(phone, "survey-answer-390")

    # The requester signed in answers in the portal instead; the solution stays once closed.
    other = tickets.create_ticket(desk.operator, title="Printer jams", requester=desk.requester)
    tickets.resolve_ticket(desk.operator, other, code="solved", resolution="Cleaned the rollers.")
    tickets.close_ticket(desk.operator, other)
    portal = sign_in(chromium, base, desk.requester.email)
    portal.set_viewport_size({"width": 390, "height": 900})
    portal.goto(f"{base}/portal/tickets/{other.number}/")
    assert "Cleaned the rollers." in portal.inner_text("#solution")
    save(portal, "survey-portal-390")
    portal.click("#survey-form label[for$='_3']")
    portal.click("#survey-form button[type=submit]")
    portal.wait_for_selector(".alert-success")
    assert SurveyResponse.objects.get(ticket=other).score == 4
    assert "Cleaned the rollers." in portal.inner_text("#solution")
