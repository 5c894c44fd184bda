from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConfigCacheConfig(AppConfig):
    name = "tuki.configcache"
    verbose_name = _("Configuration cache")
    default_auto_field = "django.db.models.BigAutoField"
