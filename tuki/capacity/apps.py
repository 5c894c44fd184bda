from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CapacityConfig(AppConfig):
    name = "tuki.capacity"
    verbose_name = _("Capacity management")

    def ready(self) -> None:
        from tuki.capacity import presenting, services
        from tuki.cmdb import panels
        from tuki.lib import periodic

        panels.register(
            panels.Panel(
                key="capacity",
                template="capacity/partials/panel.html",
                context=presenting.panel_context,
                order=20,
            )
        )
        periodic.register("capacity.refresh_forecasts", services.refresh_forecasts, every=300)
        periodic.register("capacity.purge_old_samples", services.purge_old_samples, every=3600)
