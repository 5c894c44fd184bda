"""The configuration database's forms: an item with its class's attributes, a relation, a
maintenance window, the list's filters. The services decide; a `ServiceError` naming
`attributes.<key>` lands on that attribute's field (`attr_<key>`)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext, gettext_lazy as _

from tuki.accounts.models import Location, Organisation, SupportGroup, User
from tuki.cmdb.models import (
    INVERSE_LABELS,
    AttributeType,
    CIAttribute,
    CIClass,
    ConfigurationItem,
    Layer,
    Lifecycle,
    RelationType,
)
from tuki.lib.errors import ServiceError
from tuki.lib.forms import BootstrapMixin, FastSelect
from tuki.sla.models import Service

ATTRIBUTE_PREFIX = "attr_"
# The item's own fields the form edits (the services' FIELDS, less the catalogue link's
# history-only fields).
ITEM_FIELDS = (
    "name",
    "ci_class",
    "lifecycle",
    "description",
    "organisation",
    "location",
    "owner",
    "support_group",
    "service",
    "serial_number",
    "hostname",
    "asset_tag",
    "quorum",
)


def attribute_field(attribute: CIAttribute) -> forms.Field:
    """A form field for one class attribute, with a widget that suits its type."""
    label = gettext(attribute.label)
    if attribute.unit:
        label = f"{label} ({attribute.unit})"
    common: dict[str, Any] = {"label": label, "required": False}
    kind = attribute.type
    if kind == AttributeType.INTEGER:
        # Text, not a number box: the service checks the value and says what is wrong.
        return forms.CharField(widget=forms.TextInput(attrs={"inputmode": "numeric"}), **common)
    if kind == AttributeType.DECIMAL:
        return forms.CharField(widget=forms.TextInput(attrs={"inputmode": "decimal"}), **common)
    if kind == AttributeType.BOOLEAN:
        choices = [("", "—"), ("yes", _("Yes")), ("no", _("No"))]
        return forms.ChoiceField(choices=choices, widget=FastSelect, **common)
    if kind == AttributeType.DATE:
        return forms.CharField(widget=forms.DateInput(attrs={"type": "date"}), **common)
    if kind == AttributeType.CHOICE:
        options = [("", "—"), *((c, c) for c in attribute.choice_list())]
        return forms.ChoiceField(choices=options, widget=FastSelect, **common)
    return forms.CharField(max_length=1000, **common)


def attribute_initial(attribute: CIAttribute, value: Any) -> Any:
    if value is None:
        return ""
    if attribute.type == AttributeType.BOOLEAN:
        return "yes" if value else "no"
    if isinstance(value, date):
        return value.isoformat()
    return value


class ClassChoiceField(forms.ModelChoiceField):
    """CI classes by their name in the reader's language (stored in English)."""

    def label_from_instance(self, obj: Any) -> str:
        return gettext(obj.name)


class ItemForm(BootstrapMixin, forms.Form):
    """An item's fields and, after them, its class's attributes (`attr_<key>`)."""

    name = forms.CharField(label=_("Name"), max_length=200)
    ci_class = ClassChoiceField(label=_("Class"), queryset=CIClass.objects.all(), widget=FastSelect)
    lifecycle = forms.ChoiceField(
        label=_("Lifecycle state"), choices=Lifecycle.choices, initial=Lifecycle.OPERATIONAL
    )
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    organisation = forms.ModelChoiceField(
        label=_("Organisation"),
        queryset=Organisation.objects.all(),
        required=False,
        widget=FastSelect,
    )
    location = forms.ModelChoiceField(
        label=_("Location"), queryset=Location.objects.all(), required=False, widget=FastSelect
    )
    owner = forms.ModelChoiceField(
        label=_("Owner"),
        queryset=User.objects.filter(Q(is_agent=True) | Q(is_superuser=True), is_active=True),
        required=False,
        widget=FastSelect,
    )
    support_group = forms.ModelChoiceField(
        label=_("Support group"),
        queryset=SupportGroup.objects.all(),
        required=False,
        widget=FastSelect,
    )
    service = forms.ModelChoiceField(
        label=_("Catalogue service"),
        queryset=Service.objects.filter(is_active=True),
        required=False,
        widget=FastSelect,
        help_text=_("For a business service: the service agreements name."),
    )
    serial_number = forms.CharField(label=_("Serial number"), max_length=100, required=False)
    hostname = forms.CharField(label=_("Host name"), max_length=255, required=False)
    asset_tag = forms.CharField(label=_("Asset tag"), max_length=100, required=False)
    quorum = forms.IntegerField(
        label=_("Quorum"),
        required=False,
        min_value=1,
        max_value=10_000,
        help_text=_("For a redundant group: how many members must run for it to run. Empty: one."),
    )

    def __init__(
        self,
        *args: Any,
        ci_class: CIClass | None = None,
        attributes: list[CIAttribute] | None = None,
        item: ConfigurationItem | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.item = item
        self.attribute_keys: list[str] = []
        for attribute in attributes or []:
            name = ATTRIBUTE_PREFIX + attribute.key
            self.fields[name] = attribute_field(attribute)
            self.attribute_keys.append(attribute.key)
        # BootstrapMixin styled the declared fields in super(): style the attributes too.
        for name in self.attribute_field_names():
            widget = self.fields[name].widget
            css = "form-select" if isinstance(widget, forms.Select) else "form-control"
            widget.attrs["class"] = (widget.attrs.get("class", "") + " " + css).strip()
        select = self.fields["ci_class"].widget
        select.attrs.update(
            {
                "hx-get": reverse("cmdb:attribute_fields"),
                "hx-target": "#ci-attributes",
                "hx-trigger": "change",
                "hx-swap": "innerHTML",
                # The values typed so far: those the new class shares stay.
                "hx-include": "closest form",
            }
        )
        if ci_class is None or not ci_class.is_cluster:
            del self.fields["quorum"]  # only a redundant group has one

    def clean_service(self) -> Service | None:
        service: Service | None = self.cleaned_data.get("service")
        if service is not None:
            others = ConfigurationItem.objects.filter(service=service)
            if self.item is not None:
                others = others.exclude(pk=self.item.pk)
            if others.exists():
                raise forms.ValidationError(_("Another item is this catalogue service already."))
        return service

    def attribute_field_names(self) -> list[str]:
        return [ATTRIBUTE_PREFIX + key for key in self.attribute_keys]

    def own_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in ITEM_FIELDS if name in self.fields and name != "quorum"]

    def attribute_fields(self) -> list[forms.BoundField]:
        """What follows the class: its quorum (a redundant group) and its attributes."""
        names = ["quorum"] if "quorum" in self.fields else []
        return [self[name] for name in names + self.attribute_field_names()]

    def service_data(self) -> dict[str, Any]:
        data = self.cleaned_data
        values = {name: data.get(name) for name in ITEM_FIELDS}
        for key in ("description", "serial_number", "hostname", "asset_tag"):
            values[key] = values[key] or ""
        values["attributes"] = {
            key: data.get(ATTRIBUTE_PREFIX + key) or None for key in self.attribute_keys
        }
        return values

    def add_service_error(self, exc: ServiceError) -> None:
        field = exc.field or ""
        if field.startswith("attributes."):
            name = ATTRIBUTE_PREFIX + field.removeprefix("attributes.")
            self.add_error(name if name in self.fields else None, exc.message)
            return
        super().add_service_error(exc)


