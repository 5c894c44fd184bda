"""Which policy, agreement, service and calendar apply to a ticket, and why.

`Rules.load()` reads every active policy, service and agreement once (a handful of queries),
so matching one ticket or a hundred thousand costs the same few queries. A process keeps
what it loaded while the configuration tables are unchanged (tuki/configcache/cache.py: one
query tells, so a change made by another process is seen at once); the loaded rules are
shared between requests and must not be changed.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from django.utils import timezone

from tuki.calendars.models import Calendar
from tuki.configcache import cache as configcache
from tuki.sla.models import (
    Agreement,
    Metric,
    Service,
    SlaPolicy,
    SlaTarget,
)
from tuki.tickets.models import Category, StatusCategory, Ticket

SEP = " › "  # Category.path separator


def _under(path: str, ancestors: Iterable[str]) -> bool:
    return any(path == a or path.startswith(a + SEP) for a in ancestors)


@dataclass
class PolicyRules:
    """A policy with its conditions and targets preloaded."""

    policy: SlaPolicy
    organisation_ids: frozenset[int]
    agreement_ids: frozenset[int]
    service_ids: frozenset[int]
    category_paths: tuple[str, ...]
    pause_status_ids: frozenset[int]
    targets: dict[int, SlaTarget]
    ola: dict[tuple[int, int | None], int]  # (group id, priority or None) -> minutes

    def target_minutes(self, metric: str, priority: int, group_id: int | None = None) -> int | None:
        if metric == Metric.OLA:
            if group_id is None:
                return None
            return self.ola.get((group_id, priority), self.ola.get((group_id, None)))
        target = self.targets.get(priority)
        return target.minutes_for(metric) if target else None

    def pauses_on(self, status_id: int, category: str) -> bool:
        if self.pause_status_ids:
            return status_id in self.pause_status_ids
        return category == StatusCategory.PENDING

    @property
    def thresholds(self) -> list[int]:
        return sorted(set(self.policy.warning_thresholds or []))


@dataclass
class Match:
    """The policy that applies to a ticket, with everything needed to explain it."""

    rules: PolicyRules
    agreement: Agreement | None
    service: Service | None
    calendar_id: int
    calendar_source: str  # "policy", "agreement" or "default"
    conditions: list[list[str]] = field(default_factory=list)

    @property
    def policy(self) -> SlaPolicy:
        return self.rules.policy

    def explanation(self) -> dict[str, object]:
        """Stored with the clock's log; explain.py turns it into a sentence at display time."""
        return {
            "policy": self.policy.name,
            "conditions": self.conditions,
            "agreement": self.agreement.name if self.agreement else "",
            "service": self.service.name if self.service else "",
            "calendar_source": self.calendar_source,
        }


