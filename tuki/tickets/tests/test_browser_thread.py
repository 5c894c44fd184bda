"""Swarming in real Chromium: the operator consults a second-line agent of another group,
the specialist opens it from their list and answers (Enter sends), the operator sees the
answer without reloading (live pages). Screenshots at desktop and phone widths; any console error fails the test."""

from __future__ import annotations

from typing import Any

import pytest

from tuki.tickets.models import Comment, Ticket, TicketConsultation
from tuki.tickets.tests.test_browser_story import sign_in

pytestmark = pytest.mark.browser


def watch_console(page: Any) -> list[str]:
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    return errors


@pytest.mark.parametrize("width", [1280, 390])
def test_an_operator_consults_a_specialist_who_answers_in_the_thread(
    chromium: Any, live_server: Any, desk: Any, escalated: Ticket, shoot: Any, width: int
) -> None:
    base = live_server.url
    ticket_url = f"{base}{escalated.get_absolute_url()}"
    operator = sign_in(chromium, base, desk.operator.email)
    operator.set_viewport_size({"width": width, "height": 900})
    errors = watch_console(operator)
    operator.goto(ticket_url)
    operator.click("#consult-button")
    form = operator.locator("#consult-form")
    form.wait_for()
    form.locator("[name=group]").select_option(label="Applications")
    form.locator("[name=body]").fill("Can you check the mail gateway logs for this user?")
    shoot(operator, f"consult-form-{width}")
    form.locator("button[type=submit]").click()
    operator.locator("#thread-live").wait_for()
    operator.locator(".ws-thread-person", has_text="Applications").wait_for()
    shoot(operator, f"consulted-{width}")
    escalated.refresh_from_db()
    assert escalated.group == desk.network_hel and escalated.assignee is None
    assert TicketConsultation.objects.get().group == desk.apps

    specialist = sign_in(chromium, base, desk.other_agent.email)
    specialist.set_viewport_size({"width": width, "height": 900})
    errors += watch_console(specialist)
    specialist.goto(f"{base}/desk/consultations/")
    shoot(specialist, f"consultations-list-{width}")
    specialist.locator(".ws-consultations a.ws-list-title").first.click()
    specialist.locator("#thread-body").wait_for()
    specialist.fill("#thread-body", "The gateway rejected her mail: SPF fails.")
    specialist.press("#thread-body", "Enter")
    specialist.locator(".ws-thread-message", has_text="SPF fails").wait_for()
    shoot(specialist, f"answered-{width}")
    assert Comment.objects.filter(thread=True, author=desk.other_agent).count() == 1

    # The operator's page, left open, follows the thread live (the live layer refreshes the
    # panel's message list); the timeline shows the message too.
    operator.locator(".ws-thread-message", has_text="SPF fails").wait_for()
    operator.locator("#timeline li", has_text="SPF fails").wait_for()
    operator.locator("#timeline .badge", has_text="In the consultation thread").first.wait_for()
    shoot(operator, f"operator-sees-the-answer-{width}")
    operator.locator(".ws-thread-close").first.click()
    operator.locator(".ws-thread-person.is-closed").wait_for()
    shoot(operator, f"closed-{width}")
    assert TicketConsultation.objects.get().closed_at is not None
    assert errors == []
