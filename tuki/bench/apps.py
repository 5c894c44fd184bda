from django.apps import AppConfig


class BenchConfig(AppConfig):
    name = "tuki.bench"
    verbose_name = "Tuki benchmark suite"
