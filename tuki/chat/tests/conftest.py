from __future__ import annotations

import pytest
from django.utils import timezone

from tuki.accounts.models import User
from tuki.chat import services
from tuki.chat.models import AgentChatState, ChatQueue, Conversation
from tuki.conftest import Desk, make_user


def online(user: User, *, capacity: int = 3) -> AgentChatState:
    state, _ = AgentChatState.objects.update_or_create(
        user=user,
        defaults={"available": True, "capacity": capacity, "last_seen": timezone.now()},
    )
    return state


@pytest.fixture
def queue(desk: Desk) -> ChatQueue:
    """The service desk answers chats; the operator is online."""
    queue = ChatQueue.objects.create(
        group=desk.service_desk, topic="IT help", is_default=True, welcome="Hello from the desk!"
    )
    online(desk.operator)
    return queue


@pytest.fixture
def second_operator(desk: Desk, queue: ChatQueue) -> User:
    user = make_user("olga@tuki.test", "Olga Operator", is_agent=True)
    desk.service_desk.members.add(user)
    online(user)
    return user


@pytest.fixture
def chat(desk: Desk, queue: ChatQueue) -> Conversation:
    """A waiting chat of the requester's."""
    return services.open_conversation(desk.requester, "My VPN will not connect")


@pytest.fixture
def active(desk: Desk, chat: Conversation) -> Conversation:
    conversation = services.accept(desk.operator, chat)
    services.post_message(desk.operator, conversation, "Hello Maija, let us look.")
    return conversation
