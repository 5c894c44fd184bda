"""Custom fields: the one place that knows what a field accepts, where it applies and how
its value is shown (docs/customisation.md, "Custom fields").

Values live in `Ticket.custom` under the field's key, in the JSON form noted on FieldType.
`fields_for(kind, category)` names the fields a ticket has (active, ordered; a field on a
category also applies to its subcategories); it is read on every ticket change, so the
definitions are kept per process by tuki.configcache (the CustomField tables have its
trigger). `clean_values` checks a whole set of values at once and reports every bad one
(`ServiceErrors`, field "custom.<key>"); the services write nothing when one is bad.

A field's `required_statuses` names statuses a ticket may not enter without a value: the
workflow guard registered in TicketsConfig.ready() refuses such a move and lists the
fields. "new" means required when a person registers the ticket (create_ticket); a ticket
the system registers (a mail, an alert) is never refused for it.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from django.apps import apps
from django.utils.translation import get_language, gettext as _

from tuki.configcache import cache as configcache
from tuki.lib import dates
from tuki.lib.errors import ServiceError, ServiceErrors
from tuki.tickets.models import Category, CustomField, FieldType, Kind

if TYPE_CHECKING:
    from tuki.accounts.models import User
    from tuki.tickets.models import Status, Ticket

GUARD_KEY = "tickets.custom_fields"
# Types whose value is the id of a row elsewhere (resolved in one query per type on a page).
REFERENCE_TYPES = frozenset({FieldType.USER, FieldType.ORGANISATION, FieldType.CI})
KEY_RE = re.compile(r"^[a-z][a-z0-9_]{0,49}$")


@dataclass(frozen=True)
class Definitions:
    """The active fields (ordered) and the category paths each is limited to."""

    fields: tuple[CustomField, ...]
    paths: Mapping[int, tuple[str, ...]]
    by_key: Mapping[str, CustomField]


def _load() -> Definitions:
    fields = list(CustomField.objects.filter(is_active=True).prefetch_related("categories"))
    paths = {f.pk: tuple(c.path for c in f.categories.all()) for f in fields}
    return Definitions(tuple(fields), paths, {f.key: f for f in fields})


def definitions() -> Definitions:
    """Every active field, kept per process while the configuration is unchanged."""
    return configcache.cached("tickets.custom_fields", _load)


def _applies(defs: Definitions, field: CustomField, kind: str, path: str | None) -> bool:
    if field.kinds and kind not in field.kinds:
        return False
    limited = defs.paths.get(field.pk, ())
    if not limited:
        return True
    if not path:
        return False
    return any(path == p or path.startswith(p + " › ") for p in limited)


def fields_for(kind: str, category: Category | None) -> list[CustomField]:
    """The active fields a ticket of this kind and category has, in their order.

    Shared, cached rows: read them, never change them."""
    defs = definitions()
    path = category.path if category is not None else None
    return [f for f in defs.fields if _applies(defs, f, kind, path)]


def field_by_key(key: str) -> CustomField | None:
    return definitions().by_key.get(key)


def is_empty(value: object) -> bool:
    return value is None or value == "" or value == []


# ---------------------------------------------------------------- checking values


def _error(field: CustomField, message: str, code: str = "invalid") -> ServiceError:
    return ServiceError(message, field=f"custom.{field.key}", code=code)


def clean_value(field: CustomField, raw: object) -> Any:
    """The value to store for `raw` (None: no value), or ServiceError(field="custom.<key>").

    Accepts the JSON form (FieldType) and what a form posts (strings)."""
    if isinstance(raw, str) and field.type not in (FieldType.TEXT, FieldType.LONG_TEXT):
        raw = raw.strip()
    if is_empty(raw):
        return None
    kind = field.type
    rules = field.validation or {}
    if kind in (FieldType.TEXT, FieldType.LONG_TEXT):
        return _clean_text(field, raw, rules)
    if kind == FieldType.NUMBER:
        return _clean_number(field, raw, rules)
    if kind == FieldType.DATE:
        try:
            return date.fromisoformat(str(raw)).isoformat()
        except ValueError:
            raise _error(field, _("Enter a date as YYYY-MM-DD.")) from None
    if kind == FieldType.CHOICE:
        values = choice_values(field)
        if str(raw) not in values:
            raise _error(field, _("Choose one of the offered values."), "invalid_choice")
        return str(raw)
    if kind == FieldType.MULTI_CHOICE:
        items = raw if isinstance(raw, list) else [raw]
        values = choice_values(field)
        chosen = [str(i) for i in items if not is_empty(i)]
        if any(c not in values for c in chosen):
            raise _error(field, _("Choose only offered values."), "invalid_choice")
        return [v for v in values if v in chosen] or None  # in the offered order, once each
    if kind == FieldType.CHECKBOX:
        return _clean_bool(field, raw)
    if kind in REFERENCE_TYPES:
        return _clean_reference(field, raw)
    raise _error(field, _("This field cannot hold a value."))


def _clean_text(field: CustomField, raw: object, rules: Mapping[str, Any]) -> str | None:
    if not isinstance(raw, str):
        raise _error(field, _("Enter text."))
    text = raw.strip()
    if field.type == FieldType.TEXT:
        text = " ".join(text.split())
    if not text:
        return None
    limit = rules.get("max_length") or (200 if field.type == FieldType.TEXT else 5000)
    if len(text) > int(limit):
        raise _error(
            field,
            _("Enter at most %(max)d characters.") % {"max": int(limit)},
            "max_length",
        )
    pattern = rules.get("pattern")
    if pattern:
        try:
            matches = re.search(pattern, text) is not None
        except re.error:
            matches = True  # a bad pattern is refused when the field is saved
        if not matches:
            message = rules.get("pattern_message") or _("Enter a value in the expected form.")
            raise _error(field, str(message), "pattern")
    return text


def _clean_number(field: CustomField, raw: object, rules: Mapping[str, Any]) -> int | float:
    if isinstance(raw, bool):
        raise _error(field, _("Enter a number."))
    if isinstance(raw, (int, float)):
        number: int | float = raw
    else:
        text = str(raw).replace(",", ".").replace(" ", "")
        try:
            number = int(text)
        except ValueError:
            try:
                number = float(text)
            except ValueError:
                raise _error(field, _("Enter a number.")) from None
    if isinstance(number, float):
        if not math.isfinite(number):
            raise _error(field, _("Enter a number."))
        if number.is_integer():
            number = int(number)
    low, high = rules.get("min"), rules.get("max")
    if low is not None and number < low:
        raise _error(field, _("Enter at least %(min)s.") % {"min": low}, "min")
    if high is not None and number > high:
        raise _error(field, _("Enter at most %(max)s.") % {"max": high}, "max")
    return number


def _clean_bool(field: CustomField, raw: object) -> bool:
    if isinstance(raw, bool):
        return raw
    text = str(raw).lower()
    if text in ("1", "true", "on", "yes"):
        return True
    if text in ("0", "false", "off", "no"):
        return False
    raise _error(field, _("Enter true or false."))


def reference_model(field_type: str) -> Any:
    """The model a reference type's id names (cmdb is a higher layer: by name)."""
    if field_type == FieldType.USER:
        return apps.get_model("accounts", "User")
    if field_type == FieldType.ORGANISATION:
        return apps.get_model("accounts", "Organisation")
    return apps.get_model("cmdb", "ConfigurationItem")


