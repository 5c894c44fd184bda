"""Defining custom fields (the console's pages and any other caller): administrators only.

Saves, not update(): the audit trail (tuki/audit) records configuration changes from saves.
A field's key names its values in every ticket, so it is fixed once the field exists; its
type cannot change while tickets hold values for it (they would no longer fit).
"""

from __future__ import annotations

import re
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tuki.accounts.models import User
from tuki.lib.errors import ServiceError, ServiceErrors
from tuki.tickets.fields import KEY_RE
from tuki.tickets.models import Category, CustomField, FieldType, Kind, Status, Ticket

CHOICE_TYPES = (FieldType.CHOICE, FieldType.MULTI_CHOICE)


def may_manage_fields(user: Any) -> bool:
    """Custom fields are shared settings: administrators (staff) only."""
    return bool(
        user is not None
        and getattr(user, "is_authenticated", False)
        and user.is_active
        and (user.is_staff or user.is_superuser)
    )


def _require_admin(actor: User) -> None:
    if not may_manage_fields(actor):
        raise PermissionDenied(_("Only administrators manage custom fields."))


def has_values(key: str) -> bool:
    return Ticket.objects.filter(custom__has_key=key).exists()


def save_custom_field(
    actor: User,
    field: CustomField | None,
    *,
    key: str,
    label: str,
    type: str,
    labels: dict[str, str] | None = None,
    help_text: str = "",
    help_texts: dict[str, str] | None = None,
    choices: list[dict[str, Any]] | None = None,
    kinds: list[str] | None = None,
    categories: list[Category] | None = None,
    required_statuses: list[str] | None = None,
    validation: dict[str, Any] | None = None,
    visible_to_requester: bool = False,
    editable_by_requester: bool = False,
    position: int = 0,
) -> CustomField:
    """Create (`field=None`) or change a field; every refused value is reported at once."""
    _require_admin(actor)
    errors: list[ServiceError] = []
    key = (key or "").strip()
    label = (label or "").strip()
    if field is None:
        if not KEY_RE.match(key):
            errors.append(
                ServiceError(
                    _("Use lower-case letters, digits and _, starting with a letter."),
                    field="key",
                )
            )
        elif CustomField.objects.filter(key=key).exists():
            errors.append(ServiceError(_("Another field has this key."), field="key"))
    elif key and key != field.key:
        errors.append(ServiceError(_("A field's key cannot change."), field="key"))
    if not label:
        errors.append(ServiceError(_("A label is required."), field="label", code="required"))
    if type not in FieldType.values:
        errors.append(ServiceError(_("Unknown type."), field="type"))
    elif field is not None and type != field.type and has_values(field.key):
        errors.append(
            ServiceError(
                _("Tickets hold values of this field: its type cannot change."),
                field="type",
                code="in_use",
            )
        )
    choices = _checked_choices(type, choices or [], errors)
    kinds = list(kinds or [])
    if any(k not in Kind.values for k in kinds):
        errors.append(ServiceError(_("Unknown ticket kind."), field="kinds"))
    statuses = list(required_statuses or [])
    known = {"new", *Status.objects.values_list("key", flat=True)}
    if any(s not in known for s in statuses):
        errors.append(ServiceError(_("Unknown status."), field="required_statuses"))
    validation = _checked_validation(type, validation or {}, errors)
    if editable_by_requester and not visible_to_requester:
        visible_to_requester = True  # they see what they fill in
    if errors:
        raise ServiceErrors(errors)
    with transaction.atomic():
        if field is None:
            field = CustomField(key=key)
        field.label = label[:200]
        field.labels = {k: v.strip() for k, v in (labels or {}).items() if v and v.strip()}
        field.help_text = (help_text or "").strip()[:500]
        field.help_texts = {k: v.strip() for k, v in (help_texts or {}).items() if v and v.strip()}
        field.type = type
        field.choices = choices
        field.kinds = kinds
        field.required_statuses = statuses
        field.validation = validation
        field.visible_to_requester = visible_to_requester
        field.editable_by_requester = editable_by_requester
        field.position = max(0, min(int(position or 0), 32767))
        field.updated_at = timezone.now()
        field.save()
        field.categories.set(categories or [])
    return field


def _checked_choices(
    type: str, choices: list[dict[str, Any]], errors: list[ServiceError]
) -> list[dict[str, Any]]:
    if type not in CHOICE_TYPES:
        return []
    clean: list[dict[str, Any]] = []
    seen: set[str] = set()
    for choice in choices:
        value = str(choice.get("value") or "").strip()
        if not value:
            continue
        if value in seen:
            errors.append(
                ServiceError(
                    _("The value %(value)s is offered twice.") % {"value": value}, field="choices"
                )
            )
            continue
        seen.add(value)
        labels = {k: v for k, v in (choice.get("labels") or {}).items() if v}
        clean.append({"value": value, "label": str(choice.get("label") or value), "labels": labels})
    if not clean:
        errors.append(ServiceError(_("Offer at least one choice."), field="choices"))
    return clean


def _checked_validation(
    type: str, rules: dict[str, Any], errors: list[ServiceError]
) -> dict[str, Any]:
    clean: dict[str, Any] = {}
    if type == FieldType.NUMBER:
        low, high = rules.get("min"), rules.get("max")
        if low is not None:
            clean["min"] = low
        if high is not None:
            clean["max"] = high
        if low is not None and high is not None and low > high:
            errors.append(ServiceError(_("The minimum is above the maximum."), field="min"))
    if type in (FieldType.TEXT, FieldType.LONG_TEXT):
        if rules.get("max_length"):
            clean["max_length"] = int(rules["max_length"])
        pattern = (rules.get("pattern") or "").strip()
        if pattern:
            try:
                re.compile(pattern)
            except re.error:
                errors.append(ServiceError(_("This is not a valid pattern."), field="pattern"))
            clean["pattern"] = pattern
    return clean


def set_custom_field_active(actor: User, field: CustomField, active: bool) -> CustomField:
    """Deactivate (hidden everywhere, values kept) or bring a field back."""
    _require_admin(actor)
    if field.is_active != active:
        field.is_active = active
        field.updated_at = timezone.now()
        field.save(update_fields=["is_active", "updated_at"])
    return field
