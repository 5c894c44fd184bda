from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConsoleConfig(AppConfig):
    name = "tuki.console"
    verbose_name = _("Administration console")

    def ready(self) -> None:
        from tuki.console import sections

        sections.register_all()
