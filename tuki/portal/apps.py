from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "tuki.portal"
    verbose_name = _("Self-service portal")
