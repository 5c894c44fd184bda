"""The requester's side of the desk: their requests, a form to ask for help, the conversation.

Only the public part of a ticket ever reaches these pages: public replies and attachments,
and status changes in plain words. Internal notes, internal files and routing stay behind.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language, gettext as _
from django.views.decorators.http import require_POST

from tuki.accounts.models import User
from tuki.assist import duplicates
from tuki.catalogue import access as catalogue_access
from tuki.catalogue.models import CatalogueCategory, CatalogueItem
from tuki.lib.bounds import parse_id
from tuki.lib.errors import ServiceError
from tuki.lib.htmx import render_page_or_fragment
from tuki.lib.http import AuthenticatedHttpRequest
from tuki.lib.uploads import Upload
from tuki.portal.forms import ConfirmForm, NewRequestForm, ReopenForm, ReplyForm
from tuki.search import deflection, queries
from tuki.surveys import services as surveys
from tuki.surveys.forms import AnswerForm
from tuki.tickets import access, fields as custom_fields, services
from tuki.tickets.intake import Call
from tuki.tickets.models import (
    Attachment,
    Channel,
    Comment,
    EventAction,
    StatusCategory,
    Ticket,
    TicketEvent,
    TicketQuerySet,
)

PAGE_SIZE = 20
TAB_OPEN, TAB_CLOSED, TAB_ORGANISATION = "open", "closed", "organisation"


# --- fetching --------------------------------------------------------------------------------


def _is_staff_side(user: User) -> bool:
    return bool(user.is_agent or user.is_superuser)


def portal_tickets(user: User) -> TicketQuerySet:
    """What the portal may list: the visible tickets, and for agents only their own requests."""
    qs = Ticket.objects.visible_to(user)
    if _is_staff_side(user):
        # Agents have the workspace for their work; here they are requesters like anyone.
        qs = qs.filter(requester=user)
    return qs


def get_portal_ticket(user: User, number: str) -> Ticket:
    ticket = access.get_ticket_for_user(user, number)
    if _is_staff_side(user) and ticket.requester_id != user.pk:
        raise Http404("No such ticket")
    return ticket


def _mine_q(user: User) -> Q:
    watched = Ticket.watchers.through.objects.filter(user=user).values("ticket_id")
    return Q(requester=user) | Q(pk__in=watched)


def _sees_organisation(user: User) -> bool:
    return bool(
        user.sees_organisation_tickets and user.organisation_id and not _is_staff_side(user)
    )


# --- My requests -----------------------------------------------------------------------------


def _tab_filters(user: User) -> dict[str, Q]:
    closed = Q(status__category=StatusCategory.CLOSED)
    filters = {TAB_OPEN: _mine_q(user) & ~closed, TAB_CLOSED: _mine_q(user) & closed}
    if _sees_organisation(user):
        filters[TAB_ORGANISATION] = Q(organisation_id=user.organisation_id)
    return filters


def _search(qs: TicketQuerySet, text: str) -> TicketQuerySet:
    if not text:
        return qs
    # Public replies only: matching an internal note would reveal that it exists.
    replies = Comment.objects.filter(is_internal=False, body__icontains=text).values("ticket_id")
    cond = Q(title__icontains=text) | Q(description__icontains=text) | Q(pk__in=replies)
    parsed = Ticket.parse_number(text)
    if parsed:
        cond |= Ticket.number_q(*parsed)
    elif (number := parse_id(text)) is not None:
        cond |= Q(pk=number)
    return qs.filter(cond)


@login_required
def home(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    filters = _tab_filters(user)
    tab = request.GET.get("tab", TAB_OPEN)
    if tab not in filters:
        tab = TAB_OPEN
    text = request.GET.get("q", "").strip()[:200]
    base = portal_tickets(user)
    counts = base.aggregate(**{name: Count("pk", filter=q) for name, q in filters.items()})
    qs = _search(base.filter(filters[tab]), text)
    qs = qs.select_related("status", "category", "requester").order_by("-updated_at", "-id")
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "nav": "portal",
        "tab": tab,
        "tabs": [(name, _tab_label(name), counts[name]) for name in filters],
        "q": text,
        "page": page,
        "show_requester": tab == TAB_ORGANISATION,
        "shelves": _shelves(user),
    }
    return render_page_or_fragment(
        request, "portal/home.html", "portal/partials/ticket_list.html", context
    )


def _shelves(user: User) -> list[tuple[CatalogueCategory, list[CatalogueItem]]]:
    """The catalogue's categories with the items this person may order (one query)."""
    shelves: dict[int, tuple[CatalogueCategory, list[CatalogueItem]]] = {}
    items = catalogue_access.orderable_items(user).order_by(
        "category__position", "category__name", "position", "name"
    )
    for item in items:
        shelves.setdefault(item.category_id, (item.category, []))[1].append(item)
    return list(shelves.values())


