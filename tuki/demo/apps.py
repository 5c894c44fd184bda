from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "tuki.demo"
    verbose_name = "Tuki demo data"
