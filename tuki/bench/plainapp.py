"""A plain Django project in one module, the reference floor `floor_plain`: its settings,
its URLconf (one view answering "ok") and its WSGI application. No middleware, no
database, no session. The bench serves it with plain gunicorn, as many workers as Tuki's
server, so that `floor_view` (Tuki's /healthz through `tuki serve`) can be compared with
what Django itself costs on this machine (tuki/bench/clients.py, `plain_server`).

Serve it with `gunicorn tuki.bench.plainapp:application`; it sets its own settings module.
"""

from __future__ import annotations

import os

from django.core.wsgi import get_wsgi_application
from django.http import HttpRequest, HttpResponse
from django.urls import path

SECRET_KEY = "tuki-bench-plain-floor-not-a-secret"
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
ROOT_URLCONF = __name__
INSTALLED_APPS: list[str] = []
MIDDLEWARE: list[str] = []
DATABASES: dict[str, dict[str, str]] = {}
USE_TZ = True


def ok(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [path("healthz", ok)]

# Forced, not setdefault: the bench's own environment names Tuki's settings.
os.environ["DJANGO_SETTINGS_MODULE"] = __name__
application = get_wsgi_application()
