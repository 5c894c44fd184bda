from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "tuki.reports"
    verbose_name = _("Reports")

    def ready(self) -> None:
        from tuki.lib import periodic
        from tuki.reports import (
            receivers,  # noqa: F401  (connects the signal receivers)
            rollups,
            scheduling,
            tasks,
        )

        periodic.register(
            "reports.refresh_recomputed_clocks", tasks.refresh_recomputed_clocks, every=300
        )
        # Months whose facts changed are rolled up again (rollups.py); reports read them
        # from the facts meanwhile, so this only decides how fast reports are, not what
        # they say.
        periodic.register("reports.roll_changed", rollups.roll_changed, every=300)
        # Scheduled reports: each due week or month is mailed once (scheduling.py).
        periodic.register("reports.send_due_reports", scheduling.send_due_reports, every=900)
