from django.apps import AppConfig


class ServerConfig(AppConfig):
    name = "tuki.server"
    verbose_name = "Tuki server"
