from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BundlesConfig(AppConfig):
    name = "tuki.bundles"
    verbose_name = _("Configuration bundles")

    def ready(self) -> None:
        from tuki.bundles.access import may_manage_bundles
        from tuki.lib import console

        console.register(
            console.Section(
                key="bundles",
                label=_("Configuration bundle"),
                description=_(
                    "Export the whole configuration as one file; import one from another desk."
                ),
                url_name="bundles:page",
                heading="integrations",
                allowed=may_manage_bundles,
                position=90,
            )
        )
