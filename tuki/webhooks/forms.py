"""The webhook editor."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from tuki.lib.forms import BootstrapMixin
from tuki.webhooks.models import EVENTS


class WebhookForm(BootstrapMixin, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    # A plain text field: services.clean_url decides (http and https only) and says why.
    url = forms.CharField(
        label=_("URL"),
        max_length=500,
        help_text=_("Tuki POSTs signed JSON here (http:// or https://)."),
        widget=forms.TextInput(attrs={"placeholder": "https://example.com/hooks/tuki"}),
    )
    events = forms.MultipleChoiceField(
        label=_("Ticket events"),
        choices=list(EVENTS.items()),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "Sent for every ticket the webhook's sender may see; rules can also call this "
            "webhook for some tickets."
        ),
    )
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # BootstrapMixin styles it as a text box; each option is a check box.
        self.fields["events"].widget.attrs["class"] = "form-check-input"

    def service_data(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "name": data["name"],
            "url": data["url"],
            "events": data.get("events") or [],
            "is_active": data.get("is_active", False),
        }

    def add_service_error(self, exc: Any) -> None:
        if (exc.field or "").startswith("events"):
            self.add_error("events", exc.message)
            return
        super().add_service_error(exc)
