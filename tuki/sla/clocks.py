"""Clock arithmetic and bookkeeping: start, pause, resume, stop and reschedule one clock.

Every change is collected in a `Work` and written in bulk by `Work.flush()`, so one ticket
and a hundred thousand go through the same code. Callers hold the ticket's transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from contextlib import nullcontext
from datetime import UTC, datetime
from typing import Any

from django.db import connection, models, transaction

from tuki.calendars.arithmetic import Schedule, add_business_minutes, business_minutes_between
from tuki.calendars.models import Calendar
from tuki.configcache import cache as configcache
from tuki.lib import taskqueue
from tuki.sla import tasks
from tuki.sla.models import (
    ACTIVE_STATES,
    BREACH,
    ClockChange,
    ClockState,
    SlaClock,
    SlaClockLog,
    SlaTimer,
)

CLOCK_FIELDS = [
    "policy",
    "agreement",
    "calendar",
    "target_minutes",
    "pauses",
    "paused_since",
    "deadline",
    "warn_at",
    "stopped_at",
    "state",
    "elapsed_minutes",
    "updated_at",
]
BATCH = 500


class Work:
    """Changes to clocks, their timers and logs, written together by `flush()`.

    A clock's timers hang on the clock object (`timers_of`), so new clocks, saved only at
    the flush, are handled like the others.
    """

    def __init__(self, at: datetime) -> None:
        self.at = at
        self.schedules: dict[int | None, Schedule] = {}
        self.reset()

    def reset(self) -> None:
        self.new_clocks: list[SlaClock] = []
        self.dirty: dict[int, SlaClock] = {}  # by id(): saved clocks that changed
        self.dirty_timers: dict[int, SlaTimer] = {}
        self.new_timers: list[SlaTimer] = []
        self.gone_timers: list[int] = []
        self.logs: list[SlaClockLog] = []
        self.plans: list[SlaTimer] = []
        self.breaches: list[tuple[SlaClock, SlaTimer]] = []

    # --- loading ---------------------------------------------------------------------------

    def schedule(self, calendar_id: int | None) -> Schedule:
        """One Schedule per calendar per operation (its arithmetic caches live on it)."""
        found = self.schedules.get(calendar_id)
        if found is None:
            found = self.schedules[calendar_id] = configcache.cached(
                f"sla.schedule.{calendar_id}", lambda: _load_schedule(calendar_id)
            )
        return found

    def load_timers(self, clocks: list[SlaClock]) -> None:
        todo = {c.pk: c for c in clocks if c.pk and not hasattr(c, "_work_timers")}
        for clock in todo.values():
            clock._work_timers = []
        ids = list(todo)
        for start in range(0, len(ids), BATCH):
            for timer in SlaTimer.objects.filter(clock_id__in=ids[start : start + BATCH]):
                timer.clock = todo[timer.clock_id]
                todo[timer.clock_id]._work_timers.append(timer)

    # --- recording -------------------------------------------------------------------------

    def touch(self, clock: SlaClock) -> None:
        clock.updated_at = self.at
        if clock.pk:
            self.dirty[id(clock)] = clock

    def log(
        self,
        clock: SlaClock,
        what: str,
        why: str,
        details: Mapping[str, object] | None = None,
        old: datetime | None = None,
    ) -> None:
        self.logs.append(
            SlaClockLog(
                clock=clock,
                at=self.at,
                what=what,
                why=why,
                details=details or {},
                old_deadline=old,
                new_deadline=clock.deadline,
            )
        )

    def flush(self, on_breach: Callable[[SlaClock, SlaTimer], None] | None = None) -> None:
        SlaClock.objects.bulk_create(self.new_clocks, batch_size=BATCH)
        SlaTimer.objects.bulk_create(self.new_timers, batch_size=BATCH)
        SlaClockLog.objects.bulk_create(self.logs, batch_size=BATCH)
        update_rows(SlaClock, list(self.dirty.values()), CLOCK_FIELDS)
        update_rows(SlaTimer, list(self.dirty_timers.values()), ["due_at", "planned_for"])
        if self.gone_timers:
            SlaTimer.objects.filter(pk__in=self.gone_timers, fired_at__isnull=True).delete()
        for clock, timer in self.breaches:
            if on_breach is not None:
                on_breach(clock, timer)
        plans = [(t, t.due_at) for t in self.plans]
        if plans and taskqueue.in_transaction():
            plan_timers(plans)  # the tasks are rows committing with the clocks
        elif plans:
            transaction.on_commit(lambda: plan_timers(plans))
        self.reset()


def _load_schedule(calendar_id: int | None) -> Schedule:
    calendar = Calendar.objects.filter(pk=calendar_id).first() if calendar_id else None
    return (calendar or Calendar.default()).schedule()


def timers_of(clock: SlaClock) -> list[SlaTimer]:
    """The clock's timers as loaded by `Work.load_timers` (a new clock's, as created)."""
    found = getattr(clock, "_work_timers", None)
    if found is None:
        found = clock._work_timers = []
    return found


def update_rows(model: type[models.Model], objs: list[Any], names: list[str]) -> None:
    """UPDATE each row with its own values in one executemany.

    Django's bulk_update builds a CASE per field and row, which costs more Python time than
    the arithmetic for a hundred thousand clocks; one prepared statement does not.
    """
    if not objs:
        return
    fields: list[models.Field[Any, Any]] = []
    columns: list[str] = []
    for name in names:
        field = model._meta.get_field(name)
        if not isinstance(field, models.Field) or field.column is None:
            raise TypeError(f"{model.__name__}.{name} is not a column")
        fields.append(field)
        columns.append(field.column)
    pk = model._meta.pk
    if pk is None or pk.column is None:
        raise TypeError(f"{model.__name__} has no primary key column")
    quote = connection.ops.quote_name
    assignments = ", ".join(f"{quote(column)} = %s" for column in columns)
    sql = f"UPDATE {quote(model._meta.db_table)} SET {assignments} WHERE {quote(pk.column)} = %s"
    rows = [
        [f.get_db_prep_save(getattr(obj, f.attname), connection) for f in fields] + [obj.pk]
        for obj in objs
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


def plan_timers(plans: list[tuple[SlaTimer, datetime | None]]) -> int:
    """Enqueue a task for the exact instant of each timer (backends that can defer only)."""
    if not tasks.can_defer():
        return 0
    # One transaction for the lot: a database queue then writes them in one commit (the
    # caller's, when it holds one).
    with transaction.atomic() if not connection.in_atomic_block else nullcontext():
        for timer, due_at in plans:
            if due_at is not None and timer.pk is not None:
                taskqueue.enqueue(
                    tasks.fire_sla_timer.using(run_after=due_at),
                    timer_id=timer.pk,
                    due_at=due_at.isoformat(),
                )
    return len(plans)


# --- arithmetic ------------------------------------------------------------------------------


def pause_spans(clock: SlaClock) -> list[tuple[datetime, datetime]]:
    return clock.pause_spans()


def elapsed(work: Work, clock: SlaClock, until: datetime) -> float:
    schedule = work.schedule(clock.calendar_id)
    return business_minutes_between(schedule, clock.started_at, until, pause_spans(clock))


def threshold_instants(work: Work, clock: SlaClock, thresholds: list[int]) -> dict[int, datetime]:
    """When each percentage of the target is used up, chained so each step adds a little."""
    schedule = work.schedule(clock.calendar_id)
    pauses = pause_spans(clock)
    instants: dict[int, datetime] = {}
    at, done = clock.started_at, 0.0
    for percent in [*thresholds, BREACH]:
        minutes = clock.target_minutes * percent / 100
        at = add_business_minutes(schedule, at, max(0.0, minutes - done), pauses)
        instants[percent], done = at, minutes
    return instants


def reschedule(work: Work, clock: SlaClock, thresholds: list[int] | None) -> None:
    """Deadline, first warning and timers from the clock's state; plan the next timer.

    `thresholds` None keeps the clock's warning percentages as they are.
    """
    work.touch(clock)
    timers = {t.percent: t for t in timers_of(clock)}
    if thresholds is None:
        thresholds = sorted(
            p for p in timers if p != BREACH and timers[p].pk not in work.gone_timers
        )
    wanted = [p for p in thresholds if p < BREACH]
    if clock.state == ClockState.RUNNING:
        instants = threshold_instants(work, clock, wanted)
        clock.deadline = instants[BREACH]
        clock.warn_at = instants[wanted[0]] if wanted else None
    else:
        instants = {}
        if clock.state != ClockState.BREACHED:
            clock.warn_at = None
        if clock.state in (ClockState.PAUSED, ClockState.CANCELLED):
            clock.deadline = None
    for percent in [*wanted, BREACH]:
        timer = timers.get(percent)
        due = instants.get(percent)
        if timer is None:
            timer = SlaTimer(clock=clock, percent=percent, due_at=due)
            work.new_timers.append(timer)
            timers_of(clock).append(timer)
            timers[percent] = timer
        elif timer.fired_at is None and timer.due_at != due:
            timer.due_at = due
            if timer.pk:
                work.dirty_timers[timer.pk] = timer
    for percent, timer in timers.items():
        if percent not in wanted and percent != BREACH and timer.fired_at is None and timer.pk:
            work.gone_timers.append(timer.pk)
    plan_next(work, clock)


def plan_next(work: Work, clock: SlaClock) -> None:
    """Only the clock's next threshold gets a task; firing it plans the one after."""
    pending = sorted(
        (t for t in timers_of(clock) if t.fired_at is None and t.due_at),
        key=lambda t: t.percent,
    )
    pending = [t for t in pending if t.pk not in work.gone_timers]
    if not pending or clock.state != ClockState.RUNNING:
        return
    timer = pending[0]
    if timer.planned_for != timer.due_at:
        timer.planned_for = timer.due_at
        if timer.pk:
            work.dirty_timers[timer.pk] = timer
        work.plans.append(timer)


