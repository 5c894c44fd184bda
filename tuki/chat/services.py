"""Every write of the chat: opening, taking, messages, read marks, transfer, end, tickets.

Routing (docs/chat.md): a new conversation waits in its queue; it is offered to the queue's
agents who are available (their toggle), not away today, seen within HEARTBEAT seconds and
below their capacity. When none is, the requester is offered a ticket instead
(`send_as_request`). Taking is one conditional UPDATE: one winner, the others are told who.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from tuki.accounts.models import User
from tuki.accounts.services import away_user_ids
from tuki.chat import access, live, texts
from tuki.chat.models import (
    AgentChatState,
    ChatQueue,
    Conversation,
    ConversationStatus,
    Message,
    MessageKind,
    ReadMark,
)
from tuki.lib.errors import ServiceError
from tuki.lib.uploads import Upload, sniff
from tuki.tickets import access as ticket_access, services as tickets
from tuki.tickets.models import Channel, Kind, StatusCategory, Ticket

HEARTBEAT = timedelta(seconds=60)  # an agent not seen for this long is not offered chats
MAX_BODY = 5000
MAX_CAPACITY = 20


# --- queues and who can answer -------------------------------------------------------------


def active_queues() -> list[ChatQueue]:
    return list(
        ChatQueue.objects.filter(is_active=True, group__is_active=True).select_related("group")
    )


def default_queue() -> ChatQueue | None:
    queues = active_queues()
    return queues[0] if queues else None  # ordered: the default first


def _active_count() -> Coalesce:
    count = (
        Conversation.objects.filter(agent=OuterRef("pk"), status=ConversationStatus.ACTIVE)
        .order_by()
        .values("agent")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(count), 0)


def available_agents(queue: ChatQueue, now: datetime | None = None) -> list[User]:
    """The queue's agents a new chat may be offered to (two queries)."""
    now = now or timezone.now()
    candidates = list(
        User.objects.filter(
            is_active=True,
            is_agent=True,
            support_groups=queue.group,
            chat_state__available=True,
            chat_state__last_seen__gte=now - HEARTBEAT,
        )
        .select_related("chat_state")
        .annotate(active_chats=_active_count())
        .order_by("active_chats", "pk")
    )
    away = away_user_ids(candidates, now) if candidates else set()
    return [u for u in candidates if u.pk not in away and u.active_chats < u.chat_state.capacity]


def can_chat(queue: ChatQueue | None) -> bool:
    return queue is not None and bool(available_agents(queue))


def state_of(user: User) -> AgentChatState:
    state = AgentChatState.objects.filter(user=user).first()
    return state or AgentChatState(user=user)


def active_count(user: User) -> int:
    return Conversation.objects.filter(agent=user, status=ConversationStatus.ACTIVE).count()


# --- the agent's availability --------------------------------------------------------------


def set_availability(
    actor: User, *, available: bool, capacity: int | None = None
) -> AgentChatState:
    if not access.is_chat_agent(actor):
        raise PermissionDenied(_("Only agents of a chat queue answer chats."))
    state = state_of(actor)
    if capacity is not None:
        if not 1 <= capacity <= MAX_CAPACITY:
            raise ServiceError(
                _("Capacity must be between 1 and %(max)d.") % {"max": MAX_CAPACITY},
                field="capacity",
                code="invalid",
            )
        state.capacity = capacity
    state.available = available
    state.last_seen = timezone.now()
    with transaction.atomic():
        state.save()
        for queue in access.queues_of(actor):
            live.on_queue(queue.group_id, "agents")
    return state


def heartbeat(actor: User) -> None:
    """The console is open: keep offering chats to this agent."""
    if not access.is_chat_agent(actor):
        raise PermissionDenied(_("Only agents of a chat queue answer chats."))
    updated = AgentChatState.objects.filter(user=actor).update(last_seen=timezone.now())
    if not updated:
        AgentChatState.objects.create(user=actor, last_seen=timezone.now())


# --- opening a chat ------------------------------------------------------------------------


def _clean_body(body: str, *, required: bool = True) -> str:
    body = (body or "").strip()
    if required and not body:
        raise ServiceError(_("Write something first."), field="body", code="required")
    if len(body) > MAX_BODY:
        raise ServiceError(
            _("A message may have at most %(max)d characters.") % {"max": MAX_BODY},
            field="body",
            code="too_long",
        )
    return body


