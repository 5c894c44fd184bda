"""The only way in: alerts received, de-duplicated and grouped into incidents, and the
configuration of alert sources (docs/operations.md, "Monitoring alerts").

A batch of alerts is one transaction:

1. The alerts already known are read and locked in fingerprint order (one query), so that
   two batches never wait on each other's rows in opposite orders.
2. Repeats (firing again while firing, resolved again while resolved) are one UPDATE per
   batch: the counter and `last_seen`, nothing else.
3. Everything else (a new alert, a change of state, a suppressed or flapping alert) takes
   the lock of its group key (PostgreSQL: an advisory transaction lock, taken in one order;
   SQLite serialises writers anyway) and is applied one by one: a new alert joins the open
   group of its key or opens one (get-or-create under SELECT ... FOR UPDATE, the partial
   unique index on the open key as the last guard), and its incident is created, noted or
   resolved through the tickets' services as the system.
"""

from __future__ import annotations

import hashlib
import zlib
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, OperationalError, connection, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from tuki.cmdb import impact, services as cmdb_services
from tuki.cmdb.models import (
    SERVICE_LAYERS,
    ConfigurationItem,
    Layer,
    Lifecycle,
)
from tuki.lib.errors import ServiceError
from tuki.monitoring import access, signals
from tuki.monitoring.models import Alert, AlertGroup, AlertSource, AlertState, Severity
from tuki.monitoring.payloads import Incoming
from tuki.tickets import services as tickets
from tuki.tickets.choices import (
    ActorKind,
    Impact,
    Kind,
    ResolutionCode,
    StatusCategory,
    Urgency,
)
from tuki.tickets.models import Channel, Ticket, TicketEvent

if TYPE_CHECKING:
    from tuki.accounts.models import SupportGroup, User
    from tuki.tickets.models import Category

# Impact and urgency of an incident by the severity of its alerts.
IMPACT = {
    Severity.CRITICAL: (Impact.HIGH, Urgency.HIGH),
    Severity.WARNING: (Impact.MEDIUM, Urgency.MEDIUM),
    Severity.INFO: (Impact.LOW, Urgency.LOW),
}
ACTIVE = (StatusCategory.NEW, StatusCategory.OPEN, StatusCategory.PENDING)


@dataclass
class Received:
    """What one batch did."""

    received: int = 0
    new: int = 0
    repeats: int = 0
    resolved: int = 0
    suppressed: int = 0
    opened: list[str] = field(default_factory=list)  # incident numbers
    joined: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "received": self.received,
            "new": self.new,
            "repeats": self.repeats,
            "resolved": self.resolved,
            "suppressed": self.suppressed,
            "incidents_opened": self.opened,
            "incidents_joined": sorted(set(self.joined)),
        }


# --- sources --------------------------------------------------------------------------------


def create_source(
    actor: User | None,
    *,
    name: str,
    user: User,
    group: SupportGroup | None = None,
    category: Category | None = None,
    severity_map: dict[str, str] | None = None,
    info_opens_incident: bool = False,
    flap_changes: int = 4,
    flap_minutes: int = 30,
) -> tuple[AlertSource, str]:
    """A new alert source and its token (returned once; only its digest is kept). `actor`
    None: the command line (`tuki alert_source`)."""
    if actor is not None and not access.is_admin(actor):
        raise PermissionDenied
    name = (name or "").strip()
    if not name or len(name) > 100:
        raise ServiceError(_("A name of at most 100 characters."), field="name", code="invalid")
    if AlertSource.objects.filter(name=name).exists():
        raise ServiceError(_("A source with this name exists."), field="name", code="duplicate")
    if not user.is_active:
        raise ServiceError(_("This person is inactive."), field="user", code="inactive")
    for key, value in (severity_map or {}).items():
        if value not in Severity.values or not isinstance(key, str):
            raise ServiceError(
                _("Map each label to critical, warning or info."),
                field="severity_map",
                code="invalid",
            )
    if flap_changes < 1 or flap_minutes < 1:
        raise ServiceError(_("Enter at least 1."), field="flap_changes", code="invalid")
    source = AlertSource(
        name=name,
        user=user,
        group=group,
        category=category,
        severity_map=severity_map or {},
        info_opens_incident=info_opens_incident,
        flap_changes=flap_changes,
        flap_minutes=flap_minutes,
    )
    raw = source.new_token()
    with transaction.atomic():
        source.save()
    return source, raw


