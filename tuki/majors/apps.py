from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MajorsConfig(AppConfig):
    name = "tuki.majors"
    verbose_name = _("Major incidents")
