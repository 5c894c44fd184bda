from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChangesConfig(AppConfig):
    name = "tuki.changes"
    verbose_name = _("Change management")

    def ready(self) -> None:
        from tuki.changes import calendar_sources, receivers, scheduling, workflow
        from tuki.changes.views import section
        from tuki.tickets import sections, signals

        workflow.register()
        scheduling.register_guards()
        calendar_sources.register_builtin_sources()
        signals.event_recorded.connect(receivers.on_event, dispatch_uid="changes.on_event")
        sections.register(
            sections.Section(
                key="changes-detail",
                template="changes/partials/ticket_section.html",
                context=section.section_context,
                order=20,
            )
        )