def rotate_token(actor: User | None, source: AlertSource) -> str:
    if actor is not None and not access.is_admin(actor):
        raise PermissionDenied
    raw = source.new_token()
    with transaction.atomic():
        source.save()
    return raw


def posting_as(actor: User) -> AlertSource:
    """The settings an administrator's own posts use: the defaults, acting as them."""
    if not access.may_post(actor):
        raise PermissionDenied
    return AlertSource(name="api", user=actor)


# --- receiving ------------------------------------------------------------------------------


@dataclass
class _Item:
    incoming: Incoming
    times: int = 1


def _runs(incoming: list[Incoming]) -> dict[str, list[_Item]]:
    """Per fingerprint, its alerts in order with consecutive same-status repeats merged."""
    runs: dict[str, list[_Item]] = defaultdict(list)
    for alert in incoming:
        items = runs[alert.fingerprint]
        if items and items[-1].incoming.status == alert.status:
            items[-1].incoming = alert
            items[-1].times += 1
        else:
            items.append(_Item(alert))
    return runs


def receive(
    source: AlertSource, incoming: list[Incoming], *, now: datetime | None = None
) -> Received:
    """Record a batch of alerts from `source` (saved: a configured source; unsaved: an
    administrator's defaults, `posting_as`). Retries once on a deadlock or serialisation
    failure when it is the whole transaction."""
    outermost = not transaction.get_connection().in_atomic_block
    for attempt in range(3):
        try:
            return _receive(source, incoming, now or timezone.now())
        except OperationalError:
            if not outermost or attempt == 2:
                raise
    raise AssertionError("unreachable")


def _receive(source: AlertSource, incoming: list[Incoming], now: datetime) -> Received:
    stats = Received(received=len(incoming))
    runs = _runs(incoming)
    known = {
        a.fingerprint: a
        for a in Alert.objects.filter(fingerprint__in=list(runs)).only(
            "pk", "fingerprint", "state", "flapping"
        )
    }
    # 1. Repeats: one UPDATE each for the firing and the resolved ones, committed at once so
    # that their row locks are held for one statement only.
    firing: dict[int, list[int]] = defaultdict(list)  # times -> alerts
    resolved: list[int] = []
    slow: list[tuple[str, _Item]] = []
    for fingerprint, items in runs.items():
        alert = known.get(fingerprint)
        if alert is not None and len(items) == 1 and _is_repeat(alert, items[0].incoming):
            if alert.state == AlertState.FIRING:
                firing[items[0].times].append(alert.pk)
            else:
                resolved.append(alert.pk)
        else:
            slow.extend((fingerprint, item) for item in items)
    if firing or resolved:
        with transaction.atomic():
            done = set()
            for times, pks in firing.items():
                done |= _count_repeats(pks, AlertState.FIRING, times, now)
            if resolved:
                done |= _count_repeats(resolved, AlertState.RESOLVED, 0, now)
        decided = {fp for fp, _item in slow}
        for fingerprint, items in runs.items():
            alert = known.get(fingerprint)
            if alert is None or fingerprint in decided:
                continue
            if alert.pk in done:
                stats.repeats += items[0].times
            else:  # it changed meanwhile: decided below
                slow.append((fingerprint, items[0]))
    # 2. The rest, under the locks of its alerts and of their groups.
    if slow:
        with transaction.atomic():
            existing = {
                a.fingerprint: a
                for a in Alert.objects.select_for_update()
                .filter(fingerprint__in=sorted({fp for fp, _item in slow}))
                .order_by("fingerprint")
            }
            _Batch(source, now, stats, existing).apply(slow)
    return stats


