from django import forms

from tuki.accounts.models import User
from tuki.lib.forms import BootstrapMixin


class PreferencesForm(BootstrapMixin, forms.ModelForm):
    class Meta:
        model = User
        fields = ["full_name", "phone", "language", "time_zone"]
