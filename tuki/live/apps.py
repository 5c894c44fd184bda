from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LiveConfig(AppConfig):
    name = "tuki.live"
    verbose_name = _("Live updates")

    def ready(self) -> None:
        from tuki.lib import periodic
        from tuki.live import receivers, services, topics  # noqa: F401

        topics.register_builtin()
        periodic.register("live.forget_old", services.forget_old, every=60)
