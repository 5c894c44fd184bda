"""The demo's tickets: planned, played through tuki.tickets.services, then backdated.

Each ticket is a short story (registered, triaged, escalated, worked, resolved, confirmed)
told with the real service functions, so events, counters and comments are what Tuki would
have recorded. How often tickets bounce between groups, wait for the user, reopen and how
long they take follows the aggregates of a real incident log (demo_data/uci_profile.json).
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, time, timedelta
from math import inf
from typing import Any
from zoneinfo import ZoneInfo

from tuki.accounts.models import SupportGroup, User
from tuki.calendars.arithmetic import business_minutes_between
from tuki.calendars.models import Calendar
from tuki.demo import sla as demo_sla
from tuki.demo.cast import Cast
from tuki.demo.data import texts
from tuki.demo.data.profile import RESOLUTION_CUTS
from tuki.demo.data.texts import ProblemStory, Scenario
from tuki.demo.plays import ChangePlay, Plan, ProblemPlay, SupportPlay
from tuki.demo.timeline import Timeline
from tuki.tickets import services
from tuki.tickets.models import Channel, Kind, LinkType, Ticket, TicketEvent
from tuki.tickets.services.workflow import compute_priority

SUPPORT_TICKETS = 186
DUPLICATES = 4
DAYS = 60
OPEN_DAYS = 5  # older incidents and requests are no longer in progress
WAITING_DAYS = 12  # nor waiting for the customer or a supplier
# The source log is a phone-driven desk (99 % phone); the demo shows every channel.
CHANNELS = {Channel.PHONE: 35, Channel.EMAIL: 30, Channel.WEB: 27, Channel.CHAT: 8}
# Final status weights by the ticket's age in days: young tickets are still open, old ones
# closed. Work in progress is days old, never weeks: an open ticket's SLA clocks run from
# its registration, so a weeks-old open incident opens the queue "overdue by 50 d". Only
# tickets waiting for someone else (paused clocks) stay open for longer.
FINALS = [
    (2, {"new": 40, "assigned": 18, "in_progress": 25, "pending_customer": 12,
         "pending_supplier": 4, "resolved": 13, "cancelled": 3}),
    (OPEN_DAYS, {"assigned": 6, "in_progress": 22, "pending_customer": 14,
                 "pending_supplier": 5, "resolved": 25, "closed": 20, "cancelled": 5}),
    (WAITING_DAYS, {"pending_customer": 5, "pending_supplier": 4, "resolved": 16,
                    "closed": 70, "cancelled": 5}),
    (inf, {"resolved": 2, "closed": 93, "cancelled": 5}),
]  # fmt: skip
# The statuses a ticket may end its story in by age (days), whatever the dice said.
OPEN_STATUSES = ("new", "assigned", "in_progress")
WAITING_STATUSES = ("pending_customer", "pending_supplier")
# Each of these statuses holds at least MINIMUM incidents and requests.
SUPPORT_STATUSES = ("new", "assigned", "in_progress", "pending_customer", "pending_supplier",
                    "resolved", "cancelled")  # fmt: skip
MINIMUM = 4
LATE = 2  # open incidents past their resolution target, whichever day the demo is loaded
AT_RISK = 2  # and two past their first warning (75 %), not yet breached
PROGRESS_EVERY = 20  # tickets between two progress lines
PROBLEM_FINALS = ["closed", "closed", "pending_supplier", "resolved", "in_progress", "assigned"]
CHANGE_FINALS = ["closed", "closed", "scheduled", "resolved", "awaiting_approval", "cancelled"]


def play(
    cast: Cast, rnd: random.Random, now: datetime, progress: Callable[[str], None]
) -> dict[str, int]:
    director = Director(cast, rnd, now)
    plans = director.plan()
    for done, plan in enumerate(sorted(plans, key=lambda p: p.created), start=1):
        plan.ticket = director.play(plan)
        if done % PROGRESS_EVERY == 0 or done == len(plans):
            progress(f"Loading tickets {done}/{len(plans)}")
    progress("Linking problems, changes and duplicates")
    director.link(plans)
    statuses = Counter(Ticket.objects.values_list("status__key", flat=True))
    return {
        "tickets": Ticket.objects.count(),
        "events": TicketEvent.objects.count(),
        **{f"status:{key}": count for key, count in sorted(statuses.items())},
    }


class Director:
    def __init__(self, cast: Cast, rnd: random.Random, now: datetime) -> None:
        self.cast, self.rnd, self.now = cast, rnd, now

    # --- planning -------------------------------------------------------------------------

    def plan(self) -> list[Plan]:
        plans = [self._support_plan() for _ in range(SUPPORT_TICKETS)]
        self._fill_every_queue(plans)
        self._run_late(plans)
        originals = [p for p in plans if p.final in ("assigned", "in_progress")]
        plans += [self._duplicate(p) for p in self.rnd.sample(originals, DUPLICATES)]
        for index, story in enumerate(texts.PROBLEMS):
            problem = self._problem_plan(story, PROBLEM_FINALS[index], Kind.PROBLEM)
            change = self._problem_plan(story, CHANGE_FINALS[index], Kind.CHANGE)
            change.created = min(
                problem.created + timedelta(days=self.rnd.uniform(1, 5)),
                self.now - timedelta(hours=1),
            )
            plans += [problem, change]
        return plans

    def _support_plan(self) -> Plan:
        rnd = self.rnd
        scenario = rnd.choice(texts.SCENARIOS)
        speakers = [u for u in self.cast.requesters if u.language == scenario.language]
        requester = rnd.choice(speakers if scenario.language else self.cast.requesters)
        # Skewed towards the last few days, so the queues hold a realistic backlog of
        # recent work (about a quarter of the tickets arrived in the last OPEN_DAYS).
        created = self._arrival(requester, DAYS * rnd.random() ** 2)
        channel = rnd.choices(list(CHANNELS), weights=list(CHANNELS.values()))[0]
        plan = Plan(created, self._final(scenario, created), requester, scenario, channel=channel)
        plan.kind = scenario.kind
        plan.words = self._words(requester)
        return plan

    def _duplicate(self, original: Plan) -> Plan:
        """Someone else calls about the same thing a little later; the desk will merge it."""
        org = original.requester.organisation_id
        others = [u for u in self.cast.requesters if u.organisation_id == org]
        requester = self.rnd.choice([u for u in others if u != original.requester])
        created = original.created + timedelta(hours=self.rnd.uniform(0.3, 4))
        plan = Plan(min(created, self.now - timedelta(minutes=20)), "new", requester)
        plan.scenario, plan.kind, plan.duplicate_of = original.scenario, original.kind, original
        plan.channel, plan.words = Channel.EMAIL, {**original.words, **self._words(requester)}
        return plan

    def _problem_plan(self, story: ProblemStory, final: str, kind: str) -> Plan:
        group = self.problem_group(story)
        owner = group.manager if kind == Kind.PROBLEM and group.manager else None
        owner = owner or self.rnd.choice([m for m in self.members(group) if m != group.manager])
        created = self._arrival(owner, self.rnd.uniform(20, 45))
        plan = Plan(created, final, owner, problem=story, kind=kind, channel=Channel.WEB)
        plan.words = self._words(owner)
        return plan

    def _arrival(self, person: User, days_ago: float) -> datetime:
        """A moment in office hours, in the caller's time zone, `days_ago` days back."""
        zone = ZoneInfo(person.time_zone)
        day = (self.now - timedelta(days=days_ago)).astimezone(zone).date()
        if day.weekday() >= 5 and self.rnd.random() < 0.85:
            day -= timedelta(days=day.weekday() - 4)  # most weekend calls were Friday's
        moment = time(self.rnd.randint(7, 17), self.rnd.randint(0, 59), self.rnd.randint(0, 59))
        created = datetime.combine(day, moment, zone).astimezone(UTC)
        if created > self.now - timedelta(minutes=15):
            created = self.now - timedelta(hours=self.rnd.uniform(0.3, 5))
        return created

    def _fill_every_queue(self, plans: list[Plan]) -> None:
        """Every open status shows a few tickets, whatever the dice said: the most recent
        tickets that would have closed stay in the status that is short instead."""
        counts = Counter(p.final for p in plans)
        recent_closed = sorted(
            (p for p in plans if p.final == "closed"), key=lambda p: p.created, reverse=True
        )
        for status in SUPPORT_STATUSES:
            missing = max(MINIMUM - counts[status], 0)
            fitting = [
                p
                for p in recent_closed
                if _fits(p, status) and self._young_enough(p.created, status)
            ]
            for plan in fitting[:missing]:
                recent_closed.remove(plan)
                plan.final = status

    def _run_late(self, plans: list[Plan]) -> None:
        """A couple of open incidents are past their resolution target whenever the demo is
        loaded. The dice alone may leave none: on a Monday morning the last days' calls were
        Friday's and their office-hours clocks have hardly run since. The most urgent open
        incidents are moved back until their target (sla.TARGETS, in the client's office
        hours) passed an hour or two ago."""
        candidates = sorted(
            (
                p
                for p in plans
                if p.final in ("assigned", "in_progress")
                and p.kind == Kind.INCIDENT
                and p.scenario is not None
                and p.scenario.handover
                and p.requester.organisation is not None
                and p.requester.organisation.name in demo_sla.CLIENT_CALENDARS
            ),
            key=lambda p: (self._priority(p), -p.created.timestamp()),
        )
        late = 0
        for plan in candidates:
            if late == LATE:
                break
            moment = self._late_arrival(plan)
            if moment is not None:
                plan.created = min(plan.created, moment)
                late += 1
        self._put_at_risk(plans)

    def _put_at_risk(self, plans: list[Plan]) -> None:
        """And open tickets at 80-85 % of their resolution target: warned at 75 %, the 90 %
        warning and the breach still ahead, whatever the hour (on a Monday morning the dice
        leave none). Only ever moved back, so its history stays in the past."""
        candidates = sorted(
            (
                p
                for p in plans
                if p.final in ("assigned", "in_progress")
                and p.kind in (Kind.INCIDENT, Kind.REQUEST)
                and p.scenario is not None
                # No question to the caller, no vendor case: nothing pauses its clock, so
                # the share of the target it has used is the one chosen here.
                and not p.scenario.question
                and not p.scenario.supplier_note
                and p.requester.organisation is not None
                and p.requester.organisation.name in demo_sla.CLIENT_CALENDARS
            ),
            key=lambda p: (self._priority(p), -p.created.timestamp()),
        )
        placed = 0
        for plan in candidates:
            if placed == AT_RISK:
                break
            used = demo_sla.TARGETS[self._priority(plan)][2] * self.rnd.uniform(0.8, 0.85)
            moment = self._office_arrival(plan, used, step=timedelta(minutes=5))
            if moment is not None and moment < plan.created:
                plan.created = moment
                placed += 1

    def _priority(self, plan: Plan) -> int:
        assert plan.scenario is not None
        return compute_priority(plan.scenario.impact, plan.scenario.urgency)

    def _late_arrival(self, plan: Plan) -> datetime | None:
        """When `plan` must have arrived for its resolution target to have passed, in office
        hours; None when that is older than an incident stays in progress (OPEN_DAYS)."""
        target = demo_sla.TARGETS[self._priority(plan)][2] + self.rnd.uniform(45, 150)
        return self._office_arrival(plan, target, step=timedelta(minutes=15))

    def _office_arrival(
        self, plan: Plan, minutes: float, *, step: timedelta, days: int = OPEN_DAYS
    ) -> datetime | None:
        """The latest moment (in `step`s back from now) from which `minutes` of the client's
        office hours have passed by now; None when older than `days`."""
        assert plan.requester.organisation is not None
        name = demo_sla.CLIENT_CALENDARS[plan.requester.organisation.name]
        schedule = Calendar.objects.get(name=name).schedule()
        moment, oldest = self.now, self.now - timedelta(days=days)
        while moment > oldest:
            moment -= step
            if business_minutes_between(schedule, moment, self.now) >= minutes:
                return moment
        return None

    def _final(self, scenario: Scenario, created: datetime) -> str:
        age = self._age(created)
        weights = next(w for limit, w in FINALS if age < limit)
        final = self.rnd.choices(list(weights), weights=list(weights.values()))[0]
        if _fits_scenario(scenario, final):
            return final
        return "in_progress" if age < OPEN_DAYS else "closed"

    def _age(self, created: datetime) -> float:
        return (self.now - created).total_seconds() / 86400

    def _young_enough(self, created: datetime, status: str) -> bool:
        """Whether a ticket this old may still be in `status` (see FINALS)."""
        if status in OPEN_STATUSES:
            return self._age(created) < OPEN_DAYS
        if status in WAITING_STATUSES:
            return self._age(created) < WAITING_DAYS
        return True

    def _words(self, person: User) -> dict[str, str]:
        rnd = self.rnd
        return {
            "first": person.get_short_name(),
            "office": person.location.name if person.location else "Helsinki",
            "floor": str(rnd.randint(2, 6)),
            "asset": f"LT-{rnd.randint(10000, 99999)}",
            "case": str(rnd.randint(100000, 999999)),
        }

    # --- helpers for the stories ----------------------------------------------------------

    def members(self, group: SupportGroup) -> list[User]:
        return list(group.members.order_by("pk"))

    def group_for(self, scenario: Scenario, requester: User) -> SupportGroup:
        """The category's default group; network work goes to the caller's own office."""
        if scenario.category[0] == "Network":
            local = requester.time_zone == "Europe/Helsinki" or (
                requester.location and requester.location.time_zone == "Europe/Helsinki"
            )
            return self.cast.groups["Network Helsinki" if local else "Network Bucharest"]
        group = self.cast.categories[scenario.category].default_group
        return group or self.cast.desk

    def other_network(self, group: SupportGroup) -> SupportGroup | None:
        names = {"Network Helsinki": "Network Bucharest", "Network Bucharest": "Network Helsinki"}
        return self.cast.groups[names[group.name]] if group.name in names else None

    def problem_group(self, story: ProblemStory) -> SupportGroup:
        group = self.cast.categories[story.category].default_group or self.cast.desk
        return group if group.tier == 2 else self.cast.groups["Workplace Bucharest"]

    def resolution_hours(self, escalated: bool) -> float:
        """A resolution time drawn from the real log's distribution."""
        cuts = RESOLUTION_CUTS
        low = 8 if escalated else 0
        index = self.rnd.randrange(low, len(cuts) - 1)
        return self.rnd.uniform(cuts[index], cuts[index + 1])

    # --- playing --------------------------------------------------------------------------

    def play(self, plan: Plan) -> Ticket:
        if plan.kind == Kind.PROBLEM:
            return ProblemPlay(self, plan).play()
        if plan.kind == Kind.CHANGE:
            return ChangePlay(self, plan).play()
        return SupportPlay(self, plan).play()

    def at(self, when: datetime, tickets: list[Ticket], action: Any, *args: Any, **kw: Any) -> None:
        """One linking step at demo time `when`, touching these existing tickets."""
        latest = max(t.created_at for t in tickets) + timedelta(minutes=5)
        when = max(min(when, self.now - timedelta(minutes=1)), latest)
        timeline = Timeline(when, self.now, existing=[t.pk for t in tickets])
        timeline.do(0, action, *args, **kw)
        timeline.finish([t.pk for t in tickets])

    def link(self, plans: list[Plan]) -> None:
        """Problems gather their incidents, changes point at problems, duplicates merge."""
        rnd, operator = self.rnd, self.cast.operators[0]
        for plan in plans:
            if plan.ticket is not None:
                plan.ticket.refresh_from_db(fields=["created_at"])
        problems = [p for p in plans if p.kind == Kind.PROBLEM]
        changes = [p for p in plans if p.kind == Kind.CHANGE]
        for problem, change in zip(problems, changes, strict=True):
            assert problem.ticket and change.ticket and problem.problem
            incidents = [
                p
                for p in plans
                if p.kind == Kind.INCIDENT
                and p.scenario
                and p.scenario.category == problem.problem.category
                and p.duplicate_of is None
            ]
            for incident in rnd.sample(incidents, min(4, len(incidents))):
                assert incident.ticket
                when = max(incident.created, problem.created) + timedelta(hours=rnd.uniform(1, 30))
                pair = [incident.ticket, problem.ticket]
                self.at(when, pair, services.link_tickets, operator, *pair, LinkType.CAUSED_BY)
            pair = [change.ticket, problem.ticket]
            when = change.created + timedelta(minutes=10)
            self.at(when, pair, services.link_tickets, operator, *pair, LinkType.RELATED)
        for plan in plans:
            if plan.duplicate_of and plan.ticket and plan.duplicate_of.ticket:
                into = plan.duplicate_of.ticket
                when = plan.created + timedelta(hours=rnd.uniform(0.2, 2))
                reason = f"Same issue as {into.number}, reported by a colleague."
                pair = [plan.ticket, into]
                self.at(when, pair, services.merge_tickets, operator, *pair, reason=reason)


def _fits_scenario(scenario: Scenario, final: str) -> bool:
    """Waiting for the customer needs a question to ask; for a supplier, a supplier."""
    if final == "pending_supplier":
        return bool(scenario.supplier_note)
    if final == "pending_customer":
        return bool(scenario.question)
    return True


def _fits(plan: Plan, final: str) -> bool:
    return plan.scenario is not None and _fits_scenario(plan.scenario, final)
