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
        from tuki.cmdb import panels as cmdb_panels

        cmdb_panels.register(panels.PANEL)
