from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "tuki.reports"
    verbose_name = _("Reports")

    def ready(self) -> None:
        from tuki.lib import periodic
        from tuki.reports import receivers, tasks  # noqa: F401  (connects the signal receivers)

        periodic.register(
            "reports.refresh_recomputed_clocks", tasks.refresh_recomputed_clocks, every=300
        )
