from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TicketsConfig(AppConfig):
    name = "tuki.tickets"
    verbose_name = _("Tickets")

    def ready(self) -> None:
        from tuki.accounts import directory
        from tuki.tickets import access, fields, guards

        directory.register(access.people_on_visible_tickets)
        guards.register(fields.guard())

        from tuki.lib import console
        from tuki.tickets.services import custom_fields

        console.register(
            console.Section(
                key="custom_fields",
                label=_("Custom fields"),
                description=_("Fields your tickets carry beyond the built-in ones."),
                url_name="custom_fields:list",
                heading="tickets",
                allowed=custom_fields.may_manage_fields,
            )
        )
