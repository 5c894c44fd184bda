"""The threshold editor and the capacity report's filters."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from tuki.accounts.models import SupportGroup
from tuki.capacity.models import Direction, Threshold
from tuki.cmdb.models import CIClass, ConfigurationItem, Lifecycle
from tuki.lib.bounds import parse_id
from tuki.lib.forms import BootstrapMixin
from tuki.tickets.models import Category

SCOPES = [("item", _("One item")), ("class", _("Every item of a class"))]


class ThresholdForm(BootstrapMixin, forms.Form):
    scope = forms.ChoiceField(label=_("Applies to"), choices=SCOPES, widget=forms.RadioSelect)
    item = forms.CharField(
        label=_("Item"),
        required=False,
        max_length=255,
        help_text=_("Its id, host name, serial number or asset tag."),
    )
    ci_class = forms.ModelChoiceField(
        label=_("Class"), queryset=CIClass.objects.order_by("name"), required=False
    )
    metric = forms.CharField(
        label=_("Metric"),
        max_length=60,
        widget=forms.TextInput(attrs={"placeholder": "disk_used_pct"}),
    )
    direction = forms.ChoiceField(
        label=_("Breached when the value is"), choices=Direction.choices, initial=Direction.ABOVE
    )
    warning = forms.FloatField(label=_("Warning level"))
    critical = forms.FloatField(label=_("Critical level"), required=False)
    hysteresis = forms.FloatField(
        label=_("Hysteresis"),
        required=False,
        min_value=0,
        help_text=_(
            "How far past the warning level the value must come back to end a breach. "
            "Empty: 5 percent of the warning level."
        ),
    )
    group = forms.ModelChoiceField(
        label=_("Support group for tickets"),
        queryset=SupportGroup.objects.order_by("name"),
        required=False,
        help_text=_("Empty: the item's support group."),
    )
    category = forms.ModelChoiceField(
        label=_("Ticket category"), queryset=Category.objects.all(), required=False
    )
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def __init__(self, *args: Any, threshold: Threshold | None = None, **kwargs: Any) -> None:
        self.threshold = threshold
        super().__init__(*args, **kwargs)
        if threshold is not None:
            # Where a threshold applies is fixed once made: make another for elsewhere.
            for name in ("scope", "item", "ci_class"):
                self.fields[name].disabled = True
                self.fields[name].required = False

    def clean_item(self) -> ConfigurationItem | None:
        text = (self.cleaned_data.get("item") or "").strip()
        if not text or self.threshold is not None:
            return None
        current = ConfigurationItem.objects.exclude(lifecycle=Lifecycle.RETIRED)
        pk = parse_id(text)
        found = (
            ConfigurationItem.objects.filter(pk=pk).first() if pk is not None else None
        ) or current.filter(hostname=text.lower().rstrip(".")).first()
        found = (
            found
            or current.filter(serial_number=text).first()
            or current.filter(asset_tag=text).first()
        )
        if found is None:
            raise forms.ValidationError(_("No such item."))
        return found

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.threshold is None:
            if data.get("scope") == "item" and not data.get("item") and "item" not in self.errors:
                self.add_error("item", _("Name the item."))
            if data.get("scope") == "class" and not data.get("ci_class"):
                self.add_error("ci_class", _("Choose the class."))
        return data

    def target(self) -> dict[str, Any]:
        data = self.cleaned_data
        if data.get("scope") == "item":
            return {"ci": data["item"]}
        return {"ci_class": data["ci_class"]}

    def service_data(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "metric": data["metric"].strip(),
            "direction": data["direction"],
            "warning": data["warning"],
            "critical": data.get("critical"),
            "hysteresis": data.get("hysteresis"),
            "group": data.get("group"),
            "category": data.get("category"),
            "is_active": bool(data.get("is_active")),
        }


class ReportFilters(BootstrapMixin, forms.Form):
    ci_class = forms.ModelChoiceField(
        label=_("Class"),
        queryset=CIClass.objects.order_by("name"),
        required=False,
        empty_label=_("Every class"),
    )
    group = forms.ModelChoiceField(
        label=_("Support group"),
        queryset=SupportGroup.objects.order_by("name"),
        required=False,
        empty_label=_("Every group"),
    )
    breached = forms.BooleanField(label=_("Breached now"), required=False)
