from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CatalogueConfig(AppConfig):
    name = "tuki.catalogue"
    verbose_name = _("Service catalogue")

    def ready(self) -> None:
        from tuki.catalogue import access, views
        from tuki.lib import console
        from tuki.tickets import sections

        sections.register(
            sections.Section(
                key="catalogue-fulfilment",
                template="catalogue/partials/ticket_section.html",
                context=views.section_context,
                order=40,
            )
        )
        console.register(
            console.Section(
                key="catalogue",
                label=_("Service catalogue"),
                description=_("What people may order, the forms they fill in and the checklists."),
                url_name="catalogue:console_items",
                heading="catalogue",
                allowed=access.is_admin,
            )
        )
