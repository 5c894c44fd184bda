"""The requester's chat: /portal/chat/ (also framed by the widget as ?embed=1)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages as flash
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from tuki.chat import access, services
from tuki.chat.forms import MessageForm, RequestForm, StartForm
from tuki.chat.models import ChatQueue, Conversation, ConversationStatus
from tuki.chat.views.common import thread_context
from tuki.lib.bounds import parse_id
from tuki.lib.errors import ServiceError


def _embed(request: HttpRequest) -> bool:
    return request.GET.get("embed") == "1" or request.POST.get("embed") == "1"


def allow_framing(response: HttpResponse) -> HttpResponse:
    """Only the widget's page, only for TUKI_CHAT_EMBED_ORIGINS: every other page stays
    unframeable (X-Frame-Options DENY, frame-ancestors 'none')."""
    origins = list(settings.CHAT_EMBED_ORIGINS)
    if origins:
        # Read by django-csp's and Django's clickjacking middleware.
        response._csp_replace = {"frame-ancestors": ["'self'", *origins]}  # type: ignore[attr-defined]  # django-csp's
        response.xframe_options_exempt = True
    return response


def _page(request: HttpRequest, context: dict[str, Any], status: int = 200) -> HttpResponse:
    embed = _embed(request)
    context = {**context, "embed": embed, "nav": "portal_chat"}
    template = "chat/embed.html" if embed else "chat/portal.html"
    response = render(request, template, context, status=status)
    return allow_framing(response) if embed else response


def _current(user: Any, wanted: str | None) -> Conversation | None:
    """The requester's open chat; else the one asked for by ?c= (their own)."""
    mine = access.conversations_visible_to(user).select_related(
        "agent", "queue__group", "ticket", "requester"
    )
    current = mine.filter(
        status__in=[ConversationStatus.WAITING, ConversationStatus.ACTIVE]
    ).first()
    if current is None and wanted:
        number = parse_id(wanted)
        current = mine.filter(pk=number).first() if number is not None else None
    if current is not None:
        current = services.expire_if_missed(current)
    return current


@require_GET
def chat_page(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        if _embed(request):
            return _page(request, {"signin": True})
        return redirect_to_login(request.get_full_path())
    if not access.is_requester(request.user):
        raise Http404("Chats are for requesters")
    return _page(request, _context(request.user, request.GET.get("c")))


def _context(user: Any, wanted: str | None, **extra: Any) -> dict[str, Any]:
    queues = services.active_queues()
    current = _current(user, wanted)
    context: dict[str, Any] = {
        "queues": queues,
        "queue": queues[0] if queues else None,
        "current": current,
        "can_chat": False,
        "start_form": StartForm(queues=queues),
        "request_form": RequestForm(),
        "message_form": MessageForm(),
    }
    if current is not None:
        context.update(thread_context(user, current))
    elif queues:
        context["can_chat"] = any(services.can_chat(q) for q in queues)
    context.update(extra)
    return context


@require_POST
def start(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect_to_login("/portal/chat/")
    user = request.user
    if not access.is_requester(user):
        raise Http404("Chats are for requesters")
    queues = services.active_queues()
    form = StartForm(request.POST, request.FILES, queues=queues)
    suffix = "?embed=1" if _embed(request) else ""
    if form.is_valid():
        queue: ChatQueue | None = form.cleaned_data.get("queue")
        try:
            services.open_conversation(user, form.cleaned_data["body"], queue=queue)
        except ServiceError as exc:
            if exc.code != "nobody_available":
                form.add_service_error(exc)
                return _page(request, _context(user, None, start_form=form), status=422)
            # Nobody can chat: the same words become a request if the requester wishes.
            offer = RequestForm(initial={"body": form.cleaned_data["body"]})
            return _page(
                request,
                _context(user, None, request_form=offer, offline=True),
                status=200,
            )
        return redirect("/portal/chat/" + suffix)
    return _page(request, _context(user, None, start_form=form), status=422)


@require_POST
def send_request(request: HttpRequest) -> HttpResponse:
    """Nobody could chat (or nobody answered): what was typed becomes a request."""
    if not request.user.is_authenticated:
        return redirect_to_login("/portal/chat/")
    user: Any = request.user
    if not access.is_requester(user):
        raise Http404("Chats are for requesters")
    form = RequestForm(request.POST)
    conversation = None
    wanted = parse_id(request.POST.get("conversation", ""))
    if wanted is not None:
        conversation = access.get_conversation_for_user(user, wanted)
    if form.is_valid():
        try:
            ticket = services.send_as_request(
                user, form.cleaned_data["body"], conversation=conversation
            )
        except ServiceError as exc:
            form.add_service_error(exc)
        else:
            flash.success(
                request,
                _("Thank you: your request %(number)s is with the desk.")
                % {"number": ticket.number},
            )
            if _embed(request):
                return redirect(
                    f"/portal/chat/?embed=1&c={conversation.pk}"
                    if conversation
                    else "/portal/chat/?embed=1"
                )
            return redirect("portal:detail", ticket.number)
    return _page(request, _context(user, None, request_form=form, offline=True), status=422)


@require_GET
def button(request: HttpRequest) -> HttpResponse:
    """The floating "Chat with us" button, loaded by portal pages (no query on theirs)."""
    if not access.is_requester(request.user) or not services.active_queues():
        return HttpResponse(status=204)
    return render(request, "chat/partials/portal_button.html", {})
