from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from tuki.accounts.models import TIME_ZONE_CHOICES
from tuki.lib.forms import BootstrapMixin

TIME = r"^([01]\d|2[0-3]):[0-5]\d$"


class SetupForm(BootstrapMixin, forms.Form):
    """One page; the token and administrator fields only while there is no administrator."""

    token = forms.CharField(
        label=_("Set-up token"),
        max_length=100,
        help_text=_(
            "Printed in the server log and kept in the file setup-token in Tuki's data folder."
        ),
    )
    admin_name = forms.CharField(label=_("Your name"), max_length=200)
    admin_email = forms.EmailField(label=_("Your email address"))
    password1 = forms.CharField(label=_("Password"), widget=forms.PasswordInput, max_length=200)
    password2 = forms.CharField(
        label=_("Password again"), widget=forms.PasswordInput, max_length=200
    )
    desk_name = forms.CharField(
        label=_("Service desk group"), max_length=200, initial="Service Desk"
    )
    desk_email = forms.EmailField(label=_("Service desk email address"), required=False)
    time_zone = forms.ChoiceField(label=_("Time zone"), choices=TIME_ZONE_CHOICES)
    holiday_country = forms.CharField(
        label=_("Public holidays of"),
        max_length=3,
        required=False,
        help_text=_("Country code, e.g. FI or RO: those days are closed in the business hours."),
    )
    opens = forms.RegexField(label=_("Opens (Monday to Friday)"), regex=TIME, initial="08:00")
    closes = forms.RegexField(label=_("Closes"), regex=TIME, initial="16:00")
    mailbox_address = forms.EmailField(
        label=_("Mailbox address (optional)"),
        required=False,
        help_text=_("Mail to this address becomes tickets; it can also be added later."),
    )
    imap_host = forms.CharField(label=_("IMAP server"), max_length=255, required=False)
    imap_user = forms.CharField(label=_("IMAP user"), max_length=255, required=False)
    imap_password = forms.CharField(
        label=_("IMAP password"), widget=forms.PasswordInput, max_length=255, required=False
    )

    ADMIN_FIELDS = ("token", "admin_name", "admin_email", "password1", "password2")

    def __init__(self, *args: Any, needs_admin: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["time_zone"].initial = settings.TIME_ZONE
        if not needs_admin:
            for name in self.ADMIN_FIELDS:
                del self.fields[name]

    def clean_holiday_country(self) -> str:
        return str(self.cleaned_data.get("holiday_country", "")).strip().upper()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if "password1" in self.fields and data.get("password1") != data.get("password2"):
            self.add_error("password2", _("The two passwords differ."))
        return data
