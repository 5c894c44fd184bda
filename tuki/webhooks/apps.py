from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebhooksConfig(AppConfig):
    name = "tuki.webhooks"
    verbose_name = _("Webhooks")

    def ready(self) -> None:
        from tuki.lib import periodic
        from tuki.webhooks import receivers, services  # noqa: F401

        # Deliveries whose retry is due (their deferred task lost): each still sent once.
        periodic.register("webhooks.deliver_due", services.deliver_due, every=60)
