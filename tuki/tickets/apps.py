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
