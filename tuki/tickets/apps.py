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

        # The console's workflow pages (docs/workflows.md).
        from tuki.lib import console
        from tuki.tickets.workflows import is_admin

        for key, label, description, url_name, position in (
            (
                "workflows",
                _("Workflows"),
                _("Statuses, allowed transitions, who may make them and what they need."),
                "tickets:console_workflows",
                10,
            ),
            (
                "categories",
                _("Categories"),
                _("The category tree, its translated names and default groups."),
                "tickets:console_categories",
                20,
            ),
            (
                "priorities",
                _("Priority matrix"),
                _("Which priority each impact and urgency give."),
                "tickets:console_priorities",
                30,
            ),
        ):
            console.register(
                console.Section(
                    key=key,
                    label=label,
                    description=description,
                    url_name=url_name,
                    heading="tickets",
                    allowed=is_admin,
                    position=position,
                )
            )
        from tuki.tickets.services import custom_fields

        console.register(
            console.Section(
                key="custom_fields",
                label=_("Custom fields"),
                description=_("Fields your tickets carry beyond the built-in ones."),
                url_name="custom_fields:list",
                heading="tickets",
                allowed=custom_fields.may_manage_fields,
                position=40,
            )
        )
