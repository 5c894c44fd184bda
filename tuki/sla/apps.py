from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SlaConfig(AppConfig):
    name = "tuki.sla"
    verbose_name = _("Service levels")

    def ready(self) -> None:
        from tuki.sla import receivers  # noqa: F401  (connects to ticket events)
