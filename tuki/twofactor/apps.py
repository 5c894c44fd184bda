from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TwoFactorConfig(AppConfig):
    name = "tuki.twofactor"
    label = "twofactor"
    verbose_name = _("Second factors")

    def ready(self) -> None:
        from tuki.twofactor import flow

        flow.register_all()