def open_conversation(
    requester: User, body: str, *, queue: ChatQueue | None = None, upload: Upload | None = None
) -> Conversation:
    """Start a chat in `queue` (the default one when None); refused when nobody can answer."""
    if not access.is_requester(requester):
        raise PermissionDenied(_("Chats are for requesters; agents answer them."))
    body = _clean_body(body)
    if queue is None:
        queue = default_queue()
    if queue is None or not queue.is_active:
        raise ServiceError(_("Nobody answers chats here."), field="queue", code="no_queue")
    if Conversation.objects.filter(
        requester=requester, status__in=[ConversationStatus.WAITING, ConversationStatus.ACTIVE]
    ).exists():
        raise ServiceError(_("You already have an open chat."), field="body", code="already_open")
    if not can_chat(queue):
        raise ServiceError(_("Nobody can chat right now."), field="body", code="nobody_available")
    with transaction.atomic():
        conversation = Conversation.objects.create(
            requester=requester, queue=queue, subject=body.splitlines()[0][:200]
        )
        _message(conversation, requester, body, upload)
        live.on_queue(queue.group_id, "waiting", id=conversation.pk)
    return conversation


def _message(
    conversation: Conversation,
    author: User | None,
    body: str,
    upload: Upload | None = None,
    kind: str = MessageKind.MESSAGE,
) -> Message:
    message = Message(conversation=conversation, author=author, body=body, kind=kind)
    if upload is not None:
        upload.check_size()
        message.sha256 = hashlib.sha256(upload.content).hexdigest()
        message.filename = upload.name[:255] or "attachment"
        message.content_type = sniff(upload)
        message.size = len(upload.content)
        message.file.save(message.sha256, ContentFile(upload.content), save=False)
    message.save()
    return message


def _system(conversation: Conversation, template: str, **params: object) -> Message:
    return _message(
        conversation, None, texts.SYSTEM.english(template, **params), kind=MessageKind.SYSTEM
    )


def _locked(conversation: Conversation) -> Conversation:
    """The conversation re-read under a row lock (call inside a transaction)."""
    return (
        Conversation.objects.select_for_update(of=("self",))
        .select_related("queue__group", "requester", "agent")
        .get(pk=conversation.pk)
    )


# --- taking, passing on, ending -------------------------------------------------------------


def accept(agent: User, conversation: Conversation) -> Conversation:
    """Take a waiting chat. One winner: the others get "Already taken by X"."""
    if not access.answers_queue(agent, conversation):
        raise PermissionDenied(_("Only agents of this chat queue take its chats."))
    state = state_of(agent)
    if active_count(agent) >= state.capacity:
        raise ServiceError(
            _("You already answer %(count)d chats, your capacity.") % {"count": state.capacity},
            field="capacity",
            code="at_capacity",
        )
    now = timezone.now()
    with transaction.atomic():
        taken = Conversation.objects.filter(
            pk=conversation.pk, status=ConversationStatus.WAITING
        ).update(status=ConversationStatus.ACTIVE, agent=agent, accepted_at=now)
        if not taken:
            conversation.refresh_from_db()
            if conversation.agent_id and conversation.status == ConversationStatus.ACTIVE:
                raise ServiceError(
                    _("Already taken by %(name)s.") % {"name": conversation.agent},
                    code="taken",
                )
            raise ServiceError(_("This chat is no longer waiting."), code="not_waiting")
        conversation.refresh_from_db()
        _system(conversation, texts.JOINED, name=agent.full_name or agent.email)
        live.on_conversation(conversation.pk, "accepted", agent=agent.pk)
        live.on_queue(conversation.queue.group_id, "taken", id=conversation.pk)
    return conversation


