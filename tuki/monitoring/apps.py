"""Monitoring alerts: alerts from Prometheus Alertmanager or a plain JSON form, de-duplicated
into exactly one open incident per alert group (docs/operations.md)."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MonitoringConfig(AppConfig):
    name = "tuki.monitoring"
    verbose_name = _("Monitoring")

    def ready(self) -> None:
        from tuki.cmdb import panels
        from tuki.monitoring.views import ci_panel_context

        panels.register(
            panels.Panel(
                key="monitoring",
                template="monitoring/partials/ci_panel.html",
                context=ci_panel_context,
                order=50,
            )
        )
