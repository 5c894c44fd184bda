import os

from django.core.wsgi import get_wsgi_application

from tuki.lib.env import private_umask
from tuki.server import servergc

private_umask()  # files Tuki creates are its user's only (tuki/lib/env.py)

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tuki.settings")
application = get_wsgi_application()
servergc.tune_for_serving()
