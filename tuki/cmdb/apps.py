from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CmdbConfig(AppConfig):
    name = "tuki.cmdb"
    verbose_name = _("Configuration database")

    def ready(self) -> None:
        from tuki.cmdb.views import tickets
        from tuki.tickets import sections

        sections.register(
            sections.Section(
                key="cmdb-affected",
                template="cmdb/partials/ticket_section.html",
                context=tickets.section_context,
                order=50,
            )
        )
