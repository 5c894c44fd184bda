from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "tuki.notifications"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        from tuki.notifications import receivers  # noqa: F401  (connects to ticket events)
