"""Declaring an outage, and marking an incident as one."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from tuki.availability.models import Impact
from tuki.lib.forms import BootstrapMixin

LOCAL = "%Y-%m-%dT%H:%M"


def _moment(label: Any, required: bool, help_text: Any = "") -> forms.DateTimeField:
    return forms.DateTimeField(
        label=label,
        required=required,
        help_text=help_text,
        input_formats=[LOCAL, "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=LOCAL),
    )


class ImpactFields(BootstrapMixin, forms.Form):
    impact = forms.ChoiceField(label=_("Impact"), choices=Impact.choices, initial=Impact.FULL)
    degradation = forms.IntegerField(
        label=_("Degradation (%)"),
        required=False,
        min_value=1,
        max_value=99,
        help_text=_("For a partial outage: how much of the service is lost, e.g. 50."),
    )
    title = forms.CharField(
        label=_("Public title"),
        max_length=200,
        required=False,
        help_text=_("Shown on the status page."),
    )
    notice = forms.CharField(
        label=_("Public notice"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What requesters read on the status page."),
    )

    def impact_data(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "impact": data["impact"],
            "degradation": data.get("degradation"),
            "title": data.get("title") or "",
            "notice": data.get("notice") or "",
        }


class OutageForm(ImpactFields):
    field_order = ["planned", "starts_at", "ends_at", "impact", "degradation", "title", "notice"]

    planned = forms.BooleanField(label=_("Planned (maintenance agreed in advance)"), required=False)
    starts_at = _moment(_("Starts"), True)
    ends_at = _moment(_("Ends"), False, _("Empty: still going on."))

    def service_data(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "planned": bool(data.get("planned")),
            "starts_at": data["starts_at"],
            "ends_at": data.get("ends_at"),
            **self.impact_data(),
        }


class TicketOutageForm(ImpactFields):
    field_order = ["ticket", "starts_at", "impact", "degradation", "title", "notice"]

    ticket = forms.CharField(
        label=_("Incident"),
        max_length=30,
        help_text=_("Its number, e.g. INC-42. Its affected business services are marked down."),
    )
    starts_at = _moment(_("Started"), False, _("Empty: when the incident was registered."))
