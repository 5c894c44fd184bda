"""Connects the SLA engine to ticket events (tuki/tickets/signals.py) and to rule changes.

Ticket events move clocks inside the ticket service's transaction. A change of a policy,
its targets, an agreement, a service or a calendar recomputes open clocks in a task after
commit; several changes in one transaction (an admin form with inlines) enqueue one task.
"""

from __future__ import annotations

from typing import Any

from django.db import models, transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver

from tuki.calendars.models import Calendar
from tuki.sla import services, tasks
from tuki.sla.models import Agreement, OlaTarget, Service, SlaPolicy, SlaTarget
from tuki.tickets.signals import event_recorded


@receiver(event_recorded)
def on_ticket_event(sender: object, event: Any, **kwargs: Any) -> None:
    services.handle_event(event)


class _Recompute:
    """One on-commit callback per transaction, collecting what changed."""

    def __init__(self) -> None:
        self.everything: str = ""
        self.calendars: dict[int, str] = {}

    def __call__(self) -> None:
        if self.everything:
            tasks.recompute_sla.enqueue(why=self.everything)
            return
        for calendar_id, name in self.calendars.items():
            tasks.recompute_sla.enqueue(why="calendar", calendar_id=calendar_id, name=name)


def _pending() -> _Recompute:
    connection = transaction.get_connection()
    for _sids, func, _robust in connection.run_on_commit:
        if isinstance(func, _Recompute):
            return func
    callback = _Recompute()
    transaction.on_commit(callback)
    return callback


def request_recompute(why: str, calendar: Calendar | None = None) -> None:
    pending = _pending()
    if calendar is None or calendar.is_default:
        # A new default calendar moves every clock that counted by the default.
        pending.everything = pending.everything or why
    else:
        pending.calendars[calendar.pk] = calendar.name


RULE_MODELS = {
    SlaPolicy: "policy",
    SlaTarget: "policy",
    OlaTarget: "policy",
    Agreement: "agreement",
    Service: "service",
}


def _rule_changed(sender: type[models.Model], **kwargs: Any) -> None:
    if kwargs.get("raw"):
        return  # loading fixtures
    request_recompute(RULE_MODELS[sender])


for _model in RULE_MODELS:
    post_save.connect(_rule_changed, sender=_model, dispatch_uid=f"sla-save-{_model.__name__}")
    post_delete.connect(_rule_changed, sender=_model, dispatch_uid=f"sla-del-{_model.__name__}")

for _through, _why in (
    (SlaPolicy.organisations.through, "policy"),
    (SlaPolicy.agreements.through, "policy"),
    (SlaPolicy.services.through, "policy"),
    (SlaPolicy.categories.through, "policy"),
    (SlaPolicy.pause_statuses.through, "policy"),
    (Agreement.services.through, "agreement"),
    (Service.categories.through, "service"),
):

    def _m2m(sender: type, action: str = "", why: str = _why, **kwargs: Any) -> None:
        if action in ("post_add", "post_remove", "post_clear"):
            request_recompute(why)

    m2m_changed.connect(_m2m, sender=_through, weak=False, dispatch_uid=f"sla-m2m-{_through}")


@receiver(post_save, sender=Calendar, dispatch_uid="sla-calendar-saved")
def on_calendar_saved(sender: type, instance: Calendar, **kwargs: Any) -> None:
    if kwargs.get("raw") or (kwargs.get("created") and not instance.is_default):
        return  # no clock counts by a calendar that did not exist
    request_recompute("calendar", instance)
