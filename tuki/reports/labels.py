"""How a report row reads: the name behind a breakdown's key (one query per breakdown)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from django.db.models import Model
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from tuki.accounts.models import Organisation, SupportGroup, User
from tuki.reports import queries
from tuki.sla.models import Agreement, Service
from tuki.tickets import fields as custom_fields
from tuki.tickets.models import Category, Channel, FieldType, Kind, Priority

NONE_KEY = "none"

_MODELS: dict[str, type[Model]] = {
    "category": Category,
    "service": Service,
    "organisation": Organisation,
    "agreement": Agreement,
    "group": SupportGroup,
    "agent": User,
}
_CHOICES = {"channel": Channel, "kind": Kind, "priority": Priority}


def labels_for(by: str, keys: Iterable[str]) -> dict[str, str]:
    keys = list(keys)
    labels: dict[str, str] = {}
    field = queries.custom_field(by)
    if field is not None:
        return _custom_labels(field, keys)
    if NONE_KEY in keys:
        labels[NONE_KEY] = _("None") if by != "agent" else _("Unassigned")
    if by in ("day", "week", "month"):
        for key in keys:
            labels[key] = _time_label(by, date.fromisoformat(key))
        return labels
    if by in _CHOICES:
        names = dict(_CHOICES[by].choices)
        for key in keys:
            if key != NONE_KEY:
                value: object = int(key) if by == "priority" else key
                labels[key] = str(names.get(value, key))
        return labels
    model = _MODELS[by]
    ids = [int(k) for k in keys if k != NONE_KEY]
    for obj in model._default_manager.filter(pk__in=ids):
        labels[str(obj.pk)] = str(obj)
    return labels


def _custom_labels(field: Any, keys: list[str]) -> dict[str, str]:
    """A custom field's values as the reader reads them: choice labels in their language."""
    labels = {}
    for key in keys:
        if key == NONE_KEY:
            labels[key] = _("Not set")
        elif field.type == FieldType.CHECKBOX:
            labels[key] = _("Yes") if key == "true" else _("No")
        else:
            labels[key] = custom_fields.choice_label(field, key)
    return labels


def _time_label(by: str, day: date) -> str:
    if by == "month":
        return date_format(day, "YEAR_MONTH_FORMAT")
    if by == "week":
        return _("Week of %(day)s") % {"day": date_format(day, "SHORT_DATE_FORMAT")}
    return date_format(day, "SHORT_DATE_FORMAT")