def _matches(item: CatalogueItem, words: list[str]) -> bool:
    text = " ".join([item.display_name, item.name, item.display_short, item.short_description])
    return all(word in text.lower() for word in words)


@login_required
def find(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The home's search box: catalogue items and knowledge articles (htmx fragment)."""
    text = request.GET.get("find", "").replace("\x00", " ").strip()[:200]
    words = text.lower().split()
    items = [i for i in catalogue_access.orderable_items(request.user) if _matches(i, words)]
    articles = queries.suggest(request.user, text) if text else []
    if articles:
        deflection.remember(request, text, "portal")
    context = {"found_items": items[:8] if words else [], "articles": articles, "text": text}
    return render(request, "portal/partials/catalogue_found.html", context)


def _tab_label(name: str) -> str:
    return {
        TAB_OPEN: _("Open"),
        TAB_CLOSED: _("Closed"),
        TAB_ORGANISATION: _("My organisation's"),
    }[name]


# --- New request -----------------------------------------------------------------------------


def _uploads(form: Any) -> list[Upload]:
    """Raises ServiceError (field "attachments") for a file over the size limit."""
    return [Upload.from_uploaded(f) for f in form.cleaned_data.get("attachments") or []]


@login_required
def new(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = NewRequestForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            ticket = services.create_ticket(
                request.user,
                requester=request.user,
                channel=Channel.WEB,
                title=data["title"],
                description=data["description"],
                kind=data["kind"],
                category=data["category"],
                urgency=data["urgency"],
                uploads=_uploads(form),
            )
        except ServiceError as exc:
            form.add_service_error(exc)
        else:
            # Suggestions were shown and the request went in anyway: counted (tuki/search).
            deflection.record_submitted(request, ticket)
            messages.success(
                request,
                _("Thank you! We registered your request as %(number)s and will be in touch.")
                % {"number": ticket.number},
            )
            return redirect("portal:detail", number=ticket.number)
    return render(request, "portal/new.html", {"form": form, "nav": "portal_new"})


@login_required
def similar(request: AuthenticatedHttpRequest) -> HttpResponse:
    """While a request is typed: the requester's own open requests that say the same thing
    (tuki/assist/duplicates.py, in any of the desk's languages), so they can add to one."""
    call = Call(
        caller=request.user,
        title=request.GET.get("title", "")[:200],
        description=request.GET.get("description", "")[:2000],
        language=get_language() or "en",
    )
    found = [d.ticket for d in duplicates.find(request.user, call) if d.own]
    return render(request, "portal/partials/similar.html", {"tickets": found})


# --- One request -----------------------------------------------------------------------------


def _conversation(ticket: Ticket) -> tuple[list[tuple[str, Any]], list[Attachment]]:
    """Public replies and status changes in time order, and the files sent with the request.

    Three queries whatever the length of the conversation.
    """
    comments = list(
        ticket.comments.filter(is_internal=False).select_related("author").order_by("created_at")
    )
    by_comment: dict[int | None, list[Attachment]] = {c.pk: [] for c in comments}
    by_comment[None] = []
    for attachment in ticket.attachments.filter(is_internal=False).order_by("created_at", "id"):
        # A public file on an internal note should not exist; if it does, it stays hidden.
        if attachment.comment_id in by_comment:
            by_comment[attachment.comment_id].append(attachment)
    for comment in comments:
        comment.public_attachments = by_comment[comment.pk]
    statuses = TicketEvent.objects.filter(ticket=ticket, action=EventAction.STATUS).only(
        "created_at", "new_value"
    )
    items: list[tuple[Any, str, Any]] = [(c.created_at, "comment", c) for c in comments]
    items += [(e.created_at, "status", e) for e in statuses]
    items.sort(key=lambda item: (item[0], item[1] == "comment"))
    return [(kind, obj) for _at, kind, obj in items], by_comment[None]


def _awaits_confirmation(ticket: Ticket, user: User) -> bool:
    return ticket.status.category == StatusCategory.RESOLVED and ticket.requester_id == user.pk


def _render_detail(
    request: AuthenticatedHttpRequest, ticket: Ticket, status: int = 200, **forms: Any
) -> HttpResponse:
    conversation, request_files = _conversation(ticket)
    context = {
        "nav": "portal",
        "ticket": ticket,
        "conversation": conversation,
        "request_files": request_files,
        "all_files": request_files
        + [a for kind, c in conversation if kind == "comment" for a in c.public_attachments],
        "can_reply": ticket.is_active,
        "awaits_confirmation": _awaits_confirmation(ticket, request.user),
        "reply_form": forms.get("reply_form") or ReplyForm(),
        "confirm_form": forms.get("confirm_form") or ConfirmForm(),
        "reopen_form": forms.get("reopen_form") or ReopenForm(),
        # The requester's open satisfaction survey of this resolution, answered in place.
        "survey": surveys.open_for(ticket, request.user),
        "survey_form": forms.get("survey_form") or AnswerForm(),
        # Custom fields shown to requesters (read-only here).
        "custom_fields": [row for row in custom_fields.shown(ticket, requester=True) if row.text],
        # Refusals that name no field (the request moved on meanwhile) show above the page,
        # since the form that caused them may no longer be displayed.
        "page_errors": [e for form in forms.values() for e in form.non_field_errors()],
    }
    return render(request, "portal/detail.html", context, status=status)


@login_required
def detail(request: AuthenticatedHttpRequest, number: str) -> HttpResponse:
    return _render_detail(request, get_portal_ticket(request.user, number))


@login_required
@require_POST
def reply(request: AuthenticatedHttpRequest, number: str) -> HttpResponse:
    ticket = get_portal_ticket(request.user, number)
    form = ReplyForm(request.POST, request.FILES)
    if form.is_valid() and not ticket.is_active:
        form.add_error(None, _("This request is no longer open, so it takes no more replies."))
    if form.is_valid():
        try:
            services.add_comment(
                request.user,
                ticket,
                form.cleaned_data["body"],
                internal=False,
                channel=Channel.WEB,
                uploads=_uploads(form),
            )
        except ServiceError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, _("Your reply was sent."))
            return redirect("portal:detail", number=ticket.number)
    return _render_detail(request, ticket, reply_form=form)


def _check_confirmable(request: AuthenticatedHttpRequest, ticket: Ticket) -> None:
    # Only the person who asked decides whether their issue is solved.
    if ticket.requester_id != request.user.pk:
        raise PermissionDenied(_("Only the requester can confirm or reopen a request."))


@login_required
@require_POST
def confirm(request: AuthenticatedHttpRequest, number: str) -> HttpResponse:
    ticket = get_portal_ticket(request.user, number)
    _check_confirmable(request, ticket)
    form = ConfirmForm(request.POST)
    if form.is_valid() and ticket.status.category != StatusCategory.RESOLVED:
        form.add_error(None, _("Only a resolved request can be confirmed."))
    if form.is_valid():
        try:
            services.close_ticket(request.user, ticket, comment=form.cleaned_data["comment"])
        except ServiceError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, _("Thank you for confirming. We closed the request."))
            return redirect("portal:detail", number=ticket.number)
    return _render_detail(request, ticket, confirm_form=form)


