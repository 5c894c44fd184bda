from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SsoConfig(AppConfig):
    name = "tuki.sso"
    verbose_name = _("Single sign-on")

    def ready(self) -> None:
        from tuki.sso import middleware  # noqa: F401  (connects the single logout receiver)
