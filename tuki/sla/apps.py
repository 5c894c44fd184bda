from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SlaConfig(AppConfig):
    name = "tuki.sla"
    verbose_name = _("Service levels")

    def ready(self) -> None:
        from tuki.lib import periodic
        from tuki.sla import (
            receivers,  # noqa: F401  (connects to ticket events)
            services,
        )

        # Timers whose task was lost (a worker down at their instant, a backend that
        # cannot defer): each still fires once (services.fire_timer re-checks its row).
        periodic.register("sla.fire_due_timers", services.fire_due_timers, every=60)