def _active(field_type: str) -> dict[str, Any]:
    if field_type == FieldType.CI:
        return {"lifecycle__in": ["planned", "ordered", "in_stock", "operational"]}
    return {"is_active": True}


def _clean_reference(field: CustomField, raw: object) -> int:
    if isinstance(raw, bool):
        raise _error(field, _("Choose an existing entry."))
    try:
        pk = int(str(raw))
    except ValueError:
        raise _error(field, _("Choose an existing entry.")) from None
    model = reference_model(field.type)
    if not model.objects.filter(pk=pk, **_active(field.type)).exists():
        raise _error(field, _("Choose an existing, active entry."), "not_found")
    return pk


def clean_values(
    kind: str,
    category: Category | None,
    raw: Mapping[str, object] | None,
    *,
    partial: bool,
    required: Iterable[str] = (),
    current: Mapping[str, object] | None = None,
    requester: bool = False,
    extra: Iterable[str] = (),
) -> dict[str, Any]:
    """The cleaned values of `raw` ({key: value}; None clears a value), every bad one
    reported at once (ServiceErrors, fields "custom.<key>"); nothing is written here.

    `partial`: only the keys given are checked (an edit); otherwise every field of the
    ticket is. `required`: status keys ("new") whose required fields must then have a value
    (in `raw`, else in `current`). `requester`: only fields requesters fill in are accepted.
    `extra`: keys of further fields the ticket carries whatever its kind and category (a
    catalogue item's form, fields a ticket already holds); requesters may fill those in.
    """
    raw = dict(raw or {})
    errors: list[ServiceError] = []
    applicable = {f.key: f for f in fields_for(kind, category)}
    offered = {key for key in extra if key in definitions().by_key}
    for key in offered - set(applicable):
        if definitions().by_key[key].is_active:
            applicable[key] = definitions().by_key[key]
    cleaned: dict[str, Any] = {}
    for key in raw:
        field = applicable.get(str(key))
        if field is None or (requester and not field.editable_by_requester and key not in offered):
            errors.append(
                ServiceError(
                    _("This ticket has no such field."), field=f"custom.{key}", code="unknown"
                )
            )
    required_keys = set(required)
    for key, field in applicable.items():
        if requester and not field.editable_by_requester and key not in offered:
            continue
        if key in raw:
            try:
                cleaned[key] = clean_value(field, raw[key])
            except ServiceError as exc:
                errors.append(exc)
                continue
            value = cleaned[key]
        elif partial:
            continue
        else:
            value = (current or {}).get(key)
        if required_keys & set(field.required_statuses) and not has_value(field, value):
            errors.append(_error(field, _("This field is required."), "required"))
    if errors:
        raise ServiceErrors(errors)
    return cleaned


