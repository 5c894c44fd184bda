from django.apps import AppConfig
from django.conf import settings
from django.utils.translation import gettext_lazy as _


class IdentityConfig(AppConfig):
    name = "tuki.identity"
    verbose_name = _("Directories and provisioning")

    def ready(self) -> None:
        from tuki.identity import jobs
        from tuki.lib import periodic

        periodic.register(
            "identity.sync_directories",
            jobs.sync_due_directories,
            every=getattr(settings, "DIRECTORY_SYNC_SECONDS", 60),
        )