def transfer(
    actor: User,
    conversation: Conversation,
    *,
    to_agent: User | None = None,
    to_queue: ChatQueue | None = None,
) -> Conversation:
    """Pass an open chat to another agent of a chat queue, or back to a queue's waiting list."""
    if not access.answers_queue(actor, conversation):
        raise PermissionDenied(_("Only agents of this chat queue pass its chats on."))
    if (to_agent is None) == (to_queue is None):
        raise ServiceError(_("Choose an agent or a queue."), field="to", code="required")
    if to_agent is not None and not access.is_chat_agent(to_agent):
        raise ServiceError(
            _("%(name)s does not answer chats.") % {"name": to_agent}, field="to", code="invalid"
        )
    if to_queue is not None and not to_queue.is_active:
        raise ServiceError(_("That queue does not answer chats."), field="to", code="invalid")
    name = actor.full_name or actor.email
    with transaction.atomic():
        conversation = _locked(conversation)
        if not conversation.is_open:
            raise ServiceError(_("This chat has ended."), code="ended")
        old_group = conversation.queue.group_id
        if to_agent is not None:
            conversation.agent = to_agent
            conversation.status = ConversationStatus.ACTIVE
            conversation.accepted_at = conversation.accepted_at or timezone.now()
            _system(conversation, texts.TRANSFERRED_TO_AGENT, name=name, to=to_agent.full_name)
            live.on_conversation(conversation.pk, "accepted", agent=to_agent.pk)
            live.on_queue(old_group, "taken", id=conversation.pk)
        elif to_queue is not None:
            conversation.agent = None
            conversation.queue = to_queue
            conversation.status = ConversationStatus.WAITING
            conversation.waiting_since = timezone.now()
            _system(conversation, texts.TRANSFERRED_TO_QUEUE, name=name, to=str(to_queue))
            live.on_conversation(conversation.pk, "accepted", agent=None)
            live.on_queue(old_group, "taken", id=conversation.pk)
            live.on_queue(to_queue.group_id, "waiting", id=conversation.pk)
        conversation.save()
    return conversation


def end(actor: User, conversation: Conversation) -> Conversation:
    """End an open chat (either side). Messages since the transcript go to its ticket."""
    if not (
        access.is_participant(actor, conversation) or access.answers_queue(actor, conversation)
    ):
        raise PermissionDenied(_("Only the people in this chat end it."))
    with transaction.atomic():
        conversation = _locked(conversation)
        if not conversation.is_open:
            return conversation
        was_waiting = conversation.status == ConversationStatus.WAITING
        conversation.status = ConversationStatus.ENDED
        conversation.ended_at = timezone.now()
        conversation.ended_by = actor
        conversation.save()
        _system(conversation, texts.ENDED, name=actor.full_name or actor.email)
        if conversation.ticket is not None:
            _transcribe(conversation.agent or actor, conversation, conversation.ticket)
        live.on_conversation(conversation.pk, "ended")
        if was_waiting:
            live.on_queue(conversation.queue.group_id, "taken", id=conversation.pk)
    return conversation


def mark_missed(now: datetime | None = None) -> int:
    """Waiting chats nobody took within CHAT_MISSED_MINUTES become missed (a periodic job;
    safe to run twice: each is claimed with a conditional UPDATE)."""
    now = now or timezone.now()
    cutoff = now - timedelta(minutes=settings.CHAT_MISSED_MINUTES)
    count = 0
    for conversation in Conversation.objects.filter(
        status=ConversationStatus.WAITING, waiting_since__lt=cutoff
    ).select_related("queue"):
        count += _miss(conversation, now)
    return count


def expire_if_missed(conversation: Conversation, now: datetime | None = None) -> Conversation:
    """The requester's page reads its chat: a wait past the limit is missed now, not later."""
    now = now or timezone.now()
    limit = timedelta(minutes=settings.CHAT_MISSED_MINUTES)
    if (
        conversation.status == ConversationStatus.WAITING
        and conversation.waiting_since < now - limit
    ):
        _miss(conversation, now)
        conversation.refresh_from_db()
    return conversation


def _miss(conversation: Conversation, now: datetime) -> int:
    with transaction.atomic():
        claimed = Conversation.objects.filter(
            pk=conversation.pk, status=ConversationStatus.WAITING
        ).update(status=ConversationStatus.MISSED, ended_at=now)
        if claimed:
            _system(conversation, texts.MISSED)
            live.on_conversation(conversation.pk, "ended")
            live.on_queue(conversation.queue.group_id, "taken", id=conversation.pk)
    return claimed


# --- messages and read marks ---------------------------------------------------------------


def post_message(
    actor: User, conversation: Conversation, body: str, *, upload: Upload | None = None
) -> Message:
    """A line from the requester or the answering agent; a file goes through the same checks
    as a ticket's attachments (size, type from its bytes)."""
    if not access.is_participant(actor, conversation):
        raise PermissionDenied(_("Only the people in this chat write in it."))
    body = _clean_body(body, required=upload is None)
    with transaction.atomic():
        conversation = _locked(conversation)
        if not conversation.is_open:
            raise ServiceError(_("This chat has ended."), field="body", code="ended")
        if actor.pk != conversation.requester_id and actor.pk != conversation.agent_id:
            raise PermissionDenied(_("Only the people in this chat write in it."))
        message = _message(conversation, actor, body, upload)
        _mark(conversation, actor, message.pk)
        live.on_conversation(conversation.pk, "message", message=message.pk, author=actor.pk)
    return message


