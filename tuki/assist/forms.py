"""The forms of Assist's pages: the period of the accuracy page, the routing threshold."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from tuki.assist.accuracy import DEFAULT_DAYS, PERIODS
from tuki.lib.forms import BootstrapMixin


class PeriodForm(forms.Form):
    days = forms.TypedChoiceField(
        label=_("Period"),
        coerce=int,
        choices=[(d, str(d)) for d in PERIODS],  # the page words them ("last 30 days")
        required=False,
    )

    def days_or_default(self) -> int:
        if self.is_valid() and self.cleaned_data.get("days"):
            return int(self.cleaned_data["days"])
        return DEFAULT_DAYS


class ThresholdForm(BootstrapMixin, forms.Form):
    routing_threshold = forms.FloatField(
        label=_("Routing threshold"),
        required=False,
        min_value=0.0,
        max_value=1.0,
        widget=forms.NumberInput(attrs={"step": "0.01", "min": "0", "max": "1"}),
        help_text=_(
            "Routing rules may use a suggested group only when its confidence is at least "
            "this (0 to 1); empty: never."
        ),
    )
