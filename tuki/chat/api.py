"""Live chat over REST, under /api/v1/chat/ (docs/chat.md).

Agents list their queues' conversations, requesters their own; a conversation nobody may
see is a 404. Refused input is a 422 naming the field.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from ninja import Field, Router

from tuki.chat import access, services
from tuki.chat.models import Conversation, ConversationStatus, Message
from tuki.lib.bounds import Id, Int, Schema
from tuki.lib.http import ApiRequest
from tuki.tickets.models import Kind

router = Router(tags=["chat"])
LIMIT = 100


class ConversationOut(Schema):
    id: int
    status: str
    subject: str
    requester: int
    requester_name: str
    queue: str
    agent: int | None
    ticket: str | None = Field(description="The ticket it became or joined: INC-1042")
    created_at: datetime
    accepted_at: datetime | None
    ended_at: datetime | None


class MessageOut(Schema):
    id: int
    kind: str
    author: int | None
    author_name: str
    body: str
    filename: str
    created_at: datetime


class MessageIn(Schema):
    body: str = Field(max_length=5000)


class TicketIn(Schema):
    kind: str = Field(default=Kind.INCIDENT, description="incident or request")
    title: str = Field(default="", max_length=200, description="Empty: the first message's line")


class JoinIn(Schema):
    ticket: str = Field(max_length=40, description="Number (INC-1042) or id of an open ticket")


def _out(c: Conversation) -> dict[str, Any]:
    return {
        "id": c.pk,
        "status": c.status,
        "subject": c.subject,
        "requester": c.requester_id,
        "requester_name": c.requester.full_name,
        "queue": str(c.queue),
        "agent": c.agent_id,
        "ticket": c.ticket.number if c.ticket else None,
        "created_at": c.created_at,
        "accepted_at": c.accepted_at,
        "ended_at": c.ended_at,
    }


def _message_out(m: Message) -> dict[str, Any]:
    return {
        "id": m.pk,
        "kind": m.kind,
        "author": m.author_id,
        "author_name": m.author.full_name if m.author else "",
        "body": m.shown,
        "filename": m.filename,
        "created_at": m.created_at,
    }


def _get(request: ApiRequest, id: int) -> Conversation:
    return access.get_conversation_for_user(request.user, id)


@router.get("", response=list[ConversationOut], summary="Conversations (newest first)")
def list_conversations(request: ApiRequest, status: str = "") -> list[dict[str, Any]]:
    """Agents: their chat queues' conversations; requesters: their own."""
    qs = access.conversations_visible_to(request.user).select_related(
        "requester", "queue__group", "ticket"
    )
    if status in ConversationStatus.values:
        qs = qs.filter(status=status)
    return [_out(c) for c in qs.order_by("-created_at", "-pk")[:LIMIT]]


@router.get("/{id}", response=ConversationOut, summary="One conversation")
def get_conversation(request: ApiRequest, id: Id) -> dict[str, Any]:
    return _out(_get(request, id))


@router.get("/{id}/messages", response=list[MessageOut], summary="Its messages, oldest first")
def list_messages(request: ApiRequest, id: Id, after: Int = 0) -> list[dict[str, Any]]:
    conversation = _get(request, id)
    messages = conversation.messages.filter(pk__gt=max(after, 0)).select_related("author")
    return [_message_out(m) for m in messages[:500]]


@router.post("/{id}/messages", response={201: MessageOut}, summary="Write a message")
def post_message(request: ApiRequest, id: Id, payload: MessageIn) -> tuple[int, dict[str, Any]]:
    message = services.post_message(request.user, _get(request, id), payload.body)
    return 201, _message_out(message)


@router.post("/{id}/accept", response=ConversationOut, summary="Take a waiting conversation")
def accept(request: ApiRequest, id: Id) -> dict[str, Any]:
    return _out(services.accept(request.user, _get(request, id)))


@router.post("/{id}/end", response=ConversationOut, summary="End the conversation")
def end(request: ApiRequest, id: Id) -> dict[str, Any]:
    return _out(services.end(request.user, _get(request, id)))


@router.post("/{id}/ticket", response=ConversationOut, summary="Save it as a new ticket")
def convert(request: ApiRequest, id: Id, payload: TicketIn) -> dict[str, Any]:
    conversation = _get(request, id)
    if not access.answers_queue(request.user, conversation):
        raise PermissionDenied(_("Only agents of this chat queue save its chats."))
    services.convert_to_ticket(request.user, conversation, kind=payload.kind, title=payload.title)
    return _out(_get(request, id))


@router.post("/{id}/join", response=ConversationOut, summary="Add it to an open ticket")
def join(request: ApiRequest, id: Id, payload: JoinIn) -> dict[str, Any]:
    conversation = _get(request, id)
    if not access.answers_queue(request.user, conversation):
        raise PermissionDenied(_("Only agents of this chat queue save its chats."))
    services.join_ticket(request.user, conversation, payload.ticket)
    return _out(_get(request, id))