def _count_repeats(pks: list[int], state: str, times: int, now: datetime) -> set[int]:
    """Count a repeat of these alerts still in `state` and not flapping; returns those
    counted. PostgreSQL locks them in id order, so that two batches never deadlock."""
    if connection.vendor != "postgresql":
        rows = Alert.objects.filter(pk__in=pks, state=state, flapping=False)
        counted = set(rows.values_list("pk", flat=True))
        rows.filter(pk__in=counted).update(count=F("count") + times, last_seen=now)
        return counted
    table = Alert._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET count = count + %s, last_seen = %s WHERE id IN ("
            f"SELECT id FROM {table} WHERE id = ANY(%s) AND state = %s AND NOT flapping "
            "ORDER BY id FOR UPDATE) RETURNING id",
            [times, now, pks, state],
        )
        return {row[0] for row in cursor.fetchall()}


def _is_repeat(alert: Alert, incoming: Incoming) -> bool:
    """Nothing to decide: the same state again, not flapping, not suppressed."""
    return not alert.flapping and alert.state == incoming.status


@contextmanager
def _group_locks(keys: set[str]) -> Iterator[None]:
    """PostgreSQL: one advisory transaction lock per group key, in one order for everyone."""
    if connection.vendor == "postgresql" and keys:
        numbers = sorted({zlib.crc32(k.encode()) for k in keys})
        with connection.cursor() as cursor:
            for number in numbers:
                cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [7421, number - 2**31])
    yield


