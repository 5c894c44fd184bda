from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChatConfig(AppConfig):
    name = "tuki.chat"
    verbose_name = _("Live chat")

    def ready(self) -> None:
        from tuki.chat import access, services
        from tuki.chat.views import ticket_section
        from tuki.lib import periodic
        from tuki.tickets import sections

        access.register_topics()
        periodic.register("chat.mark_missed", services.mark_missed, every=60)
        sections.register(
            sections.Section(
                key="chat",
                template="chat/partials/ticket_section.html",
                context=ticket_section,
                order=25,
            )
        )
