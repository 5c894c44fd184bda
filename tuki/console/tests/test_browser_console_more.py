"""The console's calendars and mailboxes in real Chromium at desktop (1280) and phone (390)
widths: no console errors (CSP), no sideways scrolling on a phone, the deadline preview and a
refused field. Screenshots land in test-artifacts/screenshots/ and docs/screenshots/."""

from __future__ import annotations

import pytest

from tuki.calendars.models import Calendar
from tuki.console.tests.test_browser_console import DOCS, _fits, sign_in
from tuki.mail.models import Mailbox, MailboxPoll

pytestmark = pytest.mark.browser

WIDTHS = {"desktop": (1280, 900), "phone": (390, 844)}


@pytest.mark.parametrize("screen", WIDTHS)
def test_an_administrator_edits_a_calendar(
    chromium, live_server, desk, sla, staff, frozen, shoot, screen
) -> None:
    Calendar.objects.filter(pk=sla.office.pk).update(
        holiday_country="FI",
        closed_days=["2025-12-24"],
        week={
            **sla.office.week,
            "fri": [["08:00", "12:00"], ["13:00", "15:00"]],
        },
    )
    base = live_server.url
    page, errors = sign_in(chromium, base, staff.email, WIDTHS[screen])
    page.goto(f"{base}/console/calendars/")
    page.wait_for_selector(f"#calendar-{sla.office.pk}")
    _fits(page)
    page.click(f"#calendar-{sla.office.pk} a")
    page.wait_for_selector("#calendar-preview")
    assert page.input_value("#id_week_fri") == "08:00–12:00, 13:00–15:00"
    page.fill("#id_start", "2025-03-07T14:30")
    page.fill("#id_hours", "4")
    page.fill("#id_minutes", "15")
    page.click("#calendar-preview button[type=submit]")
    page.wait_for_url(lambda url: "hours=4" in url)
    # Friday's afternoon period ends at 15:00: 30 min on Friday, 3 h 45 min on Monday.
    assert "Monday 10 Mar 2025, 11:45" in page.inner_text("#preview-result")
    _fits(page)
    shoot(page, f"console-calendar-{screen}")
    page.screenshot(path=str(DOCS / f"console-calendar-{screen}.png"), full_page=True)
    assert errors == []

    page.fill("#id_week_mon", "8 till 4")
    page.click("button:has-text('Save calendar')")
    page.wait_for_selector(".invalid-feedback")
    sla.office.refresh_from_db()
    assert sla.office.week["mon"] == [["08:00", "16:00"]]


@pytest.mark.parametrize("screen", WIDTHS)
def test_an_administrator_edits_a_mailbox(
    chromium, live_server, desk, staff, shoot, screen
) -> None:
    mailbox = Mailbox.objects.create(
        name="helpdesk",
        address="helpdesk@tuki.test",
        from_name="Tuki help desk",
        imap_host="127.0.0.1",
        imap_port=1,
        imap_security="none",
        imap_user="helpdesk",
        imap_password="secret-password",
        group=desk.service_desk,
    )
    MailboxPoll.objects.update_or_create(mailbox=mailbox)
    base = live_server.url
    page, errors = sign_in(chromium, base, staff.email, WIDTHS[screen])
    page.goto(f"{base}/console/mailboxes/")
    page.wait_for_selector(f"#mailbox-{mailbox.pk}")
    _fits(page)
    page.click(f"#mailbox-{mailbox.pk} a")
    page.wait_for_selector("#connection")
    assert page.input_value("#id_imap_password") == ""
    assert "secret-password" not in page.content()
    page.click("#connection button[type=submit]")
    page.wait_for_selector(".alert")
    assert "refused the connection" in page.inner_text("body")
    _fits(page)
    shoot(page, f"console-mailbox-{screen}")
    page.screenshot(path=str(DOCS / f"console-mailbox-{screen}.png"), full_page=True)
    assert errors == []

    page.fill("#id_poll_interval", "5")
    page.click("button:has-text('Save mailbox')")
    page.wait_for_selector(".invalid-feedback")
    mailbox.refresh_from_db()
    assert mailbox.poll_interval == 60
