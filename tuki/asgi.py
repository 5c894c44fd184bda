import os

from django.core.asgi import get_asgi_application

from tuki.lib.env import private_umask
from tuki.server import servergc

private_umask()  # files Tuki creates are its user's only (tuki/lib/env.py)

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tuki.settings")
application = get_asgi_application()
servergc.tune_for_serving()
