"""Declaring and ending outages, and outages from incidents.

The hook for monitoring (and any other system source): call `declare_outage(None, ...,
source=Source.ALERT, alert_ref="<the alert's id>")` when an alert means a service or item
is down, and `end_outage(None, outage)` when it clears (`ongoing_for_alert(alert_ref)` finds
it again). `actor=None` is the system: the caller has done its own checks. A person's call
is checked by `access.may_declare`.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tuki.availability import access
from tuki.availability.models import Impact, Outage, Source
from tuki.cmdb import impact
from tuki.cmdb.models import AffectedItem, ConfigurationItem
from tuki.lib.errors import ServiceError
from tuki.monitoring.models import Alert, Severity
from tuki.sla.models import Service
from tuki.tickets.access import can_work, may_see
from tuki.tickets.models import Kind, StatusCategory, Ticket

if TYPE_CHECKING:
    from tuki.accounts.models import User

TITLE_MAX = 200


def _check_range(starts_at: datetime | None, ends_at: datetime | None, planned: bool) -> None:
    if starts_at is None:
        raise ServiceError(_("Say when it started."), field="starts_at", code="required")
    if timezone.is_naive(starts_at) or (ends_at is not None and timezone.is_naive(ends_at)):
        raise ServiceError(_("Give a time with its time zone."), field="starts_at")
    if ends_at is not None and ends_at <= starts_at:
        raise ServiceError(_("The end must be after the start."), field="ends_at", code="range")
    if not planned and starts_at > timezone.now() + timedelta(minutes=5):
        raise ServiceError(
            _("Only a planned outage can start in the future."),
            field="starts_at",
            code="future",
        )


def _check_impact(impact: str, degradation: int | None) -> int | None:
    if impact not in Impact.values:
        raise ServiceError(_("Choose full or partial."), field="impact", code="invalid")
    if impact == Impact.FULL:
        return None
    if degradation is None or not 1 <= degradation <= 99:
        raise ServiceError(
            _("A partial outage loses between 1 and 99 percent of the service."),
            field="degradation",
            code="range",
        )
    return degradation


def _check_title(title: str) -> str:
    title = (title or "").strip()
    if not title:
        raise ServiceError(_("Give the outage a public title."), field="title", code="required")
    if len(title) > TITLE_MAX:
        raise ServiceError(_("At most %(count)d characters.") % {"count": TITLE_MAX}, field="title")
    return title


def _target(service: Service | None, ci: ConfigurationItem | None) -> Service | None:
    """The service the outage counts against: the given one, or the item's."""
    if ci is not None and ci.service_id is not None:
        if service is not None and service.pk != ci.service_id:
            raise ServiceError(_("This item is another service's."), field="ci", code="mismatch")
        return ci.service
    if service is None and ci is None:
        raise ServiceError(_("Choose a service."), field="service", code="required")
    return service


def declare_outage(
    actor: User | None,
    *,
    service: Service | None = None,
    ci: ConfigurationItem | None = None,
    starts_at: datetime | None = None,
    ends_at: datetime | None = None,
    planned: bool = False,
    impact: str = Impact.FULL,
    degradation: int | None = None,
    title: str = "",
    notice: str = "",
    source: str = Source.DECLARED,
    ticket: Ticket | None = None,
    alert_ref: str = "",
) -> Outage:
    """Record an outage (ongoing while `ends_at` is empty). `actor` None is the system."""
    service = _target(service, ci)
    if actor is not None and not access.may_declare(actor, service, ci):
        raise PermissionDenied
    _check_range(starts_at, ends_at, planned)
    assert starts_at is not None  # _check_range refuses None
    degradation = _check_impact(impact, degradation)
    if source not in Source.values:
        raise ServiceError(_("Unknown source."), field="source")
    outage = Outage(
        service=service,
        ci=ci,
        starts_at=starts_at,
        ends_at=ends_at,
        planned=planned,
        impact=impact,
        degradation=degradation,
        title=_check_title(title),
        notice=(notice or "").strip(),
        source=source,
        ticket=ticket,
        alert_ref=alert_ref[:100],
        declared_by=actor,
        ended_by=actor if ends_at is not None else None,
    )
    with transaction.atomic():
        outage.save()
    return outage


def end_outage(actor: User | None, outage: Outage, at: datetime | None = None) -> Outage:
    """End an ongoing outage at `at` (now by default)."""
    if actor is not None and not access.may_declare(actor, outage.service, outage.ci):
        raise PermissionDenied
    at = at or timezone.now()
    if outage.ends_at is not None:
        raise ServiceError(_("This outage has ended already."), field="ends_at", code="ended")
    if at <= outage.starts_at:
        raise ServiceError(_("The end must be after the start."), field="ends_at", code="range")
    with transaction.atomic():
        locked = Outage.objects.select_for_update().get(pk=outage.pk)
        if locked.ends_at is not None:
            raise ServiceError(_("This outage has ended already."), field="ends_at", code="ended")
        locked.ends_at, locked.ended_by = at, actor
        locked.save(update_fields=["ends_at", "ended_by"])
    outage.ends_at, outage.ended_by = at, actor
    return outage


