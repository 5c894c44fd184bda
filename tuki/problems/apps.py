from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProblemsConfig(AppConfig):
    name = "tuki.problems"
    verbose_name = _("Problem management")

    def ready(self) -> None:
        from tuki.problems import guards, receivers
        from tuki.problems.views import section
        from tuki.tickets import guards as ticket_guards, sections, signals

        signals.event_recorded.connect(receivers.on_event, dispatch_uid="problems.detail_row")
        ticket_guards.register(guards.GUARD)
        sections.register(
            sections.Section(
                key="problems",
                template="problems/partials/ticket_section.html",
                context=section.section_context,
                order=40,
            )
        )
