from django.apps import AppConfig


class BackupConfig(AppConfig):
    name = "tuki.backup"
    verbose_name = "Backup and restore"
