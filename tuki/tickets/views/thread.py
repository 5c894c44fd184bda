"""Swarming on the ticket page: the consultation panel, its thread (a fragment the live
layer refreshes), consulting, closing, and the list of consultations for me and my groups
(docs/chat.md, "Consulting specialists (swarming)")."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _, gettext_lazy
from django.views.decorators.http import require_POST
from django_htmx.http import HttpResponseClientRefresh

from tuki.accounts import directory
from tuki.accounts.models import SupportGroup, User
from tuki.lib.errors import ServiceError
from tuki.lib.forms import BootstrapMixin, field_of
from tuki.lib.htmx import is_fragment_request
from tuki.lib.http import AuthenticatedHttpRequest
from tuki.tickets import access, services
from tuki.tickets.models import Attachment, Comment, Ticket, TicketConsultation
from tuki.tickets.views.common import agent_required, go_to

# --- what the panel shows --------------------------------------------------------------------


@dataclass
class Thread:
    """A ticket's consultations and the messages of its thread, oldest first."""

    ticket: Ticket
    consultations: list[TicketConsultation]
    messages: list[Comment]
    files: dict[int, list[Attachment]] = field(default_factory=dict)

    @property
    def open(self) -> list[TicketConsultation]:
        return [c for c in self.consultations if c.closed_at is None]

    @property
    def started(self) -> bool:
        return bool(self.consultations)

    def __post_init__(self) -> None:
        for message in self.messages:
            message.thread_files = self.files.get(message.pk, [])  # type: ignore[attr-defined]  # for the template


def _consultations(ticket: Ticket) -> list[TicketConsultation]:
    return list(
        TicketConsultation.objects.filter(ticket=ticket).select_related(
            "group", "user", "invited_by", "closed_by"
        )
    )


def for_page(ticket: Ticket, comments: list[Comment], attachments: list[Attachment]) -> Thread:
    """The panel of the ticket page from the comments and files the page read already (with
    their people): one query more, for the consultations, on a ticket with a thread."""
    thread_ids = {c.pk for c in comments if c.thread}
    files: dict[int, list[Attachment]] = {}
    for attachment in attachments:
        if attachment.comment_id in thread_ids:
            files.setdefault(attachment.comment_id, []).append(attachment)
    messages = [c for c in comments if c.thread]
    # Every consultation starts with a message in the thread: no message, no consultation.
    consultations = _consultations(ticket) if messages else []
    return Thread(ticket, consultations, messages, files)


def load(ticket: Ticket) -> Thread:
    """The thread on its own (the fragment and the API): three queries."""
    comments = list(Comment.objects.filter(ticket=ticket, thread=True).select_related("author"))
    files: dict[int, list[Attachment]] = {}
    for attachment in Attachment.objects.filter(ticket=ticket, comment__thread=True):
        files.setdefault(attachment.comment_id or 0, []).append(attachment)
    return Thread(ticket, _consultations(ticket), comments, files)


# --- forms -----------------------------------------------------------------------------------


