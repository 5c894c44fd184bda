import os

from django.core.wsgi import get_wsgi_application

from tuki.server import servergc

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tuki.settings")
application = get_wsgi_application()
servergc.tune_for_serving()
