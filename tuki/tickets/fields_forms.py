"""Form fields for custom fields (tuki/tickets/fields.py): the ticket page's inline edit,
Log a call and the new ticket form. A form only collects what was typed; the services
check it (fields.clean_values) and their errors come back on the form, each next to its
field ("custom.<key>" is both the form field's name and the ServiceError's field).
"""

from __future__ import annotations

from typing import Any

from django import forms

from tuki.lib.forms import BootstrapMixin
from tuki.tickets import fields
from tuki.tickets.models import CustomField, FieldType

EMPTY = [("", "—")]
# A reference field's select lists at most this many rows (a person picker is not finished).
REFERENCE_LIMIT = 500


def name(field: CustomField) -> str:
    return f"custom.{field.key}"


def _reference_choices(field: CustomField) -> list[tuple[str, str]]:
    model = fields.reference_model(field.type)
    active = {"is_active": True} if field.type != FieldType.CI else {}
    qs = model.objects.filter(**active)
    if field.type == FieldType.CI:
        qs = qs.exclude(lifecycle="retired")
    return EMPTY + [(str(row.pk), str(row)) for row in qs[:REFERENCE_LIMIT]]


def form_field(field: CustomField) -> forms.Field:
    label = fields.label(field)
    common: dict[str, Any] = {
        "label": label,
        "required": False,
        "help_text": fields.help_text(field),
    }
    kind = field.type
    if kind == FieldType.LONG_TEXT:
        return forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), **common)
    if kind == FieldType.NUMBER:
        return forms.CharField(widget=forms.TextInput(attrs={"inputmode": "decimal"}), **common)
    if kind == FieldType.DATE:
        return forms.CharField(widget=forms.DateInput(attrs={"type": "date"}), **common)
    if kind == FieldType.CHOICE:
        return forms.ChoiceField(choices=EMPTY + fields.choice_options(field), **common)
    if kind == FieldType.MULTI_CHOICE:
        return forms.MultipleChoiceField(
            choices=fields.choice_options(field), widget=forms.CheckboxSelectMultiple, **common
        )
    if kind == FieldType.CHECKBOX:
        return forms.BooleanField(**common)
    if kind in fields.REFERENCE_TYPES:
        return forms.ChoiceField(choices=_reference_choices(field), **common)
    return forms.CharField(**common)


def _initial(field: CustomField, value: Any) -> Any:
    if value is None:
        return None
    if field.type in fields.REFERENCE_TYPES:
        return str(value)
    return value


class CustomValuesFormBase(BootstrapMixin, forms.Form):
    custom_fields: list[CustomField]

    def values(self) -> dict[str, Any]:
        """What was typed, by key, for the services to check."""
        data = self.cleaned_data
        return {f.key: data.get(name(f)) for f in self.custom_fields if name(f) in data}

    def add_service_error(self, exc: Any) -> None:
        for error in getattr(exc, "errors", None) or [exc]:
            field = error.field if error.field in self.fields else None
            self.add_error(field, error.message)


def values_form(
    custom_fields: list[CustomField],
    data: Any = None,
    *,
    values: dict[str, Any] | None = None,
    prefix: str | None = None,
) -> CustomValuesFormBase:
    """A form with one field per custom field, filled with `values` (the ticket's)."""
    attrs: dict[str, Any] = {name(f): form_field(f) for f in custom_fields}
    cls = type("CustomValuesForm", (CustomValuesFormBase,), attrs)
    initial = {name(f): _initial(f, (values or {}).get(f.key)) for f in custom_fields}
    form = cls(data, initial=initial, prefix=prefix)
    for field in form.fields.values():
        if isinstance(field.widget, forms.CheckboxSelectMultiple):
            field.widget.attrs.pop("class", None)  # Django puts it on the list too
    form.custom_fields = list(custom_fields)
    return form
