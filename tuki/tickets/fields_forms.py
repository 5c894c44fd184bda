"""Form fields for custom fields (tuki/tickets/fields.py): the ticket page's inline edit,
Log a call and the new ticket form. A form only collects what was typed; the services
check it (fields.clean_values) and their errors come back on the form, each next to its
field ("custom.<key>" is both the form field's name and the ServiceError's field).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.urls import reverse
from django.utils.translation import gettext as _

from tuki.lib.bounds import parse_id
from tuki.lib.forms import BootstrapMixin
from tuki.tickets import fields
from tuki.tickets.models import CustomField, FieldType

EMPTY = [("", "—")]
# Where a reference field's picker searches (static/tuki/picker.js): each endpoint applies
# the reader's access rules, so a picker offers only what the agent may see.
PICKER_URLS: dict[str, tuple[str, str]] = {
    FieldType.USER: ("tickets:reference_options", "?type=user"),
    FieldType.ORGANISATION: ("tickets:reference_options", "?type=organisation"),
    FieldType.CI: ("cmdb:options", ""),
}


def name(field: CustomField) -> str:
    return f"custom.{field.key}"


class ReferencePicker(forms.Select):
    """A select holding only the current value; picker.js adds a search box that fills it
    with matches as the agent types (a directory of thousands never fits a select)."""

    def __init__(self, field_type: str, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs)
        self.field_type = field_type

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        url_name, query = PICKER_URLS[self.field_type]
        attrs = {
            **(attrs or {}),
            "data-picker-url": reverse(url_name) + query,
            "data-picker-placeholder": _("Type to search…"),
        }
        return super().get_context(name, value, attrs)


class ReferenceField(forms.ChoiceField):
    """Any id is accepted here; fields.clean_value checks that it exists and is active."""

    def valid_value(self, value: Any) -> bool:
        return True


def current_choice(field: CustomField, value: Any) -> list[tuple[str, str]]:
    pk = parse_id(value) if value not in (None, "") else None
    if pk is None:
        return []
    row = fields.reference_model(field.type).objects.filter(pk=pk).first()
    return [(str(pk), str(row))] if row is not None else []


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
        return ReferenceField(choices=EMPTY, widget=ReferencePicker(kind), **common)
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
    for f in custom_fields:
        if f.type in fields.REFERENCE_TYPES:
            # The current value (or the one just sent back with an error) as the only option.
            sent = form[name(f)].value()
            field = form.fields[name(f)]
            assert isinstance(field, forms.ChoiceField)
            field.choices = EMPTY + current_choice(f, sent)
    for field in form.fields.values():
        if isinstance(field.widget, forms.CheckboxSelectMultiple):
            field.widget.attrs.pop("class", None)  # Django puts it on the list too
    form.custom_fields = list(custom_fields)
    return form