# --- state changes ---------------------------------------------------------------------------


def start(
    work: Work,
    clock: SlaClock,
    thresholds: list[int],
    why: str,
    details: Mapping[str, object],
) -> SlaClock:
    """A new running clock, its timers and the log line that explains it (saved at flush)."""
    clock.state = ClockState.RUNNING
    clock.updated_at = work.at
    clock._work_timers = []
    work.new_clocks.append(clock)
    reschedule(work, clock, thresholds)
    work.log(clock, ClockChange.STARTED, why, details)
    return clock


def pause(work: Work, clock: SlaClock, why: str, details: Mapping[str, object]) -> None:
    if clock.state != ClockState.RUNNING:
        return
    old = clock.deadline
    clock.elapsed_minutes = elapsed(work, clock, work.at)
    clock.paused_since = work.at
    clock.state = ClockState.PAUSED
    reschedule(work, clock, None)
    work.log(clock, ClockChange.PAUSED, why, details, old)


def resume(
    work: Work, clock: SlaClock, thresholds: list[int], why: str, details: Mapping[str, object]
) -> None:
    if clock.state != ClockState.PAUSED:
        return
    _close_pause(clock, work.at)
    clock.state = ClockState.RUNNING
    reschedule(work, clock, thresholds)
    work.log(clock, ClockChange.RESUMED, why, details)


