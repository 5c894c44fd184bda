from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BundlesConfig(AppConfig):
    name = "tuki.bundles"
    verbose_name = _("Configuration bundles")
