"""Live chat between requesters and the desk (docs/chat.md).

A requester opens a `Conversation` in a `ChatQueue` (a support group that answers chats);
an agent of that group takes it; their `Message`s are kept; the conversation may become a
ticket (or join one), which then holds the whole transcript as one public comment.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tuki.chat.texts import SYSTEM


class ChatQueue(models.Model):
    """A support group that answers chats: its agents see its waiting conversations."""

    group = models.OneToOneField(
        "accounts.SupportGroup",
        on_delete=models.CASCADE,
        related_name="chat_queue",
        verbose_name=_("group"),
    )
    topic = models.CharField(
        _("topic"),
        max_length=100,
        blank=True,
        help_text=_("What requesters pick when several queues answer chats, e.g. 'Network'."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    is_default = models.BooleanField(
        _("default"), default=False, help_text=_("Where a chat goes when nobody picks a topic.")
    )
    welcome = models.TextField(_("welcome message"), blank=True)

    class Meta:
        ordering = ["-is_default", "topic", "id"]
        verbose_name = _("chat queue")
        verbose_name_plural = _("chat queues")

    def __str__(self) -> str:
        return self.topic or str(self.group)


class AgentChatState(models.Model):
    """An agent's readiness for chats: the toggle in the console, capacity, last heartbeat."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="chat_state"
    )
    available = models.BooleanField(_("available for chats"), default=False)
    capacity = models.PositiveSmallIntegerField(_("chats at once"), default=3)
    last_seen = models.DateTimeField(_("last seen"), null=True, blank=True)

    class Meta:
        verbose_name = _("agent chat state")
        verbose_name_plural = _("agent chat states")

    def __str__(self) -> str:
        return str(self.user)


class ConversationStatus(models.TextChoices):
    WAITING = "waiting", _("Waiting")
    ACTIVE = "active", _("Active")
    ENDED = "ended", _("Ended")
    MISSED = "missed", _("Missed")


OPEN_STATUSES = (ConversationStatus.WAITING, ConversationStatus.ACTIVE)


class Conversation(models.Model):
    """One chat: who asked, in which queue, who answers, and the ticket it became."""

    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="chat_conversations",
        verbose_name=_("requester"),
    )
    queue = models.ForeignKey(
        ChatQueue, on_delete=models.PROTECT, related_name="conversations", verbose_name=_("queue")
    )
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="chats_answered",
        verbose_name=_("agent"),
    )
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=ConversationStatus.choices,
        default=ConversationStatus.WAITING,
        db_index=True,
    )
    subject = models.CharField(_("subject"), max_length=200)
    ticket = models.ForeignKey(
        "tickets.Ticket",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="chat_conversations",
        verbose_name=_("ticket"),
    )
    # The last message already copied into the ticket's transcript comment.
    transcribed_upto = models.PositiveBigIntegerField(default=0)
    created_at = models.DateTimeField(_("started"), default=timezone.now)
    waiting_since = models.DateTimeField(default=timezone.now)
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "waiting_since"], name="chat_waiting_idx")]
        verbose_name = _("chat conversation")
        verbose_name_plural = _("chat conversations")

    def __str__(self) -> str:
        return f"CHAT-{self.pk}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def topic(self) -> str:
        return f"chat.{self.pk}"


class MessageKind(models.TextChoices):
    MESSAGE = "message", _("Message")
    SYSTEM = "system", _("System")


def chat_file_path(instance: Message, filename: str) -> str:
    # Under a random name, as ticket attachments (tuki/tickets/models.py).
    return f"chat/{timezone.now():%Y/%m}/{instance.sha256[:2]}/{instance.sha256}"


class Message(models.Model):
    """A line of the chat, or a system note ("Anna joined"); may carry one file."""

    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="messages"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(max_length=10, choices=MessageKind.choices, default=MessageKind.MESSAGE)
    body = models.TextField(_("message"), blank=True)
    file = models.FileField(upload_to=chat_file_path, max_length=300, blank=True)
    filename = models.CharField(_("file name"), max_length=255, blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    size = models.PositiveBigIntegerField(default=0)
    sha256 = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["id"]
        verbose_name = _("chat message")
        verbose_name_plural = _("chat messages")

    def __str__(self) -> str:
        return self.body[:50] or self.filename

    @property
    def shown(self) -> str:
        """The text in the reader's language (system lines are stored in English)."""
        return SYSTEM.shown(self.body) if self.kind == MessageKind.SYSTEM else self.body


class ReadMark(models.Model):
    """The last message a participant has seen in a conversation."""

    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="read_marks"
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    last_read = models.PositiveBigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["conversation", "user"], name="chat_one_read_mark")
        ]

    def __str__(self) -> str:
        return f"{self.user_id}@{self.conversation_id}: {self.last_read}"
