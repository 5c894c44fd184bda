from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "tuki.audit"
    verbose_name = _("Audit")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # The audited models are named by label (registry.py): audit imports no app above it.
        from django.contrib import admin

        from tuki.audit import receivers
        from tuki.audit.admin import link_admin_history

        receivers.connect()
        link_admin_history(admin.site)
