from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class ConfigCacheConfig(AppConfig):
    name = "tuki.configcache"
    verbose_name = _("Configuration cache")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from tuki.configcache.triggers import ensure_sqlite_triggers

        # After every migrate: SQLite loses a table's triggers when a migration remakes it.
        post_migrate.connect(ensure_sqlite_triggers, sender=self, dispatch_uid="configcache")
