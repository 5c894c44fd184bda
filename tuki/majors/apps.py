from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MajorsConfig(AppConfig):
    name = "tuki.majors"
    verbose_name = _("Major incidents")

    def ready(self) -> None:
        from tuki.availability import notices
        from tuki.majors import receivers, status
        from tuki.majors.models import ACTIVE_STATES, MajorIncident
        from tuki.majors.views import section_context
        from tuki.tickets import intake, sections, signals

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
        # Log a call offers a live major incident as the outage a new call belongs to.
        live = MajorIncident.objects.filter(state__in=ACTIVE_STATES)
        intake.register_outage_source("majors", live.values_list("ticket_id", flat=True))
