from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SearchConfig(AppConfig):
    name = "tuki.search"
    verbose_name = _("Search")

    def ready(self) -> None:
        from tuki.search import receivers  # noqa: F401  (connects to ticket events)
