"""Clocks in plain language, in the reader's language: what each clock promises, why that
policy and calendar apply, and every pause, recomputation and stop since.

Logs store codes and names (models.SlaClockLog); the sentences are made here at display time.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from django.utils.translation import gettext as _, ngettext

from tuki.sla import reading
from tuki.sla.models import ClockChange, Metric, SlaClock, SlaClockLog
from tuki.sla.reading import Reading, read_clock
from tuki.tickets.models import Kind, Priority

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


def duration(minutes: float, day: int = 24 * 60) -> str:
    """Business or wall minutes as "2 h 30 min", "45 min", "1 business day 2 h" (a business
    day of `day` minutes: the clock's calendar's working day; sla/reading.py)."""
    return reading.amount(minutes, reading.BUSINESS if day != reading.DAY else "", day)


def clock_title(clock: SlaClock) -> str:
    title: StrOrPromise = Metric(clock.metric).label
    if clock.metric == Metric.OLA and clock.group is not None:
        title = _("%(metric)s: %(group)s") % {"metric": title, "group": clock.group.name}
    if clock.cycle > 1:
        title = _("%(title)s (cycle %(cycle)d)") % {"title": title, "cycle": clock.cycle}
    return str(title)


def _condition(code: str, value: str) -> str:
    if code == "kind":
        try:
            value = str(Kind(value).label)
        except ValueError:
            pass
        return _("the kind is %(value)s") % {"value": value}
    if code == "priority":
        try:
            value = str(Priority(int(value)).label)
        except ValueError:
            pass
        return _("the priority is %(value)s") % {"value": value}
    phrases = {
        "organisation": _("the organisation is %(value)s"),
        "agreement": _("the agreement is %(value)s"),
        "agreement_policy": _("the agreement %(value)s names it"),
        "service": _("the service is %(value)s"),
        "category": _("the category is in %(value)s"),
    }
    if code in phrases:
        return phrases[code] % {"value": value}
    return _("it applies to every ticket")


def policy_reason(details: dict) -> str:
    """ "Policy Gold applies because the agreement Acme names it and the kind is Incident." """
    conditions = [_condition(code, value) for code, value in details.get("conditions", [])]
    return _("Policy %(policy)s applies because %(why)s.") % {
        "policy": details.get("policy", ""),
        "why": _(" and ").join(conditions) or _condition("any", ""),
    }


def calendar_reason(calendar_name: str, source: str) -> str:
    sources = {
        "policy": _("the policy's calendar"),
        "agreement": _("the agreement's calendar"),
        "default": _("the default calendar"),
    }
    return _("Time counts by %(calendar)s (%(source)s).") % {
        "calendar": calendar_name,
        "source": sources.get(source, source),
    }


STARTS = {
    "created": lambda d: _("Started when the ticket was registered."),
    "reopened": lambda d: _("Started again: the ticket was reopened."),
    "requester_reply": lambda d: _("Started: %(author)s wrote; a reply is due.") % d,
    "group": lambda d: _("Started: the ticket came to %(group)s.") % d,
    "policy": lambda d: _("Started: the policy now sets a target for it."),
}
CAUSES = {
    "status": lambda d: _("the status became %(status)s") % {"status": _(d.get("status", ""))},
    "agent_reply": lambda d: _("%(author)s replied") % d,
    "answered_live": lambda d: _(
        "the requester was answered on the call that registered the ticket"
    ),
    "resolved": lambda d: _("the ticket was resolved"),
    "closed": lambda d: _("the ticket was closed"),
    "left_group": lambda d: _("the ticket moved from %(group)s to %(to)s") % d,
    "priority": lambda d: _("the priority changed from %(old)s to %(new)s") % _prio(d),
    "kind": lambda d: _("the kind changed"),
    "category": lambda d: _("the category changed"),
    "requester": lambda d: _("the requester changed"),
    "policy": lambda d: _("an administrator changed the SLA policies"),
    "agreement": lambda d: _("an administrator changed an agreement"),
    "service": lambda d: _("an administrator changed a service"),
    "calendar": lambda d: _("the calendar %(calendar)s changed") % {"calendar": d.get("calendar")},
    "no_target": lambda d: _("the policy that applies now sets no target for it"),
}


def _prio(details: dict) -> dict[str, str]:
    def label(value: object) -> str:
        try:
            return str(Priority(int(str(value))).label)
        except ValueError:
            return str(value)

    return {"old": label(details.get("old", "")), "new": label(details.get("new", ""))}


def _cause(log: SlaClockLog) -> str:
    details = {"author": "", "group": "", "to": "", **log.details}
    found = CAUSES.get(log.why)
    return found(details) if found else log.why


def describe(log: SlaClockLog, calendar_name: str = "", day: int = 24 * 60) -> str:
    """One log line as a sentence; durations in business days of `day` minutes."""
    d = {"author": "", "group": "", **log.details}
    what = log.what
    if what == ClockChange.STARTED:
        text = STARTS.get(log.why, STARTS["created"])(d)
        if "policy" in d and "conditions" in d:
            text += " " + policy_reason(d)
        if "target" in d:
            text += " " + _("Target: %(time)s of business time.") % {
                "time": duration(d["target"], day)
            }
        if calendar_name:
            text += " " + calendar_reason(calendar_name, str(d.get("calendar_source", "")))
        return text
    if what == ClockChange.WARNED:
        return _("Warning: %(percent)s%% of the time is used.") % {"percent": d.get("percent")}
    if what == ClockChange.BREACHED:
        return _("Breached: the deadline passed.")
    templates: dict[str, StrOrPromise] = {
        ClockChange.PAUSED: _("Paused: %(cause)s."),
        ClockChange.RESUMED: _("Running again: %(cause)s."),
        ClockChange.RECOMPUTED: _("Recomputed: %(cause)s."),
        ClockChange.MET: _("Met: %(cause)s."),
        ClockChange.STOPPED_LATE: _("Stopped late: %(cause)s."),
        ClockChange.CANCELLED: _("Cancelled: %(cause)s."),
    }
    text = templates.get(what, "%(cause)s") % {"cause": _cause(log)}
    if what == ClockChange.RECOMPUTED:
        if "old_target" in d:
            text += " " + _("Target %(old)s → %(new)s.") % {
                "old": duration(d["old_target"], day),
                "new": duration(d["new_target"], day),
            }
        if "conditions" in d:
            text += " " + policy_reason(d)
    return text


@dataclass
class LogLine:
    at: datetime
    text: str
    old_deadline: datetime | None
    new_deadline: datetime | None

    @property
    def moved(self) -> bool:
        return self.old_deadline != self.new_deadline and bool(
            self.old_deadline or self.new_deadline
        )


@dataclass
class ClockView:
    """What the ticket page and the API show for one clock."""

    clock: SlaClock
    title: str
    reading: Reading
    lines: list[LogLine] = field(default_factory=list)

    @property
    def deadline(self) -> datetime | None:
        return self.clock.deadline

    @property
    def tone(self) -> str:
        return self.reading.tone

    @property
    def status(self) -> str:
        """ "4 h 10 min business time left", "overdue by 5 min business time", "met"."""
        return self.reading.text


def views_for(logs: list[SlaClockLog], now: datetime | None = None) -> list[ClockView]:
    """Clock views from the logs of a ticket's clocks (each log's clock already joined)."""
    by_clock: dict[int, ClockView] = {}
    for log in logs:
        clock = log.clock
        view = by_clock.get(clock.pk)
        if view is None:
            view = by_clock[clock.pk] = ClockView(clock, clock_title(clock), read_clock(clock, now))
        name = clock.calendar.name if clock.calendar else ""
        day = reading.day_minutes(clock.calendar.schedule() if clock.calendar else None)
        text = describe(log, name, day)
        view.lines.append(LogLine(log.at, text, log.old_deadline, log.new_deadline))
    order: dict[str, int] = {
        Metric.FIRST_RESPONSE: 0,
        Metric.NEXT_RESPONSE: 1,
        Metric.RESOLUTION: 2,
        Metric.OLA: 3,
    }
    return sorted(
        by_clock.values(),
        key=lambda v: (not v.clock.is_open, order.get(v.clock.metric, 9), -v.clock.cycle),
    )


def count_label(count: int) -> str:
    return ngettext("%(n)d clock", "%(n)d clocks", count) % {"n": count}