def mark_read(user: User, conversation: Conversation, upto: int) -> bool:
    """The participant has seen the messages up to `upto`; True when that moved the mark."""
    if not access.is_participant(user, conversation):
        return False
    last = conversation.messages.order_by("-pk").values_list("pk", flat=True).first() or 0
    upto = min(upto, last)
    with transaction.atomic():
        moved = _mark(conversation, user, upto)
        if moved:
            live.on_conversation(conversation.pk, "read", user=user.pk, upto=upto)
    return moved


def _mark(conversation: Conversation, user: User, upto: int) -> bool:
    if upto <= 0:
        return False
    moved = ReadMark.objects.filter(
        conversation=conversation, user=user, last_read__lt=upto
    ).update(last_read=upto)
    if moved:
        return True
    _, created = ReadMark.objects.get_or_create(
        conversation=conversation, user=user, defaults={"last_read": upto}
    )
    return created


# --- tickets and transcripts ---------------------------------------------------------------


def _check_desk_side(agent: User, conversation: Conversation) -> None:
    if not access.answers_queue(agent, conversation):
        raise PermissionDenied(_("Only agents of this chat queue save its chats."))
    if conversation.ticket_id is not None:
        raise ServiceError(
            _("This chat is already on %(number)s.") % {"number": conversation.ticket},
            field="ticket",
            code="already_ticket",
        )


def convert_to_ticket(
    agent: User, conversation: Conversation, *, kind: str = Kind.INCIDENT, title: str = ""
) -> Ticket:
    """Register a ticket for the chatter (channel chat) holding the transcript so far."""
    _check_desk_side(agent, conversation)
    if kind not in (Kind.INCIDENT, Kind.REQUEST):
        raise ServiceError(_("Unknown ticket kind."), field="kind", code="invalid_kind")
    with transaction.atomic():
        conversation = _locked(conversation)
        _check_desk_side(agent, conversation)
        first = conversation.messages.filter(kind=MessageKind.MESSAGE).first()
        ticket = tickets.create_ticket(
            agent,
            title=(title or conversation.subject).strip(),
            requester=conversation.requester,
            description=first.body if first else "",
            kind=kind,
            channel=Channel.CHAT,
        )
        _link(agent, conversation, ticket, texts.SAVED_AS)
    return ticket


def join_ticket(agent: User, conversation: Conversation, number: str) -> Ticket:
    """Add the transcript to one of the requester's open tickets."""
    _check_desk_side(agent, conversation)
    try:
        ticket = ticket_access.get_ticket_for_user(agent, number, related=False)
    except Exception as exc:  # Http404: a ticket the agent may not see is "no such ticket"
        raise ServiceError(_("No such ticket."), field="ticket", code="not_found") from exc
    if ticket.requester_id != conversation.requester_id:
        raise ServiceError(
            _("%(number)s is not a ticket of this requester.") % {"number": ticket.number},
            field="ticket",
            code="other_requester",
        )
    if ticket.status.category in (StatusCategory.RESOLVED, StatusCategory.CLOSED):
        raise ServiceError(
            _("%(number)s is no longer open.") % {"number": ticket.number},
            field="ticket",
            code="closed",
        )
    with transaction.atomic():
        conversation = _locked(conversation)
        _check_desk_side(agent, conversation)
        _link(agent, conversation, ticket, texts.JOINED_TICKET)
    return ticket


def requester_open_tickets(
    agent: User, conversation: Conversation, limit: int = 10
) -> list[Ticket]:
    """The chatter's open tickets the agent may see: where "Add to ticket" may go."""
    return list(
        Ticket.objects.visible_to(agent)
        .filter(requester_id=conversation.requester_id)
        .exclude(status__category__in=[StatusCategory.RESOLVED, StatusCategory.CLOSED])
        .select_related("status")
        .order_by("-created_at")[:limit]
    )


def _link(agent: User, conversation: Conversation, ticket: Ticket, template: str) -> None:
    """Hold the conversation lock."""
    _transcribe(agent, conversation, ticket)
    conversation.ticket = ticket
    conversation.save(update_fields=["ticket", "transcribed_upto"])
    _system(conversation, template, number=ticket.number)
    live.on_conversation(conversation.pk, "ticket", ticket=ticket.pk)


