"""Scheduled reports: each weekly or monthly period is mailed once to the owner and the
chosen agents, each computed as what that person may see, in that person's language.

`send_due_reports` (a periodic job, registered in apps.py) claims a report's due period with
a conditional update of `last_sent_period` and, in the same transaction, makes one
ReportMailing per recipient and queues its task. `send_report_mailing` claims its mailing
(pending → sent) before it sends: run twice, the job makes nothing new and the task sends
nothing more.
"""

from __future__ import annotations

import logging
from datetime import date
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django_tasks import task

from tuki.accounts.models import User
from tuki.lib import taskqueue
from tuki.reports import indicators, presenting
from tuki.reports.access import may_view_reports
from tuki.reports.filters import today as desk_today
from tuki.reports.forms import ReportForm, dimension_label
from tuki.reports.models import MailingStatus, ReportMailing, SavedReport, Schedule
from tuki.reports.saving import due_period, report_query

log = logging.getLogger(__name__)
MAIL_ROWS = 15  # a breakdown's first rows in the mail; the page has them all


def send_due_reports(today: date | None = None) -> int:
    """Queue the mail of every scheduled report whose period has ended; the number queued."""
    today = today or desk_today()
    queued = 0
    for report in SavedReport.objects.exclude(schedule=Schedule.NEVER).only(
        "id", "schedule", "last_sent_period", "owner_id"
    ):
        start, end = due_period(report.schedule, today)
        key = start.isoformat()
        if report.last_sent_period == key:
            continue
        with transaction.atomic():
            claimed = (
                SavedReport.objects.filter(pk=report.pk)
                .exclude(last_sent_period=key)
                .update(last_sent_period=key)
            )
            if not claimed:
                continue
            people = {report.owner_id, *report.recipients.values_list("pk", flat=True)}
            for person in sorted(people):
                mailing, made = ReportMailing.objects.get_or_create(
                    report=report,
                    recipient_id=person,
                    period_start=start,
                    defaults={"period_end": end},
                )
                if made:
                    taskqueue.enqueue_with_change(send_report_mailing, mailing.pk)
                    queued += 1
    return queued


@task()
def send_report_mailing(mailing_id: int) -> str:
    """Send one recipient's summary of one period, at most once."""
    claimed = ReportMailing.objects.filter(pk=mailing_id, status=MailingStatus.PENDING).update(
        status=MailingStatus.SENT, sent_at=timezone.now()
    )
    if not claimed:
        return "sent already"
    mailing = ReportMailing.objects.select_related("report", "recipient").get(pk=mailing_id)
    person = mailing.recipient
    if not person.is_active or not person.email or not may_view_reports(person):
        ReportMailing.objects.filter(pk=mailing_id).update(status=MailingStatus.SKIPPED)
        return "skipped: may not view reports"
    try:
        with translation.override(person.language or settings.LANGUAGE_CODE):
            message = compose(mailing)
        message.send()
    except Exception as exc:  # the SMTP server or a report that no longer computes
        log.exception("Could not mail report mailing %s", mailing_id)
        ReportMailing.objects.filter(pk=mailing_id).update(
            status=MailingStatus.FAILED, error=str(exc)[:1000]
        )
        return "failed"
    return "sent"


def summary_context(report: SavedReport, person: User, start: date, end: date) -> dict[str, Any]:
    """The report's figures for `person` over the period (in the active language)."""
    query = report_query(report, start=start, end=end)
    form = ReportForm(query)
    if not form.is_valid():  # a group or service deleted since: drop what no longer exists
        for name in list(form.errors):
            query.pop(name, None)
        form = ReportForm(query)
        form.is_valid()
    filters = form.filters()
    base = settings.SITE_URL.rstrip("/")
    results = []
    if report.indicator in indicators.INDICATORS:
        by = report.by or None
        result = indicators.compute(person, report.indicator, filters, by, compare=True)
        results = [result]
        page = reverse("reports:indicator", args=[report.indicator])
    else:
        results = indicators.summary(person, filters, compare=True)
        page = reverse("reports:overview")
    tables = []
    for result in results:
        total, rows = presenting.rows(result, form.query)
        tables.append(
            {
                "indicator": result.indicator,
                "total": total,
                "rows": rows[:MAIL_ROWS] if result.by else [],
                "more": max(0, len(rows) - MAIL_ROWS) if result.by else 0,
                "by_label": dimension_label(result.by) if result.by else "",
            }
        )
    return {
        "report": report,
        "person": person,
        "start": start,
        "end": end,
        "tables": tables,
        "link": f"{base}{page}?{query.urlencode()}",
        "base": base,
    }


def compose(mailing: ReportMailing) -> EmailMultiAlternatives:
    context = summary_context(
        mailing.report, mailing.recipient, mailing.period_start, mailing.period_end
    )
    subject = render_to_string("emails/report_subject.txt", context).strip().replace("\n", " ")
    text = render_to_string("emails/report.txt", context)
    html = render_to_string("emails/report.html", context)
    message = EmailMultiAlternatives(
        subject, text, settings.DEFAULT_FROM_EMAIL, [mailing.recipient.email]
    )
    message.attach_alternative(html, "text/html")
    message.extra_headers["Auto-Submitted"] = "auto-generated"
    return message