@login_required
@require_POST
def reopen(request: AuthenticatedHttpRequest, number: str) -> HttpResponse:
    ticket = get_portal_ticket(request.user, number)
    _check_confirmable(request, ticket)
    form = ReopenForm(request.POST)
    if form.is_valid():
        try:
            services.reopen_ticket(request.user, ticket, reason=form.cleaned_data["reason"])
        except ServiceError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, _("We reopened the request and will look at it again."))
            return redirect("portal:detail", number=ticket.number)
    return _render_detail(request, ticket, reopen_form=form)


@login_required
@require_POST
def survey(request: AuthenticatedHttpRequest, number: str) -> HttpResponse:
    ticket = get_portal_ticket(request.user, number)
    _check_confirmable(request, ticket)
    form = AnswerForm(request.POST)
    found = surveys.open_for(ticket, request.user)
    if found is None:
        form.add_error(None, _("There is no survey to answer on this request."))
    if form.is_valid() and found is not None:
        try:
            surveys.answer(
                found, form.cleaned_data["score"], form.cleaned_data["comment"], by=request.user
            )
        except ServiceError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, _("Thank you for your answer."))
            return redirect("portal:detail", number=ticket.number)
    return _render_detail(request, ticket, status=422, survey_form=form)


@login_required
def attachment(request: AuthenticatedHttpRequest, pk: int) -> FileResponse:
    found = access.get_attachment_for_user(request.user, pk)
    if found.is_internal or (
        _is_staff_side(request.user) and found.ticket.requester_id != request.user.pk
    ):
        raise Http404("No such attachment")
    return access.attachment_response(found)