def item_initial(ci: ConfigurationItem, attributes: list[CIAttribute]) -> dict[str, Any]:
    initial: dict[str, Any] = {name: getattr(ci, name) for name in ITEM_FIELDS}
    for attribute in attributes:
        initial[ATTRIBUTE_PREFIX + attribute.key] = attribute_initial(
            attribute, ci.attributes.get(attribute.key)
        )
    return initial


def relation_choices() -> list[tuple[str, str]]:
    """`out:<type>`: this item <type> the other; `in:<type>`: the other <type> this item."""
    choices = [(f"out:{t.value}", str(t.label)) for t in RelationType]
    choices += [
        (f"in:{t.value}", str(INVERSE_LABELS[t]))
        for t in RelationType
        if t != RelationType.CONNECTED_TO
    ]
    return choices


class RelationForm(BootstrapMixin, forms.Form):
    relation = forms.ChoiceField(label=_("Relation"), choices=relation_choices)
    target = forms.IntegerField(
        label=_("Item"),
        min_value=1,
        max_value=2**31 - 1,
        error_messages={"required": _("Search for an item and pick it.")},
    )

    def direction_and_type(self) -> tuple[str, str]:
        direction, _sep, kind = self.cleaned_data["relation"].partition(":")
        return direction, kind

    def add_service_error(self, exc: ServiceError) -> None:
        field = {"type": "relation", "target": "target"}.get(exc.field or "")
        self.add_error(field, exc.message)


class MaintenanceForm(BootstrapMixin, forms.Form):
    starts_at = forms.DateTimeField(
        label=_("Starts"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    ends_at = forms.DateTimeField(
        label=_("Ends"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    reason = forms.CharField(label=_("Reason"), max_length=300, required=False)


class FilterForm(forms.Form):
    """The list's filters; a wrong value is ignored, not an error."""

    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    ci_class = ClassChoiceField(
        label=_("Class"), queryset=CIClass.objects.all(), required=False, widget=FastSelect
    )
    layer = forms.ChoiceField(label=_("Layer"), choices=[("", "—"), *Layer.choices], required=False)
    lifecycle = forms.ChoiceField(
        label=_("Lifecycle state"), choices=[("", "—"), *Lifecycle.choices], required=False
    )
    support_group = forms.ModelChoiceField(
        label=_("Support group"),
        queryset=SupportGroup.objects.all(),
        required=False,
        widget=FastSelect,
    )
    organisation = forms.ModelChoiceField(
        label=_("Organisation"),
        queryset=Organisation.objects.all(),
        required=False,
        widget=FastSelect,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field, forms.ModelChoiceField):
                field.empty_label = "—"
            select = isinstance(field.widget, forms.Select)
            field.widget.attrs["class"] = (
                "form-select form-select-sm" if select else "form-control form-control-sm"
            )

    def filters(self) -> dict[str, Any]:
        """The valid filters only (an unknown class or a wrong state is left out)."""
        self.is_valid()
        return {k: v for k, v in getattr(self, "cleaned_data", {}).items() if v}
