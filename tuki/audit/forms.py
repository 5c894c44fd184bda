from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from tuki.audit.filters import Filters, type_choices
from tuki.audit.models import Action
from tuki.lib.forms import BootstrapMixin


class DateInput(forms.DateInput):
    input_type = "date"


class AuditFilterForm(BootstrapMixin, forms.Form):
    type = forms.ChoiceField(label=_("Object type"), required=False)
    actor = forms.CharField(label=_("Actor"), required=False, max_length=254)
    action = forms.ChoiceField(
        label=_("Action"), required=False, choices=[("", _("Any action")), *Action.choices]
    )
    since = forms.DateField(label=_("From"), required=False, widget=DateInput())
    until = forms.DateField(label=_("To"), required=False, widget=DateInput())
    object = forms.CharField(required=False, max_length=64, widget=forms.HiddenInput())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        type_field = self.fields["type"]
        assert isinstance(type_field, forms.ChoiceField)
        type_field.choices = [("", _("Every type")), *type_choices()]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        since, until = data.get("since"), data.get("until")
        if since and until and until < since:
            self.add_error("until", _("The end comes before the start."))
        return data

    def filters(self) -> Filters:
        """What was valid of the filters (an invalid field filters nothing and says why)."""
        data = self.cleaned_data if hasattr(self, "cleaned_data") else {}
        return Filters(
            type=data.get("type") or None,
            actor=(data.get("actor") or "").strip() or None,
            action=data.get("action") or None,
            object_id=(data.get("object") or "").strip() or None,
            since=data.get("since"),
            until=data.get("until") if "until" not in self.errors else None,
        )
