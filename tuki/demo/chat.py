"""The demo's live chat: the service desk answers chats, and a few chat-channel tickets have
the ended conversation they came from (the ticket's description is its first message)."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from tuki.accounts.models import User
from tuki.chat.models import ChatQueue, Conversation, ConversationStatus, Message, MessageKind
from tuki.chat.texts import ENDED, JOINED, SAVED_AS, SYSTEM
from tuki.demo.cast import Cast
from tuki.tickets.models import Channel, Ticket

CONVERSATIONS = 6
REPLIES = (
    "Thanks, I'm looking at it now.",
    "Could you tell me when it started?",
    "I have registered this so we can follow it up.",
)


def seed(cast: Cast, moment: datetime) -> dict[str, int]:
    queue, _ = ChatQueue.objects.get_or_create(
        group=cast.desk,
        defaults={
            "topic": "IT help",
            "is_default": True,
            "welcome": "Hello! An agent of the service desk will be with you shortly.",
        },
    )
    rnd = random.Random(len(cast.operators))
    tickets = list(
        Ticket.objects.filter(channel=Channel.CHAT, chat_conversations__isnull=True)
        .select_related("requester", "owner")
        .order_by("created_at")[:CONVERSATIONS]
    )
    for ticket in tickets:
        _conversation(queue, ticket, ticket.owner or rnd.choice(cast.operators), rnd)
    return {"queues": 1, "conversations": len(tickets)}


def _conversation(queue: ChatQueue, ticket: Ticket, agent: User, rnd: random.Random) -> None:
    start = ticket.created_at - timedelta(minutes=rnd.randint(4, 12))
    conversation = Conversation.objects.create(
        requester=ticket.requester,
        queue=queue,
        agent=agent,
        status=ConversationStatus.ENDED,
        subject=ticket.title[:200],
        ticket=ticket,
        created_at=start,
        waiting_since=start,
        accepted_at=start + timedelta(minutes=1),
        ended_at=ticket.created_at + timedelta(minutes=1),
        ended_by=agent,
    )
    name = agent.full_name
    lines = [
        (start, ticket.requester, ticket.description or ticket.title, MessageKind.MESSAGE),
        (start + timedelta(minutes=1), None, SYSTEM.english(JOINED, name=name), MessageKind.SYSTEM),
        (start + timedelta(minutes=2), agent, rnd.choice(REPLIES), MessageKind.MESSAGE),
        (
            ticket.created_at,
            None,
            SYSTEM.english(SAVED_AS, number=ticket.number),
            MessageKind.SYSTEM,
        ),
        (
            ticket.created_at + timedelta(minutes=1),
            None,
            SYSTEM.english(ENDED, name=name),
            MessageKind.SYSTEM,
        ),
    ]
    Message.objects.bulk_create(
        Message(conversation=conversation, author=author, body=body, kind=kind, created_at=at)
        for at, author, body, kind in lines
    )
    conversation.transcribed_upto = conversation.messages.order_by("-pk").first().pk  # type: ignore[union-attr]  # five made above
    conversation.save(update_fields=["transcribed_upto"])
