"""The agents' chat console: /desk/chat/ (availability, waiting list, my chats, a chat)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages as flash
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from tuki.accounts.models import User
from tuki.chat import access, services
from tuki.chat.forms import AvailabilityForm, JoinForm, MessageForm, TicketForm, TransferForm
from tuki.chat.models import ChatQueue, Conversation
from tuki.chat.views.common import chat_agent_required, thread_context
from tuki.knowledge import access as kb_access
from tuki.knowledge.search import find_articles
from tuki.lib.bounds import parse_id
from tuki.lib.errors import ServiceError
from tuki.lib.http import AuthenticatedHttpRequest
from tuki.macros import services as macros
from tuki.macros.placeholders import PLACEHOLDER_RE, PLACEHOLDERS


def _lists(user: User) -> dict[str, Any]:
    return {"waiting": services.waiting_for(user), "mine": services.mine(user)}


def _agents_to_pass_to(user: User, queues: list[ChatQueue]) -> list[User]:
    return list(
        User.objects.filter(
            is_active=True,
            is_agent=True,
            support_groups__chat_queue__is_active=True,
        )
        .exclude(pk=user.pk)
        .distinct()
        .order_by("full_name")
    )


@chat_agent_required
@require_GET
def console(request: AuthenticatedHttpRequest, pk: int | None = None) -> HttpResponse:
    user = request.user
    state = services.state_of(user)
    queues = list(access.queues_of(user))
    context: dict[str, Any] = {
        "nav": "chat",
        "state": state,
        "availability_form": AvailabilityForm(
            initial={"available": state.available, "capacity": state.capacity}
        ),
        "queues": queues,
        "topics": " ".join(f"chatqueue.{q.group_id}" for q in queues),
        **_lists(user),
    }
    if pk is not None:
        conversation = access.get_conversation_for_user(user, pk)
        context.update(_pane(user, conversation, queues))
    return render(request, "chat/console.html", context)


def _pane(user: User, conversation: Conversation, queues: list[ChatQueue]) -> dict[str, Any]:
    desk_side = access.answers_queue(user, conversation)
    context = thread_context(user, conversation)
    context.update(
        {
            "selected": conversation,
            "desk_side": desk_side,
            "writes": conversation.is_open and conversation.agent_id == user.pk,
            "message_form": MessageForm(),
            "open_tickets": services.requester_open_tickets(user, conversation),
            "ticket_form": TicketForm(initial={"title": conversation.subject}),
            "join_form": JoinForm(),
            "transfer_form": TransferForm(),
            "pass_agents": _agents_to_pass_to(user, queues) if desk_side else [],
            "pass_queues": services.active_queues() if desk_side else [],
            "macros": _macro_texts(user, conversation),
        }
    )
    return context


def _macro_texts(user: User, conversation: Conversation) -> list[tuple[str, str]]:
    """The agent's reply macros with their text for this requester. Ticket placeholders stay
    empty (there is no ticket yet) and no macro action runs here."""
    values = {
        "requester.name": conversation.requester.full_name,
        "requester.first_name": conversation.requester.get_short_name(),
        "requester.email": conversation.requester.email,
        "agent.name": user.full_name,
        "organisation.name": (
            conversation.requester.organisation.name if conversation.requester.organisation else ""
        ),
    }

    def value(match: Any) -> str:
        name = match.group(1)
        if name in values:
            return values[name]
        return "" if name in PLACEHOLDERS or name.startswith("ticket.") else str(match.group(0))

    return [
        (m.name, PLACEHOLDER_RE.sub(value, m.body))
        for m in macros.macros_for(user)
        if m.body and not m.internal
    ]


@chat_agent_required
@require_GET
def lists(request: AuthenticatedHttpRequest) -> HttpResponse:
    return render(request, "chat/partials/lists.html", _lists(request.user))


@chat_agent_required
@require_POST
def availability(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = AvailabilityForm(request.POST)
    if form.is_valid():
        try:
            services.set_availability(
                request.user,
                available=form.cleaned_data["available"],
                capacity=form.cleaned_data["capacity"],
            )
        except ServiceError as exc:
            flash.error(request, exc.message)
    else:
        flash.error(request, _("Capacity must be between 1 and %(max)d.") % {"max": 20})
    return redirect("chat:console")


@chat_agent_required
@require_POST
def heartbeat(request: AuthenticatedHttpRequest) -> HttpResponse:
    services.heartbeat(request.user)
    return HttpResponse(status=204)


@chat_agent_required
@require_POST
def take(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    conversation = access.get_conversation_for_user(request.user, pk)
    try:
        services.accept(request.user, conversation)
    except ServiceError as exc:
        flash.error(request, exc.message)
        return redirect("chat:console")
    return redirect("chat:conversation", conversation.pk)


@chat_agent_required
@require_POST
def transfer(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    conversation = access.get_conversation_for_user(request.user, pk)
    target = request.POST.get("to", "")
    kind, _sep, ident = target.partition(":")
    number = parse_id(ident)
    to_agent = to_queue = None
    if kind == "agent" and number is not None:
        to_agent = User.objects.filter(pk=number, is_active=True).first()
    elif kind == "queue" and number is not None:
        to_queue = ChatQueue.objects.filter(pk=number).select_related("group").first()
    try:
        if to_agent is None and to_queue is None:
            raise ServiceError(_("Choose an agent or a queue."), field="to", code="required")
        services.transfer(request.user, conversation, to_agent=to_agent, to_queue=to_queue)
    except ServiceError as exc:
        flash.error(request, exc.message)
        return redirect("chat:conversation", conversation.pk)
    flash.success(request, _("The chat was passed on."))
    return redirect("chat:console")


@chat_agent_required
@require_POST
def make_ticket(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    conversation = access.get_conversation_for_user(request.user, pk)
    form = TicketForm(request.POST)
    if form.is_valid():
        try:
            ticket = services.convert_to_ticket(
                request.user,
                conversation,
                kind=form.cleaned_data["kind"],
                title=form.cleaned_data["title"],
            )
        except ServiceError as exc:
            flash.error(request, exc.message)
        else:
            flash.success(request, _("Saved as %(number)s.") % {"number": ticket.number})
    else:
        flash.error(request, _("Give the ticket a title."))
    return redirect("chat:conversation", conversation.pk)


@chat_agent_required
@require_POST
def join(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    conversation = access.get_conversation_for_user(request.user, pk)
    form = JoinForm(request.POST)
    if form.is_valid():
        try:
            ticket = services.join_ticket(request.user, conversation, form.cleaned_data["ticket"])
        except ServiceError as exc:
            flash.error(request, exc.message)
        else:
            flash.success(request, _("Added to %(number)s.") % {"number": ticket.number})
    else:
        flash.error(request, _("Choose a ticket."))
    return redirect("chat:conversation", conversation.pk)


@chat_agent_required
@require_GET
def knowledge(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Articles the requester may read, for the agent to paste a link to."""
    conversation = access.get_conversation_for_user(request.user, pk)
    q = request.GET.get("q", "").strip()[:200]
    requester = conversation.requester
    found: list[dict[str, str]] = []
    if q:
        for article in find_articles(requester, q, requester.language, limit=8, log=False):
            translation = kb_access.translation_for(article, requester.language)
            title = translation.title if translation else str(article)
            url = settings.SITE_URL.rstrip("/") + reverse("knowledge:article", args=[article.pk])
            found.append({"number": article.number, "title": title, "url": url})
    return render(request, "chat/partials/knowledge.html", {"q": q, "found": found})
