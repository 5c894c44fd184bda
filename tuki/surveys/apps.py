from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SurveysConfig(AppConfig):
    name = "tuki.surveys"
    verbose_name = _("Satisfaction surveys")

    def ready(self) -> None:
        from tuki.surveys import receivers  # noqa: F401  (connects to ticket events)
