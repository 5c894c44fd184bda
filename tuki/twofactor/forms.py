from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from tuki.lib.forms import BootstrapMixin


class CodeForm(BootstrapMixin, forms.Form):
    """The code typed at a second-factor step: an authenticator's or a recovery code."""

    code = forms.CharField(
        label=_("Code"),
        max_length=20,
        help_text=_("The 6 digits your authenticator app shows, or one of your recovery codes."),
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "text", "autofocus": True}
        ),
    )


class VerifyForm(CodeForm):
    remember = forms.BooleanField(label=_("Remember this browser"), required=False)


class TotpForm(BootstrapMixin, forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        required=False,
        help_text=_("To tell your devices apart, for example “Work phone”."),
    )
    code = forms.CharField(
        label=_("Code from the app"),
        max_length=10,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


class PolicyForm(BootstrapMixin, forms.Form):
    for_administrators = forms.BooleanField(label=_("Administrators"), required=False)
    for_agents = forms.BooleanField(label=_("Agents"), required=False)
    for_requesters = forms.BooleanField(label=_("Requesters"), required=False)
