from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssistConfig(AppConfig):
    name = "tuki.assist"
    verbose_name = _("Assist")

    def ready(self) -> None:
        from tuki.assist import access, checks, drafts, intake, jobs, receivers
        from tuki.lib import console, periodic
        from tuki.tickets import intake as tickets_intake, sections
        from tuki.tickets.models import TicketEvent
        from tuki.tickets.signals import event_recorded

        periodic.register("assist.retrain", jobs.retrain_due, every=jobs.EVERY)
        # Routed suggestions are decided when their tickets are settled (services.py).
        periodic.register("assist.settle", jobs.settle_due, every=jobs.SETTLE_EVERY)
        # Ticket vectors for semantic matching, computed by a task after each change.
        event_recorded.connect(
            receivers.on_event_recorded, sender=TicketEvent, dispatch_uid="assist.embed_ticket"
        )
        checks.register()
        # Log a call: duplicates, suggestions and their log (tickets never imports assist).
        tickets_intake.register_advisor(intake.ADVISOR)
        # The ticket page's "Possible duplicates": a mail or a portal request that says what
        # an open ticket says already (loaded with htmx).
        sections.register(
            sections.Section(
                key="assist-duplicates",
                template="tickets/partials/ticket_duplicates_section.html",
                context=intake.section_context,
                order=5,
            )
        )
        # The ticket page's "Draft a reply": what similar resolved tickets and articles said.
        sections.register(
            sections.Section(
                key="assist-drafts",
                template="assist/partials/drafts_section.html",
                context=drafts.section_context,
                order=6,
            )
        )
        console.register(
            console.Section(
                key="assist",
                label=_("Assist accuracy"),
                description=_("How well suggestions do, and when routing may follow them."),
                url_name="assist:accuracy",
                heading="tickets",
                allowed=access.may_change_settings,
            )
        )
