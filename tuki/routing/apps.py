from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RoutingConfig(AppConfig):
    name = "tuki.routing"
    verbose_name = _("Routing and assignment")

    def ready(self) -> None:
        from tuki.accounts import preferences
        from tuki.routing import receivers, views  # noqa: F401  (receivers: ticket events)

        preferences.register("routing/partials/away_dates.html", views.away_dates_section)
