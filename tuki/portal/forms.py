"""Forms of the self-service portal: what a requester may say, nothing an agent decides."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from tuki.lib.forms import BootstrapMixin, MultipleFileField, attachments_help, field_of
from tuki.tickets.models import Category, Kind, Urgency

KIND_CHOICES = [
    (Kind.INCIDENT.value, _("Something is broken")),
    (Kind.REQUEST.value, _("I need something")),
]
URGENCY_CHOICES = [
    (Urgency.HIGH.value, _("High: I cannot work")),
    (Urgency.MEDIUM.value, _("Medium: my work is slowed down")),
    (Urgency.LOW.value, _("Low: it can wait")),
]


class CategoryChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Category) -> str:
        return obj.path


class NewRequestForm(BootstrapMixin, forms.Form):
    kind = forms.ChoiceField(
        label=_("What do you need?"),
        choices=KIND_CHOICES,
        initial=Kind.INCIDENT.value,
        widget=forms.RadioSelect,
    )
    title = forms.CharField(
        label=_("Subject"),
        max_length=200,
        widget=forms.TextInput(
            attrs={"placeholder": _("In a few words, e.g. “VPN disconnects every few minutes”")}
        ),
    )
    description = forms.CharField(
        label=_("Details"),
        widget=forms.Textarea(attrs={"rows": 7}),
        help_text=_(
            "What happened, since when, what you already tried, error messages. "
            "The more we know, the faster we can help."
        ),
    )
    category = CategoryChoiceField(
        label=_("Category"),
        queryset=Category.objects.none(),
        required=False,
        empty_label=_("I don't know"),
    )
    urgency = forms.TypedChoiceField(
        label=_("How urgent is it for you?"),
        choices=URGENCY_CHOICES,
        coerce=int,
        initial=Urgency.MEDIUM.value,
        widget=forms.RadioSelect,
    )
    attachments = MultipleFileField(label=_("Attachments"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field_of(self, "category", forms.ModelChoiceField).queryset = Category.objects.filter(
            is_active=True
        ).order_by("path")
        self.fields["attachments"].help_text = attachments_help()
        for name in ("kind", "urgency"):
            # Radios are drawn as buttons by the template, not as one big form-control.
            self.fields[name].widget.attrs["class"] = "btn-check"


class ReplyForm(BootstrapMixin, forms.Form):
    body = forms.CharField(
        label=_("Your reply"),
        required=False,  # a reply may be only files; the service says when both are empty
        widget=forms.Textarea(attrs={"rows": 4, "placeholder": _("Write a reply…")}),
    )
    attachments = MultipleFileField(label=_("Attachments"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["attachments"].help_text = attachments_help()


class ConfirmForm(BootstrapMixin, forms.Form):
    comment = forms.CharField(
        label=_("Anything to add? (optional)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "placeholder": _("Thanks, it works now.")}),
    )


class ReopenForm(BootstrapMixin, forms.Form):
    reason = forms.CharField(
        label=_("What is still wrong?"),
        widget=forms.Textarea(
            attrs={"rows": 3, "placeholder": _("Tell us what still does not work.")}
        ),
    )
