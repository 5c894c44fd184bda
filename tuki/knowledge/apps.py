from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KnowledgeConfig(AppConfig):
    name = "tuki.knowledge"
    verbose_name = _("Knowledge base")

    def ready(self) -> None:
        from tuki.knowledge import receivers, search, signals
        from tuki.tickets.signals import event_committed

        search.register()
        signals.article_changed.connect(
            receivers.on_article_changed, dispatch_uid="knowledge.index_article"
        )
        signals.article_deleted.connect(
            receivers.on_article_deleted, dispatch_uid="knowledge.unindex_article"
        )
        event_committed.connect(receivers.on_ticket_event, dispatch_uid="knowledge.used_in_reply")
