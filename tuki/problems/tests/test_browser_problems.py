"""The problem page in real Chromium, at a desktop's and a phone's width: the section loads
under the strict CSP, the root cause is saved, a note is added, the known error published;
the list, the radar and the known errors show without a console error."""

from __future__ import annotations

import pytest

from tuki.problems.models import Problem
from tuki.problems.tests.conftest import make_incident
from tuki.tickets.tests.test_browser_layout import DESKTOP, PHONE, signed_in

pytestmark = pytest.mark.browser


def test_the_problem_page_at_desktop_and_phone_width(chromium, live_server, desk, board, shoot):
    for n in range(3):
        make_incident(desk, f"VPN disconnects every hour {n}", "The VPN client drops.")
    ticket = board.problem.ticket
    page = signed_in(chromium, live_server.url, desk.operator.email, DESKTOP)
    page.goto(f"{live_server.url}{ticket.get_absolute_url()}")
    page.wait_for_selector("#problem-edit-form")
    assert page.locator("#problem-incidents li").count() == 2
    page.fill("#pd-root-cause", "A 10 MB size limit on the relay")
    page.fill("#pd-workaround", "Share a link instead")
    page.click("#problem-edit-form button[type=submit]")
    page.wait_for_selector("#problem-edit-form")
    page.fill("#analysis-form textarea", "Why? The relay refuses big mails.")
    page.click("#analysis-form button[type=submit]")
    page.wait_for_selector(".analysis-note")
    page.click("#known-error-form button[type=submit]")
    page.wait_for_selector("#known-error-badge")
    shoot(page, "problem-desktop")
    problem = Problem.objects.get(pk=ticket.pk)
    assert problem.is_known_error and problem.root_cause.startswith("A 10 MB")
    for url in ("/problems/", "/problems/radar/", "/problems/known-errors/"):
        page.goto(f"{live_server.url}{url}")
        page.wait_for_load_state("networkidle")
        shoot(page, url.strip("/").replace("/", "-"))
    assert page.locator(".known-error").count() == 1
    assert page.errors == []

    phone = signed_in(chromium, live_server.url, desk.operator.email, PHONE)
    phone.goto(f"{live_server.url}{board.first.get_absolute_url()}")
    phone.wait_for_selector("#incident-problem-link")
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    phone.goto(f"{live_server.url}/problems/radar/")
    assert phone.locator(".radar-proposal").count() == 1
    shoot(phone, "radar-phone")
    assert phone.errors == []
