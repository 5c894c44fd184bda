from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "tuki.audit"
    verbose_name = _("Audit")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # The audited models are named by label (registry.py): audit imports no app above it.
        from django.contrib import admin

        from tuki.audit import receivers, services
        from tuki.audit.admin import link_admin_history
        from tuki.lib import periodic

        receivers.connect()
        link_admin_history(admin.site)
        # Entries older than TUKI_AUDIT_RETENTION_DAYS, in batches: safe to run twice.
        periodic.register("audit.purge_expired", services.purge_expired, every=86400)