def _transcribe(actor: User, conversation: Conversation, ticket: Ticket) -> None:
    """One public comment (channel chat) with the messages not yet on the ticket, their files
    as its attachments. Hold the conversation lock; sets `transcribed_upto` (not saved)."""
    messages = list(
        conversation.messages.filter(pk__gt=conversation.transcribed_upto).select_related("author")
    )
    if not messages:
        return
    if conversation.transcribed_upto and all(m.kind == MessageKind.SYSTEM for m in messages):
        # Only "ended" and the like since the transcript: nothing worth a reply (and a mail).
        conversation.transcribed_upto = messages[-1].pk
        Conversation.objects.filter(pk=conversation.pk).update(
            transcribed_upto=conversation.transcribed_upto
        )
        return
    language = conversation.requester.language or settings.LANGUAGE_CODE
    with translation.override(language):
        lines = [
            _("Chat transcript (%(chat)s)") % {"chat": conversation}
            if not conversation.transcribed_upto
            else _("Chat transcript, continued (%(chat)s)") % {"chat": conversation},
            "",
        ]
        lines += [_transcript_line(m) for m in messages]
    uploads = list(_uploads(messages))
    tickets.add_comment(actor, ticket, "\n".join(lines), channel=Channel.CHAT, uploads=uploads)
    conversation.transcribed_upto = messages[-1].pk
    Conversation.objects.filter(pk=conversation.pk).update(
        transcribed_upto=conversation.transcribed_upto
    )


def _transcript_line(message: Message) -> str:
    stamp = message.created_at.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
    if message.kind == MessageKind.SYSTEM:
        return f"[{stamp}] — {message.shown}"
    author = message.author.full_name if message.author else _("(deleted)")
    text = message.body
    if message.filename:
        attached = _("file: %(name)s") % {"name": message.filename}
        text = f"{text} [{attached}]" if text else f"[{attached}]"
    return f"[{stamp}] {author}: {text}"


def _uploads(messages: Iterable[Message]) -> Iterable[Upload]:
    for message in messages:
        if message.filename and message.file:
            with message.file.open("rb") as handle:
                yield Upload(name=message.filename, content=handle.read())


# --- nobody can chat: a request instead -----------------------------------------------------


def send_as_request(
    requester: User, body: str, *, conversation: Conversation | None = None
) -> Ticket:
    """The chat turned into a request on the web channel: what the requester typed (and, for
    a missed chat, what they wrote in it)."""
    if not access.is_requester(requester):
        raise PermissionDenied(_("Chats are for requesters; agents answer them."))
    body = _clean_body(body, required=conversation is None)
    with transaction.atomic():
        if conversation is not None:
            conversation = _locked(conversation)
            if conversation.requester_id != requester.pk:
                raise PermissionDenied(_("Only the people in this chat write in it."))
            if conversation.ticket_id is not None:
                raise ServiceError(
                    _("This chat is already on %(number)s.") % {"number": conversation.ticket},
                    field="body",
                    code="already_ticket",
                )
            written = list(
                conversation.messages.filter(
                    author=requester, kind=MessageKind.MESSAGE
                ).values_list("body", flat=True)
            )
            body = "\n\n".join([*written, body] if body else written)
        if not body:
            raise ServiceError(_("Write something first."), field="body", code="required")
        ticket = tickets.create_ticket(
            requester,
            title=body.strip().splitlines()[0][:200],
            requester=requester,
            description=body,
            kind=Kind.INCIDENT,
            channel=Channel.WEB,
        )
        if conversation is not None:
            if conversation.is_open:
                conversation.status = ConversationStatus.ENDED
                conversation.ended_at = timezone.now()
                conversation.ended_by = requester
                live.on_queue(conversation.queue.group_id, "taken", id=conversation.pk)
            conversation.ticket = ticket
            conversation.transcribed_upto = (
                conversation.messages.order_by("-pk").values_list("pk", flat=True).first() or 0
            )
            conversation.save()
            _system(conversation, texts.SAVED_AS, number=ticket.number)
            live.on_conversation(conversation.pk, "ticket", ticket=ticket.pk)
    return ticket


def waiting_for(agent: User) -> list[Conversation]:
    """The waiting chats of the agent's queues, oldest first."""
    return list(
        Conversation.objects.filter(
            status=ConversationStatus.WAITING, queue__in=access.queues_of(agent)
        )
        .select_related("requester", "requester__organisation", "queue__group")
        .order_by("waiting_since", "pk")
    )


def mine(agent: User) -> list[Conversation]:
    return list(
        Conversation.objects.filter(agent=agent, status=ConversationStatus.ACTIVE)
        .select_related("requester")
        .order_by("accepted_at", "pk")
    )


def waiting_count(agent: User) -> int:
    return Conversation.objects.filter(
        status=ConversationStatus.WAITING, queue__in=access.queues_of(agent)
    ).count()