def has_value(field: CustomField, value: object) -> bool:
    """Whether a required field is filled in (a required checkbox must be ticked)."""
    if field.type == FieldType.CHECKBOX:
        return value is True
    return not is_empty(value)


# ---------------------------------------------------------------- the workflow guard


def missing_for_status(ticket: Ticket, status: Status) -> list[CustomField]:
    """The fields required in `status` that the ticket has no value for."""
    defs = definitions()
    values = ticket.custom or {}
    candidates = [
        f
        for f in defs.fields
        if status.key in f.required_statuses and not has_value(f, values.get(f.key))
    ]
    if not candidates:
        return []  # the usual case: no query for the ticket's category
    category = ticket.category if ticket.category_id else None
    path = category.path if category is not None else None
    return [f for f in candidates if _applies(defs, f, ticket.kind, path)]


def check_move(ticket: Ticket, old: Status, new: Status, actor: User | None) -> None:
    """The guard: a ticket enters a status only with the values it requires there."""
    missing = missing_for_status(ticket, new)
    if missing:
        raise ServiceError(
            _("Fill in %(fields)s first.") % {"fields": ", ".join(label(f) for f in missing)},
            field="status",
            code="custom_fields_required",
        )


def guard() -> Any:
    from tuki.tickets import guards

    return guards.Guard(key=GUARD_KEY, kinds=tuple(Kind.values), check=check_move)


# ---------------------------------------------------------------- showing values


def _translated(base: str, translations: Mapping[str, str] | None) -> str:
    language = (get_language() or "en").split("-")[0]
    return (translations or {}).get(language) or base


def label(field: CustomField) -> str:
    """The field's label in the reader's language (its base label when not translated)."""
    return _translated(field.label, field.labels)


def help_text(field: CustomField) -> str:
    return _translated(field.help_text, field.help_texts)


def choice_values(field: CustomField) -> list[str]:
    return [str(c.get("value")) for c in field.choices or [] if c.get("value") not in (None, "")]


def choice_label(field: CustomField, value: object) -> str:
    for choice in field.choices or []:
        if str(choice.get("value")) == str(value):
            return _translated(str(choice.get("label") or value), choice.get("labels"))
    return str(value)


def choice_options(field: CustomField) -> list[tuple[str, str]]:
    return [(v, choice_label(field, v)) for v in choice_values(field)]


