"""Tuki settings: everything comes from TUKI_* environment variables (docs/configuration.md)."""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path
from typing import Any

import dj_database_url
from django.utils.translation import gettext_lazy as _

from tuki.lib.env import env_bool, env_int, env_list, env_str, secret_key

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("VAR_DIR", str(Path.cwd() / "var"))).resolve()

DEBUG = env_bool("DEBUG", False)
SECRET_KEY = secret_key(VAR_DIR)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",  # the widgets' templates, for FORM_RENDERER
    "django_htmx",
    "ninja",  # serves Swagger UI from its own static files: the API docs work offline
    "django_tasks",
    "django_tasks_db",
    "tuki.server",
    "tuki.accounts",
    "tuki.tickets",
    "tuki.portal",
    "tuki.calendars",
    "tuki.sla",
    "tuki.mail",
    "tuki.automation",
    "tuki.routing",
    "tuki.approvals",
    "tuki.notifications",
    "tuki.macros",
    "tuki.webhooks",
    "tuki.knowledge",
    "tuki.search",
    "tuki.configcache",
    "tuki.backup",
    "tuki.privacy",
    "tuki.setup",
    "tuki.demo",
    "tuki.bench",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "tuki.lib.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "tuki.accounts.middleware.UserPreferencesMiddleware",
    "tuki.setup.middleware.FirstRunMiddleware",  # `/` goes to /setup/ until set up
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "tuki.urls"
FORM_RENDERER = "tuki.lib.forms.FormRenderer"
WSGI_APPLICATION = "tuki.wsgi.application"
ASGI_APPLICATION = "tuki.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "django.template.context_processors.tz",
                "tuki.notifications.context_processors.notifications",
            ],
            # Tag libraries that belong to no app: {% load dates %} in any template.
            "libraries": {"dates": "tuki.lib.datetags"},
        },
    },
]

_database_url = env_str("DATABASE_URL", "")
_SQLITE_OPTIONS = {
    # WAL lets the worker thread write while pages read.
    "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    "transaction_mode": "IMMEDIATE",
    "timeout": 20,
}
if _database_url:
    DATABASES = {"default": dj_database_url.parse(_database_url, conn_max_age=60)}
    if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
        # A SQLite file named by URL (sqlite:////path/file.sqlite3) behaves as the default one.
        DATABASES["default"]["OPTIONS"] = dict(_SQLITE_OPTIONS)
        DATABASES["default"]["CONN_MAX_AGE"] = 0
    elif env_bool("DATABASE_POOL", True):
        # Under ASGI every request runs in a thread of its own, so a persistent connection
        # is never reused: each request paid for a new PostgreSQL connection (and a server
        # process) and left the old one for the garbage collector, which under load ran out
        # of connections ("too many clients"). A pool per process hands connections over.
        DATABASES["default"]["CONN_MAX_AGE"] = 0
        DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
            "min_size": 1,
            "max_size": env_int("DATABASE_POOL_SIZE", 8),
            "timeout": 20,
        }
else:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(VAR_DIR / "tuki.sqlite3"),
            "OPTIONS": dict(_SQLITE_OPTIONS),
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["django.contrib.auth.backends.ModelBackend"]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

LANGUAGE_CODE = env_str("LANGUAGE", "en")
LANGUAGES = [("en", _("English")), ("ro", _("Romanian")), ("fi", _("Finnish"))]
LOCALE_PATHS = [BASE_DIR / "tuki" / "locale"]
FORMAT_MODULE_PATH = ["tuki.formats"]  # English dates as "6 Dec 2026, 14:05" (tuki/formats)
TIME_ZONE = env_str("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES: dict[str, dict[str, Any]] = {
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media"))))},
    },
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

# Attachments are stored outside the database and served only through permission checks.
MAX_ATTACHMENT_SIZE = env_int("MAX_ATTACHMENT_MB", 20) * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend"
    if env_str("EMAIL_HOST", "")
    else "django.core.mail.backends.console.EmailBackend"
)
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
# Raw bytes of inbound mail are cleared after this many days (0: kept); tuki/privacy/retention.py.
RAW_MAIL_RETENTION_DAYS = env_int("RAW_MAIL_RETENTION_DAYS", 90)
DEFAULT_FROM_EMAIL = env_str("EMAIL_FROM", "Tuki Service Desk <servicedesk@localhost>")

TASKS = {
    "default": {
        "BACKEND": env_str("TASK_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}

# Under pytest: cheap hashing, tasks run at once, files in a temporary folder.
TESTING = "pytest" in sys.modules or env_bool("TESTING", False)
if TESTING:
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    STORAGES["default"]["OPTIONS"]["location"] = tempfile.mkdtemp(prefix="tuki-test-media-")
    WHITENOISE_AUTOREFRESH = True