def _close_pause(clock: SlaClock, at: datetime) -> None:
    if clock.paused_since is not None:
        if at > clock.paused_since:
            span = [clock.paused_since.astimezone(UTC).isoformat(), at.astimezone(UTC).isoformat()]
            clock.pauses = [*clock.pauses, span]
        clock.paused_since = None


def stop(work: Work, clock: SlaClock, why: str, details: Mapping[str, object]) -> None:
    """The metric is achieved: met if in time, else breached (recorded once)."""
    if clock.stopped_at is not None or clock.state == ClockState.CANCELLED:
        return
    old = clock.deadline
    was_breached = clock.state == ClockState.BREACHED
    if clock.state == ClockState.PAUSED:
        _close_pause(clock, work.at)
        clock.state = ClockState.RUNNING
        clock.deadline = threshold_instants(work, clock, [])[BREACH]
    clock.elapsed_minutes = elapsed(work, clock, work.at)
    clock.stopped_at = work.at
    late = was_breached or clock.elapsed_minutes > clock.target_minutes
    clock.state = ClockState.BREACHED if late else ClockState.MET
    if late and not was_breached:
        breach = next((t for t in timers_of(clock) if t.percent == BREACH), None)
        if breach is not None and breach.fired_at is None:
            work.breaches.append((clock, breach))
    _cancel_timers(work, clock)
    work.touch(clock)
    what = ClockChange.STOPPED_LATE if late else ClockChange.MET
    work.log(clock, what, why, details, old)


def cancel(work: Work, clock: SlaClock, why: str, details: Mapping[str, object]) -> None:
    """The clock no longer applies (its policy has no target for it any more)."""
    if clock.state not in ACTIVE_STATES:
        return
    old = clock.deadline
    if clock.state == ClockState.RUNNING:
        clock.elapsed_minutes = elapsed(work, clock, work.at)
    _close_pause(clock, work.at)
    clock.state = ClockState.CANCELLED
    clock.deadline = clock.warn_at = None
    _cancel_timers(work, clock)
    work.touch(clock)
    work.log(clock, ClockChange.CANCELLED, why, details, old)


def _cancel_timers(work: Work, clock: SlaClock) -> None:
    for timer in timers_of(clock):
        if timer.fired_at is None and timer.due_at is not None:
            timer.due_at = None
            if timer.pk:
                work.dirty_timers[timer.pk] = timer


def retarget(
    work: Work,
    clock: SlaClock,
    *,
    target: int,
    thresholds: list[int],
    changes: Mapping[str, object],
    why: str,
    details: Mapping[str, object],
) -> bool:
    """Apply a new target, policy, agreement or calendar; log it if anything moved."""
    old_deadline, old_warn = clock.deadline, clock.warn_at
    old_target = clock.target_minutes
    moved = old_target != target
    for name, value in changes.items():
        if getattr(clock, name) != value:
            setattr(clock, name, value)
            moved = True
    clock.target_minutes = target
    if clock.state == ClockState.PAUSED:
        clock.elapsed_minutes = elapsed(work, clock, clock.paused_since or work.at)
    before = [(t.percent, t.due_at) for t in timers_of(clock)]
    reschedule(work, clock, thresholds)
    after = [(t.percent, t.due_at) for t in timers_of(clock)]
    if not moved and clock.deadline == old_deadline and clock.warn_at == old_warn:
        if before == after:
            work.dirty.pop(id(clock), None)
            return False
    if old_target != target:
        details = {**details, "old_target": old_target, "new_target": target}
    work.log(clock, ClockChange.RECOMPUTED, why, details, old_deadline)
    return True
