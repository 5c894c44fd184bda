"""An entry's changes as people read them: field labels, before → after, in their language."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils.translation import gettext as _

from tuki.audit.models import AuditEntry
from tuki.audit.services import MASK


@dataclass(frozen=True)
class Change:
    label: str
    before: str
    after: str
    added: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    masked: bool = False

    @property
    def is_membership(self) -> bool:
        return bool(self.added or self.removed)


def _field(model: type[models.Model] | None, name: str) -> Any:
    if model is None:
        return None
    try:
        return model._meta.get_field(name)
    except FieldDoesNotExist:
        return None


def label(model: type[models.Model] | None, name: str) -> str:
    field = _field(model, name)
    if field is None:
        return name.replace("_", " ")
    if isinstance(field, models.ForeignObjectRel):  # a membership seen from the other side
        return str(field.related_model._meta.verbose_name_plural)
    return str(field.verbose_name)


def value(model: type[models.Model] | None, name: str, raw: Any) -> str:
    if raw is None or raw == "":
        return "—"
    if raw == MASK:
        return _("(hidden)")
    if isinstance(raw, bool):
        return _("yes") if raw else _("no")
    field = _field(model, name)
    if field is not None and getattr(field, "choices", None) and not field.is_relation:
        for key, shown in field.flatchoices:
            if key == raw:
                return str(shown)
    if isinstance(raw, list | dict):
        return json.dumps(raw, ensure_ascii=False)
    return str(raw)


def changes(entry: AuditEntry) -> list[Change]:
    model = entry.content_type.model_class() if entry.content_type is not None else None
    out = []
    for name, change in (entry.changes or {}).items():
        if isinstance(change, dict):
            out.append(
                Change(
                    label(model, name),
                    "",
                    "",
                    added=tuple(map(str, change.get("added", ()))),
                    removed=tuple(map(str, change.get("removed", ()))),
                )
            )
        elif isinstance(change, list | tuple) and len(change) == 2:
            before, after = change
            out.append(
                Change(
                    label(model, name),
                    value(model, name, before),
                    value(model, name, after),
                    masked=MASK in (before, after),
                )
            )
    return out


def object_type(entry: AuditEntry) -> str:
    model = entry.content_type.model_class() if entry.content_type is not None else None
    return str(model._meta.verbose_name) if model is not None else ""
