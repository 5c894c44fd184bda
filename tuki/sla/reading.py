"""One reading of an SLA clock, the same on every page, mail and API answer.

A reading says how much time is left (or how late, or how much was left when the clock
paused), *which* time it counts — business time of the clock's calendar, or calendar time
for a 24×7 calendar — and always the absolute deadline:

    "4 h 10 min business time left · due 7 Dec 2026, 10:30"
    "1 business day 2 h left · due 8 Dec 2026, 10:00"
    "paused with 3 h business time left · no deadline while paused"
    "overdue by 25 min business time · was due 6 Dec 2026, 14:05"

Business durations are written in *business days* of the clock's calendar: a business day
is that calendar's usual working day (the most common length of a working weekday, e.g.
8 h for Mon–Fri 08–16), not 24 hours. Calendar durations use 24-hour days.

`read_clock` reads a loaded clock (the ticket page, the clocks API, notifications);
`read_row` reads the columns the lists add to each ticket (tickets/views/common.py
`with_sla`) without a query. Both end in `_reading`, so the same clock reads the same.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _, ngettext

from tuki.calendars.arithmetic import Schedule, business_minutes_between, period_seconds
from tuki.calendars.models import Calendar
from tuki.lib import dates
from tuki.sla.models import ClockState, Metric, SlaClock

DAY = 24 * 60
BUSINESS = "business"
CALENDAR = "calendar"


def day_minutes(schedule: Schedule | None) -> int:
    """The length of the calendar's business day in minutes: the most common total of a
    working weekday (ties: the longest); 24 h for a 24×7 calendar or none."""
    if schedule is None or schedule.always_open:
        return DAY
    totals: Counter[int] = Counter()
    for periods in schedule.week.values():
        seconds = sum(end - start for start, end in map(period_seconds, periods))
        if seconds:
            totals[seconds // 60] += 1
    if not totals:
        return DAY
    return max(totals, key=lambda total: (totals[total], total))


def measure_of(schedule: Schedule | None) -> str:
    """Business time, or calendar time when the clock always runs."""
    return CALENDAR if schedule is None or schedule.always_open else BUSINESS


def amount(minutes: float, measure: str = CALENDAR, day: int = DAY) -> str:
    """ "1 business day 2 h", "3 days 4 h", "2 h 30 min", "45 min"."""
    minutes = max(0, round(minutes))
    days, rest = divmod(minutes, day) if day > 0 else (0, minutes)
    hours, mins = divmod(rest, 60)
    parts = []
    if days:
        if measure == BUSINESS:
            parts.append(ngettext("%(n)d business day", "%(n)d business days", days) % {"n": days})
        else:
            parts.append(ngettext("%(n)d day", "%(n)d days", days) % {"n": days})
    if hours:
        parts.append(_("%(h)d h") % {"h": hours})
    if mins and not days:
        parts.append(_("%(m)d min") % {"m": mins})
    if not parts:
        parts.append(_("%(m)d min") % {"m": 0})
    return " ".join(parts)


def labelled(minutes: float, measure: str, day: int) -> str:
    """An amount with its measure: "4 h 10 min business time", "1 day 2 h calendar time";
    "1 business day 2 h" names its measure already."""
    if measure == BUSINESS and day > 0 and round(minutes) >= day:
        return amount(minutes, measure, day)
    if measure == BUSINESS:
        return _("%(time)s business time") % {"time": amount(minutes, measure, day)}
    return _("%(time)s calendar time") % {"time": amount(minutes, measure, day)}


@dataclass(frozen=True)
class Reading:
    """What every page shows for one clock: a colour, the measure, and the deadline."""

    tone: str  # success, warning, danger, secondary
    state: str  # left, overdue, paused, met, breached, cancelled
    measure: str  # business or calendar
    minutes: float | None  # left (running, paused) or late (overdue); None once stopped
    deadline: datetime | None
    text: str  # "4 h 10 min business time left"
    due: str  # "due 7 Dec 2026, 10:30"

    @property
    def full(self) -> str:
        return " · ".join(part for part in (self.text, self.due) if part)

    def html(self, title: str = "") -> SafeString:
        """The badge and the deadline, as the queue, lists and ticket page show them."""
        icon = "pause-circle" if self.state == "paused" else "stopwatch"
        due = (
            format_html(
                ' <time class="small text-nowrap ws-sla-due" datetime="{}">{}</time>',
                self.deadline.isoformat(),
                self.due,
            )
            if self.deadline is not None
            else format_html(' <span class="small text-nowrap ws-sla-due">{}</span>', self.due)
            if self.due
            else ""
        )
        return format_html(
            '<span class="ws-sla-reading" title="{}"><span class="badge text-bg-{} ws-sla">'
            '<i class="bi bi-{}"></i> {}</span>{}</span>',
            f"{title}: {self.full}" if title else self.full,
            self.tone,
            icon,
            self.text,
            due,
        )


def _due(deadline: datetime | None, now: datetime) -> str:
    if deadline is None:
        return ""
    if deadline <= now:
        return _("was due %(when)s") % {"when": dates.absolute(deadline)}
    return _("due %(when)s") % {"when": dates.absolute(deadline)}


def _running(
    schedule: Schedule | None,
    deadline: datetime,
    warn_at: datetime | None,
    now: datetime,
) -> Reading:
    measure, day = measure_of(schedule), day_minutes(schedule)
    if deadline <= now:
        late = _between(schedule, deadline, now)
        text = _("overdue by %(time)s") % {"time": labelled(late, measure, day)}
        return Reading("danger", "overdue", measure, late, deadline, text, _due(deadline, now))
    left = _between(schedule, now, deadline)
    tone = "warning" if warn_at is not None and now >= warn_at else "success"
    text = _("%(time)s left") % {"time": labelled(left, measure, day)}
    return Reading(tone, "left", measure, left, deadline, text, _due(deadline, now))


def _between(schedule: Schedule | None, start: datetime, end: datetime) -> float:
    """Business minutes from start to end; no pause lies ahead of a running clock, so the
    time left is the business time from now to the deadline."""
    if schedule is None:
        return (end - start).total_seconds() / 60
    return business_minutes_between(schedule, start, end)


def _paused(schedule: Schedule | None, left: float) -> Reading:
    measure, day = measure_of(schedule), day_minutes(schedule)
    text = _("paused with %(time)s left") % {"time": labelled(left, measure, day)}
    return Reading("secondary", "paused", measure, left, None, text, _("no deadline while paused"))


def _stopped(clock: SlaClock, schedule: Schedule | None, now: datetime) -> Reading:
    measure = measure_of(schedule)
    if clock.state == ClockState.MET:
        text, tone, state = _("met"), "success", "met"
    elif clock.state == ClockState.CANCELLED:
        text, tone, state = _("cancelled"), "secondary", "cancelled"
    else:
        text, tone, state = _("breached"), "danger", "breached"
    return Reading(tone, state, measure, None, clock.deadline, text, _due(clock.deadline, now))


def read_clock(clock: SlaClock, now: datetime | None = None) -> Reading:
    """The reading of one loaded clock (its calendar joined, or no query is made for it)."""
    now = now or timezone.now()
    schedule = clock.calendar.schedule() if clock.calendar is not None else None
    if clock.state == ClockState.PAUSED:
        return _paused(schedule, clock.remaining_minutes)
    if clock.stopped_at is not None or clock.state in (ClockState.MET, ClockState.CANCELLED):
        return _stopped(clock, schedule, now)
    if clock.deadline is None:
        return _paused(schedule, clock.remaining_minutes)
    return _running(schedule, clock.deadline, clock.warn_at, now)


def read_row(ticket: Any, now: datetime | None = None) -> Reading | None:
    """The reading of a list row's most urgent clock, from `with_sla`'s columns (no query
    once the calendar's schedule is cached in this process)."""
    now = now or timezone.now()
    shown = getattr(ticket, "sla_shown", None)
    if not isinstance(shown, dict):
        return None
    schedule = _schedule(shown.get("calendar"), shown.get("version"))
    deadline = getattr(ticket, "sla_deadline", None)
    if deadline is not None:
        return _running(schedule, deadline, getattr(ticket, "sla_warn_at", None), now)
    if shown.get("state") == ClockState.PAUSED:
        return _paused(schedule, max(0.0, float(shown.get("left") or 0)))
    return None


def _schedule(calendar_id: Any, version: Any) -> Schedule | None:
    """The schedule of the calendar at the version the row read (JSON: its `updated_at`
    as text, as the database writes it)."""
    if not isinstance(calendar_id, int):
        return None
    return Calendar.schedule_of(calendar_id, _instant(version))


def _instant(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if timezone.is_aware(moment) else moment.replace(tzinfo=UTC)


def metric_label(metric: str) -> str:
    return str(Metric(metric).label) if metric in Metric.values else ""
