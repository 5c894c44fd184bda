from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SetupConfig(AppConfig):
    name = "tuki.setup"
    verbose_name = _("First-run set-up")