@dataclass
class Rules:
    policies: list[PolicyRules]
    by_policy_id: dict[int, PolicyRules]
    services: list[tuple[Service, tuple[str, ...]]]
    agreements: dict[int, list[tuple[Agreement, frozenset[int]]]]
    default_calendar_id: int

    @classmethod
    def load(cls) -> Rules:
        return configcache.cached("sla.rules", cls._load)

    @classmethod
    def _load(cls) -> Rules:
        policies = [_policy_rules(p) for p in _policies()]
        services = [
            (s, tuple(c.path for c in s.categories.all()))
            for s in Service.objects.filter(is_active=True).prefetch_related("categories")
        ]
        agreements: dict[int, list[tuple[Agreement, frozenset[int]]]] = {}
        for agreement in Agreement.objects.filter(is_active=True).prefetch_related("services"):
            ids = frozenset(s.pk for s in agreement.services.all())
            agreements.setdefault(agreement.organisation_id, []).append((agreement, ids))
        return cls(
            policies=policies,
            by_policy_id={p.policy.pk: p for p in policies},
            services=services,
            agreements=agreements,
            default_calendar_id=Calendar.default().pk,
        )

    def service_for(self, category: Category | None) -> Service | None:
        """The service whose categories hold the ticket's category most closely."""
        if category is None:
            return None
        best, depth = None, -1
        for service, paths in self.services:
            for path in paths:
                if _under(category.path, [path]) and path.count(SEP) > depth:
                    best, depth = service, path.count(SEP)
        return best

    def agreement_for(self, ticket: Ticket, service: Service | None) -> Agreement | None:
        """The organisation's agreement in force when the ticket was opened, if it covers the
        ticket's service (an agreement naming no services covers every service)."""
        if ticket.organisation_id is None:
            return None
        day = _local_date(ticket)
        found = [
            agreement
            for agreement, service_ids in self.agreements.get(ticket.organisation_id, [])
            if agreement.valid_on(day)
            and (not service_ids or (service is not None and service.pk in service_ids))
        ]
        return max(found, key=lambda a: (a.valid_from, a.pk), default=None)

    def match(self, ticket: Ticket) -> Match | None:
        service = self.service_for(ticket.category)
        agreement = self.agreement_for(ticket, service)
        candidates = list(self.policies)
        named = (
            self.by_policy_id.get(agreement.policy_id)
            if agreement and agreement.policy_id
            else None
        )
        if named is not None:
            candidates.remove(named)
            candidates.insert(0, named)
        for rules in candidates:
            conditions = _conditions_met(rules, ticket, agreement, service)
            if conditions is None:
                continue
            if rules is named and agreement is not None:
                conditions.insert(0, ["agreement_policy", agreement.name])
            return self._match(rules, agreement, service, conditions)
        return None

    def _match(
        self,
        rules: PolicyRules,
        agreement: Agreement | None,
        service: Service | None,
        conditions: list[list[str]],
    ) -> Match:
        if rules.policy.calendar_id:
            calendar_id, source = rules.policy.calendar_id, "policy"
        elif agreement is not None and agreement.calendar_id:
            calendar_id, source = agreement.calendar_id, "agreement"
        else:
            calendar_id, source = self.default_calendar_id, "default"
        return Match(rules, agreement, service, calendar_id, source, conditions)


def _conditions_met(
    rules: PolicyRules, ticket: Ticket, agreement: Agreement | None, service: Service | None
) -> list[list[str]] | None:
    """The conditions that held, as [code, value] pairs; None if one did not."""
    policy = rules.policy
    met: list[list[str]] = []
    if policy.kinds:
        if ticket.kind not in policy.kinds:
            return None
        met.append(["kind", ticket.kind])
    if policy.priorities:
        if ticket.priority not in policy.priorities:
            return None
        met.append(["priority", str(ticket.priority)])
    if rules.organisation_ids:
        if ticket.organisation_id not in rules.organisation_ids:
            return None
        met.append(["organisation", str(ticket.organisation)])
    if rules.agreement_ids:
        if agreement is None or agreement.pk not in rules.agreement_ids:
            return None
        met.append(["agreement", agreement.name])
    if rules.service_ids:
        if service is None or service.pk not in rules.service_ids:
            return None
        met.append(["service", service.name])
    if rules.category_paths:
        if ticket.category is None or not _under(ticket.category.path, rules.category_paths):
            return None
        met.append(["category", ticket.category.path])
    if not met:
        met.append(["any", ""])
    return met


def _policies() -> Iterable[SlaPolicy]:
    return SlaPolicy.objects.filter(is_active=True).prefetch_related(
        "organisations",
        "agreements",
        "services",
        "categories",
        "pause_statuses",
        "targets",
        "ola_targets",
    )


def _policy_rules(policy: SlaPolicy) -> PolicyRules:
    ola = {(t.group_id, t.priority): t.minutes for t in policy.ola_targets.all()}
    return PolicyRules(
        policy=policy,
        organisation_ids=frozenset(o.pk for o in policy.organisations.all()),
        agreement_ids=frozenset(a.pk for a in policy.agreements.all()),
        service_ids=frozenset(s.pk for s in policy.services.all()),
        category_paths=tuple(c.path for c in policy.categories.all()),
        pause_status_ids=frozenset(s.pk for s in policy.pause_statuses.all()),
        targets={t.priority: t for t in policy.targets.all()},
        ola=ola,
    )


def _local_date(ticket: Ticket) -> date:
    created = ticket.created_at or timezone.now()
    return timezone.localtime(created, timezone.get_default_timezone()).date()
