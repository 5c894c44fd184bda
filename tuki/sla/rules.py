"""Writing the SLA rules (services, agreements, policies): the only way in for the API.

Administrators only. Every field is checked before anything is written and a refusal names
the field (ServiceError), so nothing is half-written. Saving a rule recomputes the open
clocks after commit (receivers.py).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any, TypeVar

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils.translation import gettext as _

from tuki.accounts.models import Organisation, SupportGroup, User
from tuki.calendars.models import Calendar
from tuki.lib.errors import ServiceError
from tuki.sla.models import (
    Agreement,
    OlaTarget,
    Service,
    SlaPolicy,
    SlaTarget,
    validate_thresholds,
)
from tuki.tickets.models import Category, Status

M = TypeVar("M", bound=models.Model)


def may_change_rules(user: User) -> bool:
    return bool(user.is_authenticated and user.role == "admin")


def _check(actor: User) -> None:
    if not may_change_rules(actor):
        raise PermissionDenied(_("Only administrators may change service levels."))


def _one(model: type[M], pk: int | None, field: str) -> M | None:
    if pk is None:
        return None
    found = model._default_manager.filter(pk=pk).first()
    if found is None:
        raise ServiceError(_("Unknown or not allowed."), field=field, code="does_not_exist")
    return found


def _many(model: type[M], pks: Iterable[int], field: str) -> list[M]:
    wanted = set(pks)
    found = list(model._default_manager.filter(pk__in=wanted))
    if len(found) != len(wanted):
        raise ServiceError(_("Unknown or not allowed."), field=field, code="does_not_exist")
    return found


def _name(value: str, model: type[models.Model], instance: models.Model) -> str:
    name = (value or "").strip()
    if not name:
        raise ServiceError(_("A name is required."), field="name", code="required")
    taken = model._default_manager.filter(name__iexact=name).exclude(pk=instance.pk)
    if taken.exists():
        raise ServiceError(
            _("%(name)s exists already.") % {"name": name}, field="name", code="duplicate"
        )
    return name


def _validate(instance: models.Model, exclude: list[str]) -> None:
    """The model's own rules (clean, constraints), reported on the first field at fault."""
    try:
        instance.full_clean(exclude=exclude, validate_unique=False)
    except ValidationError as exc:
        field, messages = next(iter(exc.message_dict.items()))
        raise ServiceError(
            messages[0], field=None if field == "__all__" else field, code="invalid"
        ) from None


# --- services ----------------------------------------------------------------------------------


def save_service(actor: User, service: Service, data: dict[str, Any]) -> Service:
    """Create (unsaved `service`) or change a service; only the keys in `data` change."""
    _check(actor)
    if "name" in data or service.pk is None:
        service.name = _name(data.get("name", ""), Service, service)
    service.description = data.get("description", service.description)
    service.is_active = data.get("is_active", service.is_active)
    categories = _many(Category, data["categories"], "categories") if "categories" in data else None
    with transaction.atomic():
        service.save()
        if categories is not None:
            service.categories.set(categories)
    return service


# --- agreements --------------------------------------------------------------------------------


def save_agreement(actor: User, agreement: Agreement, data: dict[str, Any]) -> Agreement:
    _check(actor)
    if "name" in data or agreement.pk is None:
        agreement.name = (data.get("name") or "").strip()
        if not agreement.name:
            raise ServiceError(_("A name is required."), field="name", code="required")
    if "organisation" in data or agreement.pk is None:
        organisation = _one(Organisation, data.get("organisation"), "organisation")
        if organisation is None:
            raise ServiceError(_("Choose an organisation."), field="organisation", code="required")
        agreement.organisation = organisation
    if "policy" in data:
        agreement.policy = _one(SlaPolicy, data["policy"], "policy")
    if "calendar" in data:
        agreement.calendar = _one(Calendar, data["calendar"], "calendar")
    for key in ("valid_from", "valid_until", "is_active", "target_percent"):
        if key in data:
            setattr(agreement, key, data[key])
    if agreement.valid_from is None:
        agreement.valid_from = date.today()
    services = _many(Service, data["services"], "services") if "services" in data else None
    _validate(agreement, exclude=["services"])
    with transaction.atomic():
        agreement.save()
        if services is not None:
            agreement.services.set(services)
    return agreement


# --- policies ----------------------------------------------------------------------------------

RELATIONS = {
    "organisations": Organisation,
    "agreements": Agreement,
    "services": Service,
    "categories": Category,
}


def save_policy(actor: User, policy: SlaPolicy, data: dict[str, Any]) -> SlaPolicy:
    """Create or change a policy; `targets` and `ola_targets`, when given, replace the old."""
    _check(actor)
    if "name" in data or policy.pk is None:
        policy.name = _name(data.get("name", ""), SlaPolicy, policy)
    for key in ("description", "order", "is_active", "kinds", "priorities"):
        if key in data:
            setattr(policy, key, data[key])
    if "warning_thresholds" in data:
        try:
            validate_thresholds(data["warning_thresholds"])
        except ValidationError as exc:
            raise ServiceError(exc.messages[0], field="warning_thresholds") from None
        policy.warning_thresholds = sorted(data["warning_thresholds"])
    if "calendar" in data:
        policy.calendar = _one(Calendar, data["calendar"], "calendar")
    relations: dict[str, Sequence[models.Model]] = {
        key: _many(model, data[key], key) for key, model in RELATIONS.items() if key in data
    }
    if "pause_statuses" in data:
        relations["pause_statuses"] = _statuses(data["pause_statuses"])
    targets = _targets(data["targets"]) if "targets" in data else None
    olas = _olas(data["ola_targets"]) if "ola_targets" in data else None
    _validate(policy, exclude=[*RELATIONS, "pause_statuses", "calendar"])
    with transaction.atomic():
        policy.save()
        for key, rows in relations.items():
            getattr(policy, key).set(rows)
        # One save per target, not bulk_create: the audit trail (tuki/audit) sees only saves.
        if targets is not None:
            policy.targets.all().delete()
            for t in targets:
                SlaTarget(policy=policy, **t).save()
        if olas is not None:
            policy.ola_targets.all().delete()
            for o in olas:
                OlaTarget(policy=policy, **o).save()
    return policy


def _statuses(keys: Iterable[str]) -> list[Status]:
    wanted = set(keys)
    found = list(Status.objects.filter(key__in=wanted))
    if len(found) != len(wanted):
        raise ServiceError(_("Unknown status."), field="pause_statuses", code="unknown_status")
    return found


def _targets(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    priorities = [row["priority"] for row in rows]
    if len(set(priorities)) != len(priorities):
        raise ServiceError(
            _("One target per priority."), field="targets", code="duplicate_priority"
        )
    return rows


def _olas(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    groups = {g.pk: g for g in _many(SupportGroup, {r["group"] for r in rows}, "ola_targets")}
    keys = [(row["group"], row.get("priority")) for row in rows]
    if len(set(keys)) != len(keys):
        raise ServiceError(
            _("One target per group and priority."), field="ola_targets", code="duplicate"
        )
    return [
        {"group": groups[row["group"]], "priority": row.get("priority"), "minutes": row["minutes"]}
        for row in rows
    ]