class _Batch:
    """The alerts of one batch that need a decision; holds what they share (CIs, keys)."""

    def __init__(
        self, source: AlertSource, now: datetime, stats: Received, existing: dict[str, Alert]
    ):
        self.source, self.now, self.stats, self.existing = source, now, stats, existing
        self.cis: dict[str, ConfigurationItem] = {}
        self.services: dict[str, ConfigurationItem] = {}
        self.business: dict[int, ConfigurationItem | None] = {}
        self.maintenance: set[int] = set()
        self.groups: dict[str, AlertGroup] = {}  # open groups met in this batch, locked
        self.joins: dict[int, tuple[Ticket, list[str]]] = {}  # notes to write, per incident
        self.reason = _("Monitoring: %(source)s") % {"source": source.name}

    def apply(self, slow: list[tuple[str, _Item]]) -> None:
        self._find_items([item.incoming for _fp, item in slow])
        keys = {self.key_of(item.incoming) for _fp, item in slow}
        grouped = {a.group_id for a in self.existing.values() if a.group_id}
        if grouped:
            keys |= set(AlertGroup.objects.filter(pk__in=grouped).values_list("key", flat=True))
        ci_ids = {ci.pk for ci in self.cis.values()}
        self.maintenance = cmdb_services.in_maintenance(ci_ids, self.now)
        with _group_locks(keys), tickets.acting_as(ActorKind.SYSTEM, self.reason):
            for fingerprint, item in sorted(slow, key=lambda s: s[0]):
                self.one(fingerprint, item)
            for ticket, lines in self.joins.values():
                self._note(ticket, "\n".join(lines))

    # -- the configuration items and the group key ---------------------------------------

    def _find_items(self, incoming: list[Incoming]) -> None:
        texts = {str(a.ci) for a in incoming if a.ci is not None}
        numbers = [int(t) for t in texts if t.isascii() and t.isdigit() and len(t) < 19]
        lowered = {t.lower().rstrip(".") for t in texts}
        if texts:
            found = list(
                ConfigurationItem.objects.exclude(lifecycle=Lifecycle.RETIRED)
                .filter(
                    Q(pk__in=numbers)
                    | Q(hostname__in=lowered)
                    | Q(serial_number__in=texts)
                    | Q(name__in=texts)
                )
                .select_related("ci_class", "support_group")
            )
            by_pk = {str(c.pk): c for c in found}
            by_host = {c.hostname: c for c in found if c.hostname}
            by_serial = {c.serial_number: c for c in found if c.serial_number}
            by_name: dict[str, ConfigurationItem] = {}
            for c in found:
                by_name.setdefault(c.name, c)
            for text in texts:
                hit = (
                    by_pk.get(text)
                    or by_host.get(text.lower().rstrip("."))
                    or by_serial.get(text)
                    or by_name.get(text)
                )
                if hit is not None:
                    self.cis[text] = hit
        names = {a.service for a in incoming if a.service}
        if names:
            for ci in ConfigurationItem.objects.filter(
                name__in=names, ci_class__layer__in=SERVICE_LAYERS
            ).exclude(lifecycle=Lifecycle.RETIRED):
                self.services.setdefault(ci.name, ci)

    def ci_of(self, incoming: Incoming) -> ConfigurationItem | None:
        return self.cis.get(str(incoming.ci)) if incoming.ci is not None else None

    def business_service(self, ci: ConfigurationItem) -> ConfigurationItem | None:
        """The nearest business service that needs this item (through the relations that
        carry impact, clusters included: tuki/cmdb/impact.py), if one."""
        if ci.pk in self.business:
            return self.business[ci.pk]
        found: ConfigurationItem | None = None
        if ci.ci_class.layer == Layer.BUSINESS:
            found = ci
        else:
            steps = impact.dependants(ci.pk)
            business = sorted(
                ConfigurationItem.objects.filter(
                    pk__in=steps, ci_class__layer=Layer.BUSINESS
                ).values_list("pk", flat=True),
                key=lambda pk: (steps[pk], pk),
            )
            if business:
                found = ConfigurationItem.objects.get(pk=business[0])
        self.business[ci.pk] = found
        return found

    def key_of(self, incoming: Incoming) -> str:
        """One open incident per key: the business service (named, or found from the CI),
        else the CI, else Alertmanager's group, else the alert itself."""
        service = self.services.get(incoming.service) if incoming.service else None
        if service is not None:
            return f"ci:{service.pk}"
        ci = self.ci_of(incoming)
        if ci is not None:
            business = self.business_service(ci)
            return f"ci:{(business or ci).pk}"
        if incoming.group_key:
            key = incoming.group_key
            if len(key) > 180:
                key = hashlib.sha256(key.encode()).hexdigest()
            return f"am:{key}"
        return f"fp:{incoming.fingerprint}"

    # -- one alert -----------------------------------------------------------------------

    def one(self, fingerprint: str, item: _Item) -> None:
        incoming = item.incoming
        alert = self.existing.get(fingerprint)
        new = False
        if alert is None:
            alert, new = self._insert(incoming)
            self.existing[fingerprint] = alert
        previous = None if new else alert.state
        if previous == incoming.status:
            self.stats.repeats += item.times
        self._refresh(alert, incoming, new, item.times)
        if alert.flapping and not self._recent_changes(alert):
            alert.flapping = False  # stable for the whole window: decides again
        if incoming.status == AlertState.FIRING:
            self._firing(alert, incoming, previous)
        else:
            self._resolved(alert, incoming, previous)
        alert.save()
        if new:
            self.stats.new += 1

    def _insert(self, incoming: Incoming) -> tuple[Alert, bool]:
        alert = Alert(
            fingerprint=incoming.fingerprint,
            source=self.source if self.source.pk else None,
            name=incoming.name,
            severity=self.source.severity_of(incoming.severity),
            state=incoming.status,
            first_seen=self.now,
            last_seen=self.now,
            count=0,
        )
        try:
            with transaction.atomic():
                alert.save()
            return alert, True
        except IntegrityError:  # taken by a concurrent batch, now committed
            return Alert.objects.select_for_update().get(fingerprint=incoming.fingerprint), False

    def _refresh(self, alert: Alert, incoming: Incoming, new: bool, times: int) -> None:
        ci = self.ci_of(incoming)
        alert.name = incoming.name or alert.name
        alert.severity = self.source.severity_of(incoming.severity)
        alert.ci = ci if ci is not None else alert.ci
        alert.ci_text = str(incoming.ci or "")[:255]
        alert.service = incoming.service
        alert.group_key = self.key_of(incoming)
        alert.summary = incoming.summary
        alert.description = incoming.description
        alert.labels = incoming.labels
        alert.annotations = incoming.annotations
        alert.generator_url = incoming.generator_url
        alert.starts_at = incoming.starts_at or alert.starts_at
        alert.ends_at = incoming.ends_at
        alert.last_seen = self.now
        if incoming.status == AlertState.FIRING:
            alert.count += times
        elif new:
            alert.count = 1

    # -- flapping -------------------------------------------------------------------------

    def _window(self) -> timedelta:
        return timedelta(minutes=self.source.flap_minutes or 30)

    def _recent_changes(self, alert: Alert) -> list[str]:
        since = (self.now - self._window()).isoformat()
        return [c for c in alert.changes or [] if isinstance(c, str) and c > since]

    def _changed(self, alert: Alert) -> None:
        """It went firing ↔ resolved: counted; too many in the window make it flapping."""
        alert.changes = [*self._recent_changes(alert), self.now.isoformat()][-50:]
        if not alert.flapping and len(alert.changes) > (self.source.flap_changes or 4):
            alert.flapping = True
            ticket = self._open_ticket(alert.group)
            if ticket is not None:
                self._note(
                    ticket,
                    _(
                        "Alert %(name)s is flapping (%(count)d changes in %(minutes)d "
                        "minutes): it no longer resolves or reopens this incident until it "
                        "is stable for %(minutes)d minutes."
                    )
                    % {
                        "name": alert.name,
                        "count": len(alert.changes),
                        "minutes": self.source.flap_minutes,
                    },
                )

    # -- firing ---------------------------------------------------------------------------

    def _firing(self, alert: Alert, incoming: Incoming, previous: str | None) -> None:
        if previous == AlertState.FIRING:
            return
        if previous == AlertState.RESOLVED:
            self._changed(alert)
        if alert.ci_id is not None and alert.ci_id in self.maintenance:
            alert.state = AlertState.SUPPRESSED
            self.stats.suppressed += 1
            return
        alert.state = AlertState.FIRING
        if alert.severity == Severity.INFO and not self.source.info_opens_incident:
            return
        if alert.flapping and alert.group_id is not None:
            return  # stays where it is: no reopening, no note
        self._attach(alert, incoming)

    def _attach(self, alert: Alert, incoming: Incoming) -> None:
        group, created = self._open_group(alert.group_key)
        if created:
            reopened = self._reopened(group)
            ticket = reopened or self._create_incident(alert, incoming)
            group.ticket = ticket
            group.save(update_fields=["ticket"])
            self.stats.opened.append(ticket.number)
            if reopened is None:
                signals.incident_opened.send(Alert, alert=alert, ticket=ticket, now=self.now)
        else:
            current = group.ticket
            assert current is not None  # an open group always has its incident
            ticket = current
            if alert.group_id != group.pk:
                # One note per incident and batch, a line per alert that joined.
                self.joins.setdefault(ticket.pk, (ticket, []))[1].append(
                    _("Related alert %(name)s joined this incident%(where)s: %(summary)s")
                    % {
                        "name": alert.name,
                        "where": f" ({alert.ci})" if alert.ci_id else "",
                        "summary": alert.summary or alert.name,
                    }
                )
                self._escalate(ticket, alert)
            self.stats.joined.append(ticket.number)
        alert.group = group
        if alert.ci is not None:
            cmdb_services.name_affected(None, ticket, [alert.ci])

    def _open_group(self, key: str) -> tuple[AlertGroup, bool]:
        """The open group of `key`, or a new one (True): get-or-create under a row lock,
        the partial unique index deciding between concurrent creators."""
        if key in self.groups:
            return self.groups[key], False
        for _attempt in range(5):
            group = (
                AlertGroup.objects.select_for_update(of=("self",))
                .filter(key=key, closed_at__isnull=True)
                .select_related("ticket__status")
                .first()
            )
            if group is not None:
                if group.ticket is not None and group.ticket.status.category in ACTIVE:
                    self.groups[key] = group
                    return group, False
                # Its incident was resolved or closed by hand: the group ends there.
                group.closed_at = self.now
                group.save(update_fields=["closed_at"])
                continue
            try:
                with transaction.atomic():
                    group = AlertGroup.objects.create(key=key, opened_at=self.now)
                self.groups[key] = group
                return group, True
            except IntegrityError:
                continue
        raise OperationalError("alert group contention")  # retried by `receive`

    def _reopened(self, group: AlertGroup) -> Ticket | None:
        """The incident this key's alerts resolved by themselves, reopened, if still
        resolved (not closed) and within the flapping window."""
        last = (
            AlertGroup.objects.filter(
                key=group.key,
                closed_at__gte=self.now - self._window(),
                auto_resolved=True,
                ticket__isnull=False,
            )
            .exclude(pk=group.pk)
            .select_related("ticket__status")
            .order_by("-closed_at")
            .first()
        )
        if last is None or last.ticket is None:
            return None
        ticket = last.ticket
        if ticket.status.category != StatusCategory.RESOLVED:
            return None
        try:
            tickets.reopen_ticket(None, ticket)
        except ServiceError:
            return None
        self._note(ticket, _("Alerts fire again: the incident is reopened."))
        return ticket

    def _create_incident(self, alert: Alert, incoming: Incoming) -> Ticket:
        impact, urgency = IMPACT[Severity(alert.severity)]
        where = str(alert.ci) if alert.ci is not None else (incoming.service or "")
        title = f"{alert.name} — {where}" if where else alert.name
        lines = [alert.summary, alert.description]
        lines += [f"{k}: {v}" for k, v in sorted(alert.labels.items())]
        if alert.generator_url:
            lines.append(alert.generator_url)
        return tickets.create_ticket(
            None,
            title=title,
            requester=self.source.user,
            description="\n".join(line for line in lines if line),
            kind=Kind.INCIDENT,
            category=self.source.category,
            impact=impact,
            urgency=urgency,
            channel=Channel.API,
            group=self.source.group or (alert.ci.support_group if alert.ci else None),
            actor_kind=ActorKind.SYSTEM,
        )

    def _escalate(self, ticket: Ticket, alert: Alert) -> None:
        """A critical alert joining a milder incident raises its impact and urgency."""
        impact, urgency = IMPACT[Severity(alert.severity)]
        if impact < ticket.impact or urgency < ticket.urgency:
            tickets.update_ticket(
                None,
                ticket,
                impact=min(impact, ticket.impact),
                urgency=min(urgency, ticket.urgency),
            )

    # -- resolved -------------------------------------------------------------------------

    def _resolved(self, alert: Alert, incoming: Incoming, previous: str | None) -> None:
        if previous in (None, AlertState.SUPPRESSED):
            alert.state = AlertState.RESOLVED
            return
        if previous == AlertState.FIRING:
            self._changed(alert)
            alert.state = AlertState.RESOLVED
            alert.ends_at = incoming.ends_at or self.now
            self.stats.resolved += 1
        if not alert.flapping:
            alert.save()
            self._maybe_resolve(alert.group)

    def _maybe_resolve(self, group: AlertGroup | None) -> None:
        """When no alert of the group fires any more: resolve its incident if nobody has
        worked it by hand, else only say so."""
        if group is None:
            return
        group = (
            AlertGroup.objects.select_for_update(of=("self",))
            .select_related("ticket__status")
            .get(pk=group.pk)
        )
        if group.closed_at is not None or group.ticket is None:
            return
        if Alert.objects.filter(group=group, state=AlertState.FIRING).exists():
            return
        ticket = group.ticket
        if ticket.status.category not in ACTIVE:
            group.closed_at = self.now
            group.save(update_fields=["closed_at"])
            self.groups.pop(group.key, None)
            return
        if TicketEvent.objects.filter(ticket=ticket, actor__isnull=False).exists():
            self._note(ticket, _("All alerts resolved; the incident is left to its agents."))
            return
        self._note(ticket, _("All alerts resolved."))
        tickets.resolve_ticket(
            None, ticket, code=ResolutionCode.SOLVED, resolution=_("All alerts resolved.")
        )
        group.closed_at, group.auto_resolved = self.now, True
        group.save(update_fields=["closed_at", "auto_resolved"])
        self.groups.pop(group.key, None)

    # -- helpers --------------------------------------------------------------------------

    def _open_ticket(self, group: AlertGroup | None) -> Ticket | None:
        if group is None or group.closed_at is not None or group.ticket_id is None:
            return None
        return group.ticket

    def _note(self, ticket: Ticket, body: str) -> None:
        tickets.add_comment(None, ticket, body, internal=True, actor_kind=ActorKind.SYSTEM)
