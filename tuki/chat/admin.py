"""Chat queues in the data administration (the console has no chat page yet); conversations
to read."""

from django.contrib import admin

from tuki.chat.models import AgentChatState, ChatQueue, Conversation


@admin.register(ChatQueue)
class ChatQueueAdmin(admin.ModelAdmin):
    list_display = ("group", "topic", "is_active", "is_default")
    list_filter = ("is_active",)


@admin.register(AgentChatState)
class AgentChatStateAdmin(admin.ModelAdmin):
    list_display = ("user", "available", "capacity", "last_seen")
    raw_id_fields = ("user",)


@admin.register(Conversation)
class ConversationAdmin(admin.ModelAdmin):
    list_display = ("__str__", "requester", "queue", "agent", "status", "ticket", "created_at")
    list_filter = ("status", "queue")
    raw_id_fields = ("requester", "agent", "ticket", "ended_by")
    readonly_fields = ("created_at", "accepted_at", "ended_at", "transcribed_upto")
