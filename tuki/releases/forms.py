"""The release pages' forms."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django import forms
from django.utils.translation import gettext_lazy as _

from tuki.lib.forms import BootstrapMixin

if TYPE_CHECKING:
    from django.utils.functional import _StrPromise

LOCAL = "%Y-%m-%dT%H:%M"


def _moment(label: str | _StrPromise, required: bool = False) -> forms.DateTimeField:
    return forms.DateTimeField(
        label=label,
        required=required,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=LOCAL),
    )


class ReleaseForm(BootstrapMixin, forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    version = forms.CharField(label=_("Version"), max_length=100, required=False)
    environment = forms.CharField(
        label=_("Target environment"), max_length=60, initial="production"
    )
    planned_start = _moment(_("Window start"))
    planned_end = _moment(_("Window end"))
    description = forms.CharField(label=_("Description"), widget=forms.Textarea, required=False)


class FreezeForm(BootstrapMixin, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    starts_at = _moment(_("Starts"), required=True)
    ends_at = _moment(_("Ends"), required=True)
    reason = forms.CharField(label=_("Reason"), max_length=2000, required=False)
    allow_emergency = forms.BooleanField(label=_("Emergency changes allowed"), required=False)
