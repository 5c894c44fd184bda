"""Who sees which chats; the only way views and the API fetch conversations and files.

- a requester sees their own conversations;
- an agent sees the conversations of the chat queues of their groups, and those they answer;
- administrators (superusers) see every conversation;
- anything else is a 404. Agents outside every chat queue have no chat console.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db.models import Q, QuerySet
from django.http import Http404

from tuki.chat.models import ChatQueue, Conversation, Message
from tuki.lib.bounds import parse_id
from tuki.live import bus

if TYPE_CHECKING:
    from tuki.accounts.models import User


def _signed_in(user: Any) -> bool:
    return bool(user.is_authenticated and user.is_active)


def is_requester(user: Any) -> bool:
    """Requesters chat from the portal; agents and administrators answer."""
    return _signed_in(user) and not (user.is_agent or user.is_superuser)


def queues_of(user: Any) -> QuerySet[ChatQueue]:
    """The active chat queues this person answers."""
    if not _signed_in(user) or not (user.is_agent or user.is_superuser):
        return ChatQueue.objects.none()
    queues = ChatQueue.objects.filter(is_active=True).select_related("group")
    if user.is_superuser:
        return queues
    return queues.filter(group__members=user, group__is_active=True)


def is_chat_agent(user: Any) -> bool:
    """An agent of an active chat queue, or an administrator: the chat console is theirs."""
    if not _signed_in(user):
        return False
    if user.is_superuser:
        return True
    return bool(user.is_agent) and queues_of(user).exists()


def visible_q(user: User) -> Q:
    if user.is_superuser:
        return Q()
    if user.is_agent:
        return Q(queue__group__members=user) | Q(agent=user)
    return Q(requester=user)


def conversations_visible_to(user: Any) -> QuerySet[Conversation]:
    if not _signed_in(user):
        return Conversation.objects.none()
    qs = Conversation.objects.filter(visible_q(user))
    return qs.distinct() if user.is_agent and not user.is_superuser else qs


def get_conversation_for_user(user: Any, pk: Any) -> Conversation:
    number = parse_id(str(pk))
    conversation = (
        conversations_visible_to(user)
        .select_related("requester", "requester__organisation", "agent", "queue__group", "ticket")
        .filter(pk=number)
        .first()
        if number is not None
        else None
    )
    if conversation is None:
        raise Http404("No such conversation")
    return conversation


def get_file_for_user(user: Any, pk: Any) -> Message:
    number = parse_id(str(pk))
    visible = conversations_visible_to(user).values("pk")
    message = (
        Message.objects.filter(pk=number, conversation__in=visible).exclude(file="").first()
        if number is not None
        else None
    )
    if message is None:
        raise Http404("No such file")
    return message


def is_participant(user: User, conversation: Conversation) -> bool:
    return user.pk in (conversation.requester_id, conversation.agent_id)


def answers_queue(user: User, conversation: Conversation) -> bool:
    """May take, transfer or end this conversation as the desk: an agent of its queue."""
    if not _signed_in(user) or not (user.is_agent or user.is_superuser):
        return False
    if user.is_superuser:
        return True
    return conversation.queue.group_id in user.group_ids


# --- the live layer: who may listen -----------------------------------------------------------


def may_subscribe(user: Any, topic: str) -> bool:
    """`chat.<pk>`: whoever sees the conversation; `chatqueue.<group pk>`: its agents."""
    prefix, _, rest = topic.partition(".")
    pk = parse_id(rest)
    if pk is None or not _signed_in(user):
        return False
    if prefix == "chat":
        return conversations_visible_to(user).filter(pk=pk).exists()
    if prefix == "chatqueue":
        return queues_of(user).filter(group_id=pk).exists()
    return False


def register_topics() -> None:
    """Called from ChatConfig.ready()."""
    bus.register_topic("chat", may_subscribe)
    bus.register_topic("chatqueue", may_subscribe)
