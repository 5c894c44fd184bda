from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReleasesConfig(AppConfig):
    name = "tuki.releases"
    verbose_name = _("Release management")

    def ready(self) -> None:
        from tuki.changes import calendar
        from tuki.releases import guards, receivers
        from tuki.releases.views import pages
        from tuki.tickets import guards as ticket_guards, sections, signals
        from tuki.tickets.choices import FIELD_LABELS

        signals.event_recorded.connect(receivers.on_event, dispatch_uid="releases.on_event")
        ticket_guards.register(guards.GUARD)
        sections.register(
            sections.Section(
                key="releases-release",
                template="releases/partials/ticket_section.html",
                context=pages.section_context,
                order=40,
            )
        )
        calendar.register_source("releases", pages.calendar_entries)
        # How the timeline names the release fields this app records (tickets never imports it).
        FIELD_LABELS.update(
            {
                "release_stage": _("release stage"),
                "release_version": _("version"),
                "release_environment": _("target environment"),
                "release_planned_start": _("window start"),
                "release_planned_end": _("window end"),
                "release_changes": _("changes of the release"),
                "release_deployed": _("deployment"),
            }
        )