class ConsultForm(BootstrapMixin, forms.Form):
    group = forms.ModelChoiceField(
        label=gettext_lazy("Group"),
        queryset=SupportGroup.objects.filter(is_active=True).order_by("name"),
        required=False,
    )
    user = forms.ModelChoiceField(
        label=gettext_lazy("Person"),
        queryset=User.objects.filter(is_active=True, is_agent=True).order_by("full_name"),
        required=False,
        help_text=gettext_lazy("A group, a person, or a person of the group."),
    )
    body = forms.CharField(
        label=gettext_lazy("Message"),
        widget=forms.Textarea(
            attrs={
                "rows": 3,
                "placeholder": gettext_lazy("Can you check the mail gateway logs for this user?"),
            }
        ),
    )

    def __init__(self, *args: Any, viewer: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        people = field_of(self, "user", forms.ModelChoiceField)
        people.queryset = (
            directory.people_visible_to(viewer).filter(is_agent=True).order_by("full_name")
        )
        field_of(self, "group", forms.ModelChoiceField).empty_label = _("— no group —")
        people.empty_label = _("— anyone of the group —")


class MessageForm(BootstrapMixin, forms.Form):
    body = forms.CharField(label=gettext_lazy("Message"), widget=forms.Textarea(attrs={"rows": 2}))


# --- views -----------------------------------------------------------------------------------


def _ticket(request: AuthenticatedHttpRequest, number: str) -> Ticket:
    return access.get_ticket_for_user(request.user, number)


@agent_required(hide=True)
def thread(request: AuthenticatedHttpRequest, number: str) -> HttpResponse:
    """The participants and messages (data-live-url of the panel's live element)."""
    ticket = _ticket(request, number)
    return render(request, "tickets/thread/messages.html", {"thread": load(ticket)})


@agent_required(hide=True)
def post_message(request: AuthenticatedHttpRequest, number: str) -> HttpResponse:
    ticket = _ticket(request, number)
    if request.method != "POST":
        return go_to(request, ticket.get_absolute_url() + "#consultation")
    form = MessageForm(request.POST)
    if form.is_valid():
        try:
            services.post_thread_message(request.user, ticket, form.cleaned_data["body"])
        except ServiceError as exc:
            form.add_service_error(exc)
        except PermissionDenied as exc:
            form.add_error(None, str(exc) or _("You may not do this."))
        else:
            if not is_fragment_request(request):
                return go_to(request, ticket.get_absolute_url() + "#consultation")
            context = {"ticket": ticket, "thread": load(ticket), "form": MessageForm(), "oob": True}
            return render(request, "tickets/thread/composer.html", context)
    if not is_fragment_request(request):
        context = {"ticket": ticket, "thread": load(ticket), "form": form}
        return render(request, "tickets/thread/page.html", context, status=422)
    context = {"ticket": ticket, "form": form}
    return render(request, "tickets/thread/composer.html", context, status=422)


@agent_required(hide=True)
def consult(request: AuthenticatedHttpRequest, number: str) -> HttpResponse:
    """The Consult form (a fragment in the panel, or a page without JavaScript), and its
    POST."""
    ticket = _ticket(request, number)
    if not access.can_work(request.user, ticket):
        raise PermissionDenied
    form = ConsultForm(request.POST if request.method == "POST" else None, viewer=request.user)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.consult(
                    request.user, ticket, data["body"], group=data["group"], user=data["user"]
                )
            except ServiceError as exc:
                form.add_service_error(exc)
            except PermissionDenied as exc:
                form.add_error(None, str(exc) or _("You may not do this."))
            else:
                messages.success(
                    request, _("Consultation opened on %(number)s.") % {"number": ticket.number}
                )
                if is_fragment_request(request):
                    # The panel's form: the page shows the panel with the thread now (a
                    # redirect to the same page with an anchor would not reload it).
                    return HttpResponseClientRefresh()
                return go_to(request, ticket.get_absolute_url() + "#consultation")
        status = 422
    template = (
        "tickets/thread/consult_form.html"
        if is_fragment_request(request)
        else "tickets/thread/consult.html"
    )
    return render(request, template, {"ticket": ticket, "form": form}, status=status)


@require_POST
@agent_required(hide=True)
def close(request: AuthenticatedHttpRequest, number: str, pk: int) -> HttpResponse:
    ticket = _ticket(request, number)
    consultation = TicketConsultation.objects.filter(ticket=ticket, pk=pk).first()
    if consultation is None:
        raise Http404("No such consultation")
    try:
        services.close_consultation(request.user, ticket, consultation)
    except ServiceError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(
            request, _("The consultation with %(who)s is closed.") % {"who": consultation.who}
        )
    return go_to(request, ticket.get_absolute_url() + "#consultation")


LIST_SIZE = 100


@agent_required
def consultations(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Open consultations for me or my groups, and those I opened (newest first)."""
    user = request.user
    rows = (
        TicketConsultation.objects.filter(access.ticket_visible(user), closed_at=None)
        .select_related("ticket__status", "group", "user", "invited_by")
        .order_by("-created_at", "-id")
    )
    for_me = Q(user=user) | Q(group__in=user.group_ids)
    context = {
        "nav": "queue",
        "for_me": list(rows.filter(for_me)[:LIST_SIZE]),
        "mine": list(rows.filter(invited_by=user).exclude(for_me)[:LIST_SIZE]),
    }
    return render(request, "tickets/thread/list.html", context)