def ongoing_for_alert(alert_ref: str) -> Outage | None:
    """The ongoing outage a monitoring alert declared (to end it when the alert clears)."""
    return Outage.objects.filter(alert_ref=alert_ref, ends_at__isnull=True).first()


def affected_services(ticket: Ticket) -> list[tuple[ConfigurationItem, Service]]:
    """The ticket's affected items that are a catalogue service's, with that service."""
    items = AffectedItem.objects.filter(ticket=ticket, ci__service__isnull=False).select_related(
        "ci__service", "ci__support_group"
    )
    return [(a.ci, a.ci.service) for a in items if a.ci.service is not None]


def outage_from_ticket(
    actor: User,
    ticket: Ticket,
    *,
    starts_at: datetime | None = None,
    impact: str = Impact.FULL,
    degradation: int | None = None,
    title: str = "",
    notice: str = "",
) -> list[Outage]:
    """Mark an incident as an outage of each service it affects that the actor may declare
    for. It starts at the ticket's creation (or `starts_at`) and ends when the ticket is
    resolved (receivers.py); a ticket resolved already gives an ended outage."""
    if not may_see(actor, ticket) or not (can_work(actor, ticket) or access.is_admin(actor)):
        raise PermissionDenied
    if ticket.kind != Kind.INCIDENT:
        raise ServiceError(_("Only an incident is an outage."), field="ticket", code="kind")
    pairs = affected_services(ticket)
    if not pairs:
        raise ServiceError(
            _("The ticket names no affected business service."), field="ticket", code="none"
        )
    allowed = [(ci, s) for ci, s in pairs if access.may_declare(actor, s, ci)]
    if not allowed:
        raise PermissionDenied
    already = set(
        Outage.objects.filter(ticket=ticket, ends_at__isnull=True).values_list(
            "service_id", flat=True
        )
    )
    start = starts_at or ticket.created_at
    resolved = ticket.resolved_at if ticket.status.category in RESOLVED else None
    made = []
    with transaction.atomic():
        for ci, service in allowed:
            if service.pk in already:
                continue
            made.append(
                declare_outage(
                    actor,
                    service=service,
                    ci=ci,
                    starts_at=start,
                    ends_at=resolved if resolved and resolved > start else None,
                    impact=impact,
                    degradation=degradation,
                    title=title or _("%(service)s is disrupted") % {"service": service.name},
                    notice=notice,
                    source=Source.INCIDENT,
                    ticket=ticket,
                )
            )
    if not made:
        raise ServiceError(
            _("This incident is an ongoing outage already."), field="ticket", code="duplicate"
        )
    return made


RESOLVED = (StatusCategory.RESOLVED, StatusCategory.CLOSED)


def ticket_resolved(ticket: Ticket, at: datetime) -> int:
    """End the ongoing outages of a ticket just resolved (or closed); the count ended.
    Called inside the ticket service's transaction (receivers.py)."""
    ongoing = list(Outage.objects.filter(ticket=ticket, ends_at__isnull=True))
    for outage in ongoing:
        outage.ends_at = max(at, outage.starts_at + timedelta(microseconds=1))
        outage.save(update_fields=["ends_at"])
    return len(ongoing)


# A critical alert that opens an incident is an unplanned outage of the business services
# its item's failure reaches (tuki/cmdb/impact.py): full where they are down, partial where
# they are degraded (a cluster that lost a member but kept its quorum). The outage belongs to
# the incident, so it ends when the incident is resolved (ticket_resolved).
DEGRADED_SHARE = 50  # percent of a degraded service counted as lost


def outages_from_alert(alert: Alert, ticket: Ticket, now: datetime) -> list[Outage]:
    if alert.severity != Severity.CRITICAL or alert.ci_id is None:
        return []
    result = impact.analyse([alert.ci_id], at=now)
    states = {pk: r.state for pk, r in result.items.items()}
    states[alert.ci_id] = impact.DOWN
    items = ConfigurationItem.objects.filter(
        pk__in=[pk for pk, s in states.items() if s in (impact.DOWN, impact.DEGRADED)],
        service__isnull=False,
    ).select_related("service")
    made = []
    for ci in items:
        if Outage.objects.filter(service=ci.service, ticket=ticket, ends_at__isnull=True).exists():
            continue
        full = states[ci.pk] == impact.DOWN
        made.append(
            declare_outage(
                None,
                service=ci.service,
                ci=ci,
                starts_at=min(alert.starts_at or now, now),
                impact=Impact.FULL if full else Impact.PARTIAL,
                degradation=None if full else DEGRADED_SHARE,
                title=ci.name,
                source=Source.ALERT,
                ticket=ticket,
                alert_ref=str(alert.pk),
            )
        )
    return made