def label_for_key(key: str) -> str:
    field = field_by_key(key)
    if field is None:
        field = CustomField.objects.filter(key=key).first()  # an inactive field's history
    return label(field) if field is not None else key


def reference_names(
    fields: Iterable[CustomField], tickets_values: Iterable[Mapping[str, Any]]
) -> dict[tuple[str, int], str]:
    """Names of the rows reference fields name in these values: one query per type."""
    by_type: dict[str, set[int]] = {}
    fields = [f for f in fields if f.type in REFERENCE_TYPES]
    if not fields:
        return {}
    for values in tickets_values:
        for f in fields:
            pk = (values or {}).get(f.key)
            if isinstance(pk, int) and not isinstance(pk, bool):
                by_type.setdefault(f.type, set()).add(pk)
    names: dict[tuple[str, int], str] = {}
    for field_type, pks in by_type.items():
        for row in reference_model(field_type).objects.filter(pk__in=pks):
            names[(field_type, row.pk)] = str(row)
    return names


def display(
    field: CustomField, value: object, names: Mapping[tuple[str, int], str] | None = None
) -> str:
    """The value as a person reads it, in their language ("" for no value).

    `names`: reference_names() of the page; without it a reference costs a query."""
    if is_empty(value):
        return ""
    kind = field.type
    if kind == FieldType.CHOICE:
        return choice_label(field, value)
    if kind == FieldType.MULTI_CHOICE:
        items = value if isinstance(value, list) else [value]
        return ", ".join(choice_label(field, v) for v in items)
    if kind == FieldType.CHECKBOX:
        return _("Yes") if value is True else _("No")
    if kind == FieldType.DATE:
        try:
            return dates.absolute_date(date.fromisoformat(str(value)))
        except ValueError:
            return str(value)
    if kind == FieldType.NUMBER:
        return str(value)
    if kind in REFERENCE_TYPES and isinstance(value, int):
        if names is not None and (kind, value) in names:
            return names[(kind, value)]
        row = reference_model(kind).objects.filter(pk=value).first()
        return str(row) if row is not None else f"#{value}"
    return str(value)


def event_display(field: CustomField, value: object) -> str:
    """The value as the timeline stores it: stable text, not translated (choice base
    labels, names, ISO dates); the timeline shows it as written."""
    if is_empty(value):
        return ""
    if field.type == FieldType.CHOICE:
        return _base_choice_label(field, value)
    if field.type == FieldType.MULTI_CHOICE:
        items = value if isinstance(value, list) else [value]
        return ", ".join(_base_choice_label(field, v) for v in items)
    if field.type == FieldType.CHECKBOX:
        return "✓" if value is True else "✗"
    if field.type in REFERENCE_TYPES and isinstance(value, int):
        row = reference_model(field.type).objects.filter(pk=value).first()
        return str(row) if row is not None else f"#{value}"
    return str(value)


def _base_choice_label(field: CustomField, value: object) -> str:
    for choice in field.choices or []:
        if str(choice.get("value")) == str(value):
            return str(choice.get("label") or value)
    return str(value)


@dataclass
class Shown:
    """One field of a ticket as a page shows it."""

    field: CustomField
    key: str
    label: str
    value: Any
    text: str


def shown(
    ticket: Ticket, *, requester: bool = False, names: Mapping[tuple[str, int], str] | None = None
) -> list[Shown]:
    """The ticket's fields with their values as read by the current reader (requesters:
    only the fields shown to them)."""
    values = ticket.custom or {}
    fields = [
        f
        for f in fields_for(ticket.kind, ticket.category)
        if not requester or f.visible_to_requester
    ]
    if names is None:
        names = reference_names(fields, [values])
    return [
        Shown(f, f.key, label(f), values.get(f.key), display(f, values.get(f.key), names))
        for f in fields
    ]


def placeholder_values(ticket: Ticket) -> dict[str, str]:
    """{key: displayed value} for `{{ticket.custom.<key>}}` in macros and mail templates."""
    values = ticket.custom or {}
    defs = definitions()
    result = {}
    for key, value in values.items():
        field = defs.by_key.get(key)
        if field is not None:
            result[key] = display(field, value)
    return result
