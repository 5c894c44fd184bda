from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MajorsConfig(AppConfig):
    name = "tuki.majors"
    verbose_name = _("Major incidents")

    def ready(self) -> None:
        from tuki.availability import notices
        from tuki.majors import receivers, status
        from tuki.majors.views import section_context
        from tuki.tickets import sections, signals

        signals.event_recorded.connect(receivers.on_event, dispatch_uid="majors-resolve-children")
        sections.register(
            sections.Section(
                key="majors",
                template="majors/partials/ticket_section.html",
                context=section_context,
                order=20,
            )
        )
        notices.register(notices.Source(key="majors", load=status.notices, order=10))
