"""Doors of the chat pages: who gets in, and the context both sides share."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest
from django.http.response import HttpResponseBase

from tuki.chat import access
from tuki.chat.models import Conversation, ReadMark

View = Callable[..., HttpResponseBase]


def signed_in(func: View) -> View:
    """Anonymous visitors sign in first; what they may not see is a 404 further on."""

    @wraps(func)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        return func(request, *args, **kwargs)

    return wrapper


def chat_agent_required(func: View) -> View:
    """Agents of a chat queue and administrators; anyone else signed in gets a 404."""

    @wraps(func)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not access.is_chat_agent(request.user):
            raise Http404("No chat console")
        return func(request, *args, **kwargs)

    return wrapper


def thread_context(user: Any, conversation: Conversation) -> dict[str, Any]:
    """The messages and who has seen what ("Seen" under the last line of mine the other side
    has read): two queries."""
    messages = list(conversation.messages.select_related("author"))
    marks = dict(
        ReadMark.objects.filter(conversation=conversation).values_list("user_id", "last_read")
    )
    other = (
        conversation.agent_id if user.pk == conversation.requester_id else conversation.requester_id
    )
    seen_upto = marks.get(other, 0) if other else 0
    mine = [m.pk for m in messages if m.author_id == user.pk]
    seen_id = max((pk for pk in mine if pk <= seen_upto), default=0)
    return {
        "conversation": conversation,
        "chat_messages": messages,
        "seen_id": seen_id,
        "last_id": messages[-1].pk if messages else 0,
        "me": user,
    }
