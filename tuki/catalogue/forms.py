"""Forms of the catalogue: the order form built from an item's questions, and the console's.

The order form only collects what was typed: the values are checked by the services
(conditions, then the custom fields' own rules), and their errors shown next to the field.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from tuki.accounts.models import Organisation, SupportGroup, User
from tuki.approvals.models import ApprovalTemplate
from tuki.catalogue.conditions import EFFECTS, NO_OPERAND, OPS
from tuki.catalogue.models import CatalogueCategory, CatalogueItem, ItemField, ItemKind
from tuki.lib.errors import ServiceError
from tuki.lib.forms import BootstrapMixin
from tuki.tickets import fields as custom_fields
from tuki.tickets.models import Category, CustomField, FieldType


def _style(field: forms.Field) -> None:
    """Bootstrap's classes on a field added after BootstrapMixin styled the form's own."""
    widget = field.widget
    if isinstance(widget, forms.CheckboxSelectMultiple):
        css = ""
    elif isinstance(widget, forms.CheckboxInput):
        css = "form-check-input"
    elif isinstance(widget, forms.Select | forms.SelectMultiple):
        css = "form-select"
    else:
        css = "form-control"
    widget.attrs["class"] = (widget.attrs.get("class", "") + " " + css).strip()


def field_name(key: str) -> str:
    return f"custom__{key}"


def _form_field(field: CustomField) -> forms.Field:
    common: dict[str, Any] = {
        "label": custom_fields.label(field),
        "help_text": custom_fields.help_text(field),
        "required": False,  # required-when-shown is the services' rule
    }
    kind = field.type
    if kind == FieldType.LONG_TEXT:
        return forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), strip=False, **common)
    if kind == FieldType.NUMBER:
        return forms.CharField(widget=forms.NumberInput(attrs={"step": "any"}), **common)
    if kind == FieldType.DATE:
        return forms.CharField(widget=forms.DateInput(attrs={"type": "date"}), **common)
    if kind == FieldType.CHOICE:
        options = [("", "—"), *custom_fields.choice_options(field)]
        return forms.ChoiceField(choices=options, **common)
    if kind == FieldType.MULTI_CHOICE:
        return forms.MultipleChoiceField(
            choices=custom_fields.choice_options(field),
            widget=forms.CheckboxSelectMultiple,
            **common,
        )
    if kind == FieldType.CHECKBOX:
        return forms.BooleanField(**common)
    if kind == FieldType.USER:
        common["help_text"] = common["help_text"] or _("Their email address.")
        return forms.CharField(widget=forms.EmailInput, **common)
    return forms.CharField(max_length=2000, **common)


class OrderForm(BootstrapMixin, forms.Form):
    """One input per question of the item, named custom__<key>."""

    def __init__(self, questions: Sequence[ItemField], *args: Any, **kwargs: Any) -> None:
        self.questions = list(questions)
        super().__init__(*args, **kwargs)
        for question in self.questions:
            field = _form_field(question.field)
            _style(field)
            self.fields[field_name(question.field.key)] = field

    def values(self) -> dict[str, Any]:
        """The answers by custom field key, as typed (a person's email becomes their id)."""
        values: dict[str, Any] = {}
        for question in self.questions:
            key = question.field.key
            value = self.cleaned_data.get(field_name(key))
            if question.field.type == FieldType.USER and value:
                user = User.objects.filter(email__iexact=str(value).strip(), is_active=True)
                value = user.values_list("pk", flat=True).first() or value
            values[key] = value
        return values

    def add_service_error(self, exc: ServiceError) -> None:
        for error in getattr(exc, "errors", [exc]):
            name = str(error.field or "")
            if name.startswith("custom."):
                name = field_name(name.removeprefix("custom."))
            self.add_error(name if name in self.fields else None, error.message)

    def sections(self) -> list[tuple[str, list[tuple[ItemField, forms.BoundField]]]]:
        """The questions grouped under their section titles, in order."""
        grouped: list[tuple[str, list[tuple[ItemField, forms.BoundField]]]] = []
        for question in self.questions:
            title = question.display_section
            if not grouped or grouped[-1][0] != title:
                grouped.append((title, []))
            grouped[-1][1].append((question, self[field_name(question.field.key)]))
        return grouped

    def conditions(self) -> list[dict[str, Any]]:
        return [
            {"key": q.field.key, "condition": q.condition or {}, "required": q.required}
            for q in self.questions
        ]


# --- the console -----------------------------------------------------------------------------


class CategoryForm(BootstrapMixin, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    name_ro = forms.CharField(label=_("Name in Romanian"), max_length=120, required=False)
    name_fi = forms.CharField(label=_("Name in Finnish"), max_length=120, required=False)
    description = forms.CharField(label=_("Description"), max_length=300, required=False)
    icon = forms.CharField(label=_("Icon"), max_length=50, required=False)
    position = forms.IntegerField(label=_("Position"), min_value=0, max_value=32767, initial=0)

    @classmethod
    def initial_for(cls, category: CatalogueCategory) -> dict[str, Any]:
        tr = category.translations or {}
        return {
            "name": category.name,
            "name_ro": tr.get("ro", ""),
            "name_fi": tr.get("fi", ""),
            "description": category.description,
            "icon": category.icon,
            "position": category.position,
        }

    def data_for_service(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["translations"] = {
            lang: data.pop(f"name_{lang}") for lang in ("ro", "fi") if data.get(f"name_{lang}")
        }
        data.pop("name_ro", None)
        data.pop("name_fi", None)
        return data


class ItemForm(BootstrapMixin, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    name_ro = forms.CharField(label=_("Name in Romanian"), max_length=120, required=False)
    name_fi = forms.CharField(label=_("Name in Finnish"), max_length=120, required=False)
    short_description = forms.CharField(
        label=_("Short description"), max_length=300, required=False
    )
    description = forms.CharField(
        label=_("Description"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    category = forms.ModelChoiceField(
        label=_("Catalogue category"), queryset=CatalogueCategory.objects.all()
    )
    kind = forms.ChoiceField(label=_("Ticket kind"), choices=ItemKind.choices)
    ticket_category = forms.ModelChoiceField(
        label=_("Ticket category"), queryset=Category.objects.all(), required=False
    )
    fulfilment_group = forms.ModelChoiceField(
        label=_("Fulfilment group"),
        queryset=SupportGroup.objects.filter(is_active=True),
        required=False,
    )
    approval_template = forms.ModelChoiceField(
        label=_("Approval"),
        queryset=ApprovalTemplate.objects.filter(is_active=True),
        required=False,
    )
    organisations = forms.ModelMultipleChoiceField(
        label=_("Organisations that may order it"),
        queryset=Organisation.objects.all(),
        required=False,
        help_text=_("Empty, with no groups either: everyone."),
    )
    groups = forms.ModelMultipleChoiceField(
        label=_("Support groups that may order it"),
        queryset=SupportGroup.objects.filter(is_active=True),
        required=False,
    )
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)
    position = forms.IntegerField(label=_("Position"), min_value=0, max_value=32767, initial=0)

    @classmethod
    def initial_for(cls, item: CatalogueItem) -> dict[str, Any]:
        tr = item.translations or {}
        initial = {name: getattr(item, name) for name in cls.base_fields if hasattr(item, name)}
        initial["organisations"] = list(item.organisations.all())
        initial["groups"] = list(item.groups.all())
        initial["name_ro"] = (tr.get("ro") or {}).get("name", "")
        initial["name_fi"] = (tr.get("fi") or {}).get("name", "")
        return initial

    def data_for_service(self, item: CatalogueItem | None) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        translations = dict((item.translations if item else None) or {})
        for lang in ("ro", "fi"):
            local = dict(translations.get(lang) or {})
            local["name"] = data.pop(f"name_{lang}", "")
            translations[lang] = {k: v for k, v in local.items() if v}
        data["translations"] = {k: v for k, v in translations.items() if v}
        return data


# The tests a question's condition shows on the page: when_field, op, value; *_2; *_3.
TEST_SUFFIXES = ("", "_2", "_3")
OP_LABELS = {
    "eq": _("equals"),
    "ne": _("does not equal"),
    "in": _("is one of (a, b, …)"),
    "not_in": _("is none of (a, b, …)"),
    "empty": _("is empty"),
    "not_empty": _("is filled in"),
    "gt": _("is more than"),
    "lt": _("is less than"),
    "contains": _("contains"),
}
OP_CHOICES = [("", "—"), *[(o, OP_LABELS.get(o, o)) for o in OPS]]


class QuestionForm(BootstrapMixin, forms.Form):
    """One question of an item's form in the form builder (a formset row)."""

    field = forms.ModelChoiceField(
        label=_("Custom field"), queryset=CustomField.objects.filter(is_active=True)
    )
    section = forms.CharField(label=_("Section title"), max_length=120, required=False)
    section_ro = forms.CharField(label=_("in Romanian"), max_length=120, required=False)
    section_fi = forms.CharField(label=_("in Finnish"), max_length=120, required=False)
    required = forms.BooleanField(label=_("Required"), required=False)
    effect = forms.ChoiceField(
        label=_("Condition"),
        required=False,
        choices=[
            ("", _("Always shown")),
            *[
                (e, label)
                for e, label in zip(
                    EFFECTS, (_("Show if"), _("Hide if"), _("Require if")), strict=True
                )
            ],
        ],
    )
    when_field = forms.CharField(label=_("field key"), max_length=50, required=False)
    op = forms.ChoiceField(label=_("operator"), required=False, choices=OP_CHOICES)
    value = forms.CharField(label=_("value"), max_length=200, required=False)
    when_field_2 = forms.CharField(label=_("field key"), max_length=50, required=False)
    op_2 = forms.ChoiceField(label=_("operator"), required=False, choices=OP_CHOICES)
    value_2 = forms.CharField(label=_("value"), max_length=200, required=False)
    when_field_3 = forms.CharField(label=_("field key"), max_length=50, required=False)
    op_3 = forms.ChoiceField(label=_("operator"), required=False, choices=OP_CHOICES)
    value_3 = forms.CharField(label=_("value"), max_length=200, required=False)
    match = forms.ChoiceField(
        label=_("when"),
        required=False,
        initial="all",
        choices=[("all", _("all tests hold")), ("any", _("any test holds"))],
    )
    # Three tests per condition on the page; more (made over the API) are kept as they are.
    kept_tests = forms.CharField(required=False, widget=forms.HiddenInput)

    def extra_tests(self) -> list[list[Any]]:
        """The second and third tests' bound fields, for the template."""
        return [
            [self[f"when_field{suffix}"], self[f"op{suffix}"], self[f"value{suffix}"]]
            for suffix in TEST_SUFFIXES[1:]
        ]

    def row(self) -> dict[str, Any] | None:
        data = self.cleaned_data
        if not data.get("field"):
            return None
        condition: dict[str, Any] = {}
        if data.get("effect"):
            rules = [
                self._test(data, suffix)
                for suffix in TEST_SUFFIXES
                if (data.get(f"when_field{suffix}") or "").strip() or data.get(f"op{suffix}")
            ]
            try:
                kept = json.loads(data.get("kept_tests") or "[]")
            except ValueError:
                kept = []
            if isinstance(kept, list):
                rules += [rule for rule in kept if isinstance(rule, dict)]
            match = data.get("match") or "all"
            condition = {"effect": data["effect"], match: rules or [self._test(data, "")]}
        return {
            "field": data["field"],
            "section": data.get("section", ""),
            "section_translations": {
                lang: data[f"section_{lang}"]
                for lang in ("ro", "fi")
                if data.get(f"section_{lang}")
            },
            "required": data.get("required", False),
            "condition": condition,
        }

    @staticmethod
    def _test(data: dict[str, Any], suffix: str) -> dict[str, Any]:
        op = data.get(f"op{suffix}")
        value: Any = data.get(f"value{suffix}", "")
        if value in ("true", "false"):
            value = value == "true"
        elif op in ("in", "not_in"):
            value = [part.strip() for part in str(value).split(",") if part.strip()]
        test = {"field": (data.get(f"when_field{suffix}") or "").strip(), "op": op}
        if op not in NO_OPERAND:
            test["value"] = value
        return test

    @classmethod
    def initial_for(cls, question: ItemField) -> dict[str, Any]:
        condition = question.condition or {}
        match = "any" if condition.get("any") else "all"
        rules = list(condition.get(match) or [])
        initial: dict[str, Any] = {
            "field": question.field,
            "section": question.section,
            "section_ro": (question.section_translations or {}).get("ro", ""),
            "section_fi": (question.section_translations or {}).get("fi", ""),
            "required": question.required,
            "effect": condition.get("effect", "") if condition else "",
            "match": match,
            "kept_tests": json.dumps(rules[len(TEST_SUFFIXES) :]) if len(rules) > 3 else "",
        }
        for suffix, rule in zip(TEST_SUFFIXES, rules, strict=False):
            value = rule.get("value", "")
            if isinstance(value, bool):
                value = "true" if value else "false"
            elif isinstance(value, list):
                value = ", ".join(str(v) for v in value)
            elif value is None:
                value = ""
            initial[f"when_field{suffix}"] = rule.get("field", "")
            initial[f"op{suffix}"] = rule.get("op", "")
            initial[f"value{suffix}"] = value
        return initial


class TaskForm(BootstrapMixin, forms.Form):
    title = forms.CharField(label=_("Task"), max_length=200, required=False)
    group = forms.ModelChoiceField(
        label=_("Group"), queryset=SupportGroup.objects.filter(is_active=True), required=False
    )


class _StyledFormSet(forms.BaseFormSet):
    def add_fields(self, form: forms.Form, index: int | None) -> None:
        super().add_fields(form, index)
        for name in ("ORDER", "DELETE"):
            if name in form.fields:
                form.fields[name].label = _("Order") if name == "ORDER" else _("Remove")
                _style(form.fields[name])


QuestionFormSet = forms.formset_factory(
    QuestionForm, formset=_StyledFormSet, extra=3, can_delete=True, can_order=True
)
TaskFormSet = forms.formset_factory(
    TaskForm, formset=_StyledFormSet, extra=2, can_delete=True, can_order=True
)
