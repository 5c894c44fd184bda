"""Scheduled reports: each period mailed once to each recipient, computed as them, in their
language."""

from __future__ import annotations

import pytest
import time_machine
from django.core import mail

from tuki.reports import saving, scheduling
from tuki.reports.models import MailingStatus, ReportMailing, Schedule
from tuki.reports.tests.pages import World, grant

MONDAY = "2026-03-16T07:00:00+02:00"


@pytest.fixture(autouse=True)
def quiet(world: World) -> None:
    mail.outbox.clear()  # the tickets' own mail


def _run(capture) -> int:
    with capture(execute=True):
        return scheduling.send_due_reports()


def test_a_weekly_report_is_mailed_once_per_week_to_each_recipient(
    world: World, django_capture_on_commit_callbacks
):
    lead = world.desk.lead
    grant(lead)
    report = saving.save_report(
        world.manager,
        name="Weekly volume",
        indicator="volume",
        by="channel",
        period="last_week",
        schedule=Schedule.WEEKLY,
        recipients=[world.analyst, lead],
    )
    assert _run(django_capture_on_commit_callbacks) == 0  # last week was before it was saved
    with time_machine.travel(MONDAY, tick=False):
        assert _run(django_capture_on_commit_callbacks) == 3
        assert _run(django_capture_on_commit_callbacks) == 0  # safe twice
    assert len(mail.outbox) == 3
    assert ReportMailing.objects.filter(report=report, status=MailingStatus.SENT).count() == 3
    by_person = {m.to[0]: m for m in mail.outbox}
    finnish = by_person[world.manager.email]
    english = by_person[world.analyst.email]
    assert "Hei" in finnish.body and "Hello" in english.body
    assert finnish.subject != english.subject
    # Each computed as its reader: the lead of Network Helsinki sees only its ticket.
    assert "5 tickets" in english.body
    assert "1 ticket" in by_person[lead.email].body
    html = english.alternatives[0][0]
    assert "/reports/volume/tickets/?" in html


def test_the_mailing_task_sends_at_most_once(world: World, django_capture_on_commit_callbacks):
    report = saving.save_report(
        world.manager, name="Monthly", indicator="", schedule=Schedule.MONTHLY
    )
    with time_machine.travel("2026-04-01T08:00:00+03:00", tick=False):
        assert _run(django_capture_on_commit_callbacks) == 1
        mailing = ReportMailing.objects.get(report=report)
        assert scheduling.send_report_mailing.call(mailing.pk) == "sent already"
    assert len(mail.outbox) == 1
    assert mailing.period_start.isoformat() == "2026-03-01"


def test_a_recipient_who_lost_the_permission_gets_nothing(
    world: World, django_capture_on_commit_callbacks
):
    saving.save_report(
        world.manager,
        name="Weekly",
        indicator="volume",
        schedule=Schedule.WEEKLY,
        recipients=[world.analyst],
    )
    world.analyst.user_permissions.clear()
    with time_machine.travel(MONDAY, tick=False):
        _run(django_capture_on_commit_callbacks)
    assert [m.to[0] for m in mail.outbox] == [world.manager.email]
    assert ReportMailing.objects.filter(status=MailingStatus.SKIPPED).count() == 1
