from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PrivacyConfig(AppConfig):
    name = "tuki.privacy"
    verbose_name = _("Personal data")

    def ready(self) -> None:
        from tuki.lib import periodic
        from tuki.privacy import retention

        # Raw inbound mail past TUKI_RAW_MAIL_RETENTION_DAYS: one UPDATE, safe to run twice.
        periodic.register("privacy.clear_raw_mail", retention.clear_raw_mail, every=3600)
