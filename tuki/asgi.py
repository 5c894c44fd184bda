import os

from django.core.asgi import get_asgi_application

from tuki.server import servergc

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tuki.settings")
application = get_asgi_application()
servergc.tune_for_serving()
