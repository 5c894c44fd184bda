"""The chat's forms: a first message, a line, the agent's availability and ticket buttons."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from tuki.chat.models import ChatQueue
from tuki.lib.forms import BootstrapMixin
from tuki.tickets.models import Kind


class StartForm(BootstrapMixin, forms.Form):
    queue = forms.ModelChoiceField(
        label=_("Topic"), queryset=ChatQueue.objects.none(), required=False, empty_label=None
    )
    body = forms.CharField(
        label=_("How can we help?"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": _("Describe what you need…")}),
    )

    def __init__(self, *args: Any, queues: list[ChatQueue] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["queue"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = ChatQueue.objects.filter(pk__in=[q.pk for q in queues or []])
        if len(queues or []) < 2:
            del self.fields["queue"]


class RequestForm(BootstrapMixin, forms.Form):
    body = forms.CharField(
        label=_("Your request"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class MessageForm(BootstrapMixin, forms.Form):
    body = forms.CharField(
        label=_("Message"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(
            attrs={"rows": 2, "placeholder": _("Write a message…"), "data-chat-input": ""}
        ),
    )
    file = forms.FileField(label=_("Attach a file"), required=False)


class AvailabilityForm(BootstrapMixin, forms.Form):
    available = forms.BooleanField(label=_("Available for chats"), required=False)
    capacity = forms.IntegerField(label=_("Chats at once"), min_value=1, max_value=20)


class TicketForm(BootstrapMixin, forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=[(Kind.INCIDENT, Kind.INCIDENT.label), (Kind.REQUEST, Kind.REQUEST.label)],
    )
    title = forms.CharField(label=_("Title"), max_length=200)


class JoinForm(BootstrapMixin, forms.Form):
    ticket = forms.CharField(label=_("Ticket"), max_length=30)


class TransferForm(BootstrapMixin, forms.Form):
    to = forms.CharField(label=_("Pass to"), max_length=40)
