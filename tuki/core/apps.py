from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "tuki.core"
    verbose_name = "Tuki"
