"""Export the configuration as one readable file, and import it: preview, then all or nothing.

`export_bundle()` returns a dict (written as indented JSON by the page, the API and `tuki
config export`). `import_bundle(bundle, apply=...)` writes every row in one transaction and
returns a `Report` of what it would create and change. With `apply=False`, or when anything
in the bundle is wrong, the transaction is rolled back: nothing is written. Rows of this
install that the bundle does not name are kept (a bundle adds and updates, it never deletes).
Every write is a model save, so the audit trail records each one (tuki/audit/receivers.py).
"""

from __future__ import annotations

import datetime
import decimal
import json
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tuki.bundles.naming import find, natural_key
from tuki.bundles.specs import ALWAYS_EXCLUDED, Refs, Spec, spec_for, specs
from tuki.lib.errors import ServiceError

FORMAT = "tuki-configuration"
VERSION = 1
MAX_BYTES = 20 * 1024 * 1024


# --- export -----------------------------------------------------------------------------------


def export_bundle(*, people: bool = True) -> dict[str, Any]:
    """Every spec's rows; without `people`, no staff and no group members (a template)."""
    sections: dict[str, list[dict[str, Any]]] = {}
    for spec in specs():
        if spec.people and not people:
            continue
        queryset = spec.model._default_manager.all()
        if spec.scope is not None:
            queryset = spec.scope(queryset)
        rows = [_row_out(spec, obj, people) for obj in queryset]
        sections[spec.label] = _parents_first(spec, rows)
    return {
        "format": FORMAT,
        "version": VERSION,
        "exported_at": timezone.now().isoformat(timespec="seconds"),
        "sections": sections,
    }


def dumps(bundle: dict[str, Any]) -> str:
    return json.dumps(bundle, indent=2, ensure_ascii=False, sort_keys=False) + "\n"


def fields_of(
    spec: Spec,
) -> tuple[list[models.Field[Any, Any]], list[models.ManyToManyField[Any, Any]]]:
    """The model's fields in a bundle: plain and foreign keys, then many-to-many."""
    plain: list[models.Field[Any, Any]] = []
    many: list[models.ManyToManyField[Any, Any]] = []
    skip = ALWAYS_EXCLUDED | set(spec.exclude)
    for model_field in spec.model._meta.get_fields():
        if model_field.auto_created or model_field.name in skip:
            continue
        if isinstance(model_field, models.ManyToManyField):
            many.append(model_field)
        elif isinstance(model_field, models.Field) and model_field.concrete:
            if model_field.primary_key:
                continue
            if model_field.editable or model_field.name in spec.key:
                plain.append(model_field)
    return plain, many


def _row_out(spec: Spec, obj: models.Model, people: bool = True) -> dict[str, Any]:
    plain, many = fields_of(spec)
    row: dict[str, Any] = {}
    refs = Refs(exporting=True)
    for model_field in plain:
        value = getattr(obj, model_field.name)
        if isinstance(model_field, models.ForeignKey):
            row[model_field.name] = None if value is None else natural_key(value)
        elif model_field.name in spec.to_bundle:
            row[model_field.name] = spec.to_bundle[model_field.name](value, refs)
        else:
            row[model_field.name] = _plain_out(value)
    for model_field in many:
        if not people and model_field.related_model._meta.label == "accounts.User":
            continue
        keys = [natural_key(target) for target in getattr(obj, model_field.name).all()]
        row[model_field.name] = sorted(keys, key=lambda key: json.dumps(key, default=str))
    return row


def _plain_out(value: Any) -> Any:
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    return value


