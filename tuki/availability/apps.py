from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AvailabilityConfig(AppConfig):
    name = "tuki.availability"
    verbose_name = _("Availability management")

    def ready(self) -> None:
        from tuki.availability import (
            panels,
            receivers,  # noqa: F401  (ends outages with their incidents)
        )
        from tuki.availability.models import Outage
        from tuki.cmdb import panels as cmdb_panels
        from tuki.tickets import intake

        cmdb_panels.register(panels.PANEL)
        # Log a call offers the incident of an ongoing unplanned outage as the outage.
        ongoing = Outage.objects.filter(ends_at__isnull=True, planned=False, ticket__isnull=False)
        intake.register_outage_source("availability", ongoing.values_list("ticket_id", flat=True))
