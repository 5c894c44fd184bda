from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AutomationConfig(AppConfig):
    name = "tuki.automation"
    verbose_name = _("Automation")

    def ready(self) -> None:
        from tuki.automation import engine, receivers  # noqa: F401
        from tuki.lib import periodic

        # Scheduled runs whose task was lost: each still fires once.
        periodic.register("automation.fire_due_scheduled", engine.fire_due_scheduled, every=60)
