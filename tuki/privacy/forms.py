from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from tuki.lib.forms import BootstrapMixin


class FindPersonForm(BootstrapMixin, forms.Form):
    email = forms.EmailField(label=_("Email address"))


class EraseForm(BootstrapMixin, forms.Form):
    confirm = forms.CharField(
        label=_("Type the person's email address to confirm"),
        max_length=254,
        help_text=_("Erasure cannot be undone."),
    )
