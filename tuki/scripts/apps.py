from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ScriptsConfig(AppConfig):
    name = "tuki.scripts"
    verbose_name = _("Guided scripts")

    def ready(self) -> None:
        from tuki.lib import console
        from tuki.scripts import access, calls
        from tuki.scripts.views import section
        from tuki.tickets import call_panels, sections

        console.register(
            console.Section(
                key="scripts",
                label=_("Guided scripts"),
                description=_("Step-by-step scripts the service desk follows on a call."),
                url_name="scripts:list",
                heading="tickets",
                allowed=access.is_admin,
            )
        )
        sections.register(
            sections.Section(
                key="scripts",
                template="scripts/partials/ticket_section.html",
                context=section.section_context,
                order=30,
            )
        )
        call_panels.register(calls.PANEL)
