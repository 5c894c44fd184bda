from django import forms
from django.contrib.auth import forms as auth_forms
from django.utils.translation import gettext_lazy as _

from tuki.accounts import tasks
from tuki.accounts.models import User
from tuki.lib import taskqueue
from tuki.lib.forms import BootstrapMixin


class PreferencesForm(BootstrapMixin, forms.ModelForm):
    class Meta:
        model = User
        fields = ["full_name", "phone", "language", "time_zone"]


class PasswordChangeForm(BootstrapMixin, auth_forms.PasswordChangeForm):
    """Django's form (old password, new one twice, the validators); saving goes through
    User.save, which revokes the user's API tokens (models.py)."""


class SetPasswordForm(BootstrapMixin, auth_forms.SetPasswordForm):
    """The new password chosen from a reset link."""


class PasswordResetForm(BootstrapMixin, auth_forms.PasswordResetForm):
    """Asks for an email address; the same answer whether or not anybody has it.

    Unlike Django's form it also mails people without a usable password: requesters created
    from their first mail have none, and a reset is how they choose one. The mail goes out
    from the worker (tasks.send_password_reset), so the page answers as fast for an unknown
    address as for a known one and never waits for the mail server.
    """

    def get_users(self, email: str) -> list[User]:
        wanted = email.strip().lower()
        return [u for u in User.objects.filter(email__iexact=wanted, is_active=True)]

    def save(self, *args: object, **kwargs: object) -> None:
        for user in self.get_users(self.cleaned_data["email"]):
            taskqueue.enqueue(tasks.send_password_reset, user.pk)


class ApiTokenForm(BootstrapMixin, forms.Form):
    """A new personal API token: what it is for, and how long it lives."""

    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        required=False,
        help_text=_("What the token is for, e.g. monitoring."),
    )
    expires_in_days = forms.TypedChoiceField(label=_("Expires"), coerce=int)

    def __init__(
        self, *args: object, choices: list[tuple[int, str]], default: int, **kwargs: object
    ) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["expires_in_days"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = choices
        field.initial = default
