from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MailConfig(AppConfig):
    name = "tuki.mail"
    verbose_name = _("Email")

    def ready(self) -> None:
        from tuki.mail import receivers  # noqa: F401  (connects to ticket events)
