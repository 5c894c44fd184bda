from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApprovalsConfig(AppConfig):
    name = "tuki.approvals"
    verbose_name = _("Approvals")

    def ready(self) -> None:
        from tuki.approvals import receivers  # noqa: F401
