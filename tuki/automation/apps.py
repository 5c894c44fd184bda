from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AutomationConfig(AppConfig):
    name = "tuki.automation"
    verbose_name = _("Automation")

    def ready(self) -> None:
        from tuki.automation import receivers  # noqa: F401