def _parents_first(spec: Spec, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rows ordered by their key; with a parent field, every parent before its children."""

    def order(row: dict[str, Any]) -> str:
        return json.dumps([row.get(name) for name in spec.key], default=str, ensure_ascii=False)

    rows = sorted(rows, key=order)
    parent = next(
        (
            f
            for f in spec.model._meta.get_fields()
            if isinstance(f, models.ForeignKey) and f.related_model is spec.model
        ),
        None,
    )
    if parent is None:
        return rows
    by_key = {json.dumps(_key_of(spec, row), default=str): row for row in rows}

    def depth(row: dict[str, Any], seen: int = 0) -> int:
        above = row.get(parent.name)
        if above is None or seen > 50:
            return 0
        found = by_key.get(json.dumps(above, default=str))
        return 1 + (depth(found, seen + 1) if found else 0)

    return sorted(rows, key=lambda row: (depth(row), order(row)))


def _key_of(spec: Spec, row: dict[str, Any]) -> Any:
    if not spec.key:
        return None
    values = [row.get(name) for name in spec.key]
    return values[0] if len(values) == 1 else values


# --- import -----------------------------------------------------------------------------------


@dataclass
class Change:
    label: str
    key: Any
    action: str  # "create" | "update"
    fields: list[str] = field(default_factory=list)

    @property
    def what(self) -> str:
        spec = spec_for(self.label)
        return str(spec.model._meta.verbose_name) if spec else self.label

    @property
    def name(self) -> str:
        if isinstance(self.key, list):
            return " / ".join(str(part) for part in self.key)
        return "" if self.key is None else str(self.key)


@dataclass
class Report:
    changes: list[Change] = field(default_factory=list)
    unchanged: int = 0
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    applied: bool = False

    @property
    def created(self) -> list[Change]:
        return [c for c in self.changes if c.action == "create"]

    @property
    def updated(self) -> list[Change]:
        return [c for c in self.changes if c.action == "update"]


def read_bundle(text: str | bytes) -> dict[str, Any]:
    """Parse a bundle file; a ServiceError on `file` when it is not one this version reads."""
    if len(text) > MAX_BYTES:
        raise ServiceError(_("The file is larger than 20 MB."), field="file", code="too_large")
    try:
        data = json.loads(text)
    except (ValueError, UnicodeDecodeError) as error:
        raise ServiceError(
            _("The file is not a configuration bundle (not JSON: %(error)s).") % {"error": error},
            field="file",
            code="not_json",
        ) from error
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ServiceError(
            _("The file is not a Tuki configuration bundle."), field="file", code="format"
        )
    if data.get("version") != VERSION:
        raise ServiceError(
            _("This bundle's version (%(version)s) is not one this Tuki reads (%(ours)s).")
            % {"version": data.get("version"), "ours": VERSION},
            field="file",
            code="version",
        )
    if not isinstance(data.get("sections"), dict):
        raise ServiceError(_("The bundle has no sections."), field="file", code="format")
    return data


def import_bundle(bundle: dict[str, Any], *, apply: bool) -> Report:
    """Preview (apply=False) or write the bundle; nothing is written unless it all goes in."""
    report = Report()
    sections = bundle.get("sections") or {}
    for label in sections:
        if spec_for(label) is None:
            report.problems.append(_("This install has no “%(label)s”.") % {"label": label})
    written: list[tuple[Spec, models.Model, dict[str, Any], Change | None]] = []
    with transaction.atomic():
        for spec in specs():
            for index, row in enumerate(sections.get(spec.label) or []):
                if not isinstance(row, dict):
                    report.problems.append(f"{spec.label}[{index}]: " + _("not an object."))
                    continue
                written.extend(_write_row(spec, row, report))
        final = [_write_many(spec, obj, row, change, report) for spec, obj, row, change in written]
        report.unchanged = sum(1 for change in final if change is None)
        report.changes = [change for change in final if change is not None]
        if report.problems or not apply:
            transaction.set_rollback(True)
        else:
            report.applied = True
    return report


def _name(spec: Spec, key: Any) -> str:
    shown = " / ".join(str(part) for part in key) if isinstance(key, list) else str(key)
    return (
        f"{spec.model._meta.verbose_name} “{shown}”"
        if spec.key
        else str(spec.model._meta.verbose_name)
    )


def _write_row(
    spec: Spec, row: dict[str, Any], report: Report
) -> list[tuple[Spec, models.Model, dict[str, Any], Change | None]]:
    model = spec.model
    key = _key_of(spec, row)
    where = _name(spec, key)
    plain, many = fields_of(spec)
    known = {f.name for f in plain} | {f.name for f in many}
    unknown = sorted(set(row) - known)
    if unknown:
        report.problems.append(
            f"{where}: " + _("unknown fields: %(names)s.") % {"names": ", ".join(unknown)}
        )
        return []
    obj = model._default_manager.first() if spec.singleton else find(spec.label, key)
    created = obj is None
    if obj is None:
        obj = model()
        if spec.on_create is not None:
            spec.on_create(obj)
    changed: list[str] = []
    refs = Refs(exporting=False)
    for model_field in plain:
        if model_field.name not in row or not model_field.editable:
            continue
        value = row[model_field.name]
        if isinstance(model_field, models.ForeignKey):
            target = None
            if value is not None:
                target = find(model_field.related_model._meta.label, value)
                if target is None:
                    what = _(
                        "%(field)s names “%(value)s”, which is neither in the bundle nor in this install."
                    ) % {
                        "field": model_field.verbose_name,
                        "value": value,
                    }
                    if (
                        model_field.null
                        and model_field.related_model._meta.label == "accounts.User"
                    ):
                        report.warnings.append(f"{where}: {what} " + _("Left empty."))
                    else:
                        report.problems.append(f"{where}: {what}")
                        continue
            if getattr(obj, model_field.attname) != (target.pk if target else None):
                changed.append(model_field.name)
            setattr(obj, model_field.name, target)
            continue
        if model_field.name in spec.from_bundle:
            value = spec.from_bundle[model_field.name](value, refs)
        else:
            try:
                value = model_field.to_python(value)
            except ValidationError as error:
                report.problems.append(
                    f"{where}: {model_field.verbose_name}: {'; '.join(error.messages)}"
                )
                continue
        if getattr(obj, model_field.attname) != value:
            changed.append(model_field.name)
        setattr(obj, model_field.attname, value)
    for dropped in refs.dropped:
        report.warnings.append(
            f"{where}: "
            + _("“%(who)s” is not a person in this install; left out.") % {"who": dropped}
        )
    for missing in refs.missing:
        report.problems.append(
            f"{where}: "
            + _("names %(what)s, which is neither in the bundle nor in this install.")
            % {"what": missing}
        )
    try:
        obj.full_clean(exclude=[f.name for f in many])
    except ValidationError as error:
        for name, messages in error.message_dict.items():
            label = (
                name
                if name == "__all__"
                else str(getattr(model._meta.get_field(name), "verbose_name", name))
            )
            report.problems.append(f"{where}: {label}: {' '.join(messages)}")
        return []
    if created or changed:
        obj.save()
    change = (
        Change(spec.label, key, "create" if created else "update", changed)
        if (created or changed)
        else None
    )
    return [(spec, obj, row, change)]


def _write_many(
    spec: Spec, obj: models.Model, row: dict[str, Any], change: Change | None, report: Report
) -> Change | None:
    many = fields_of(spec)[1]
    for model_field in many:
        if model_field.name not in row:
            continue
        targets = []
        for key in row[model_field.name] or []:
            target = find(model_field.related_model._meta.label, key)
            if target is None and model_field.related_model._meta.label == "accounts.User":
                report.warnings.append(
                    f"{_name(spec, _key_of(spec, row))}: "
                    + _("“%(who)s” is not a person in this install; left out.") % {"who": key}
                )
                continue
            if target is None:
                report.problems.append(
                    f"{_name(spec, _key_of(spec, row))}: {model_field.verbose_name}: "
                    + _("“%(value)s” is neither in the bundle nor in this install.")
                    % {"value": key}
                )
                continue
            targets.append(target)
        manager = getattr(obj, model_field.name)
        if {t.pk for t in targets} != set(manager.values_list("pk", flat=True)):
            manager.set(targets)
            if change is None:
                change = Change(spec.label, _key_of(spec, row), "update", [model_field.name])
            else:
                change.fields.append(model_field.name)
    return change
