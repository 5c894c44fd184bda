"""A real OpenID Connect provider for the SSO tests: django-oauth-toolkit's OIDC support in a
tiny Django project of its own (its own SQLite file), served by wsgiref in a child process.

    python -m tuki.sso.tests.idp.oidc_provider CONFIG.json

CONFIG: {"port", "dir", "client_id", "client_secret", "redirect_uris": [...],
"post_logout_redirect_uris": [...], "users": [{"username", "password", "email", "name",
"groups": [...], "amr": [...]}], "id_token_seconds": 3600, "omit": ["claim", ...]}.
Prints "READY" once it listens. Its cookies have names of their own: the browser shares
cookies between ports of one host, and Tuki's sessionid must not be overwritten.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from socketserver import ThreadingMixIn
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

CONFIG: dict[str, Any] = {}

LOGIN_PAGE = """<!doctype html><html><head><title>Test IdP sign-in</title>
<style>body{font-family:sans-serif;background:#eef;margin:3em}form{background:#fff;padding:2em;
max-width:22em;border-radius:8px}input{display:block;margin:.5em 0 1em;width:100%}</style></head>
<body><form method="post"><h1>Test OpenID provider</h1>
<input type="hidden" name="csrfmiddlewaretoken" value="{{ csrf_token }}">
<input type="hidden" name="next" value="{{ next }}">
{% if form.errors %}<p id="idp-error">Wrong username or password</p>{% endif %}
<label>Username<input name="username" id="idp-username"></label>
<label>Password<input type="password" name="password" id="idp-password"></label>
<button type="submit" id="idp-submit">Sign in</button></form></body></html>"""


def configure(config: dict[str, Any]) -> None:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from django.conf import settings

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    base = f"http://127.0.0.1:{config['port']}"
    settings.configure(
        DEBUG=False,
        SECRET_KEY="test-idp-not-secret",
        ALLOWED_HOSTS=["*"],
        ROOT_URLCONF=__name__,
        DATABASES={
            "default": {
                "ENGINE": "django.db.backends.sqlite3",
                "NAME": str(Path(config["dir"]) / "oidc-idp.sqlite3"),
            }
        },
        INSTALLED_APPS=[
            "django.contrib.auth",
            "django.contrib.contenttypes",
            "django.contrib.sessions",
            "oauth2_provider",
        ],
        MIDDLEWARE=[
            "django.contrib.sessions.middleware.SessionMiddleware",
            "django.middleware.csrf.CsrfViewMiddleware",
            "django.contrib.auth.middleware.AuthenticationMiddleware",
        ],
        TEMPLATES=[
            {
                "BACKEND": "django.template.backends.django.DjangoTemplates",
                "OPTIONS": {
                    "loaders": [
                        ("django.template.loaders.locmem.Loader", {"login.html": LOGIN_PAGE})
                    ],
                    "context_processors": ["django.template.context_processors.csrf"],
                },
            }
        ],
        LOGGING={
            "version": 1,
            "handlers": {"stderr": {"class": "logging.StreamHandler"}},
            "loggers": {"django": {"handlers": ["stderr"], "level": "ERROR"}},
        },
        SESSION_COOKIE_NAME="idp_sessionid",
        CSRF_COOKIE_NAME="idp_csrftoken",
        LOGIN_URL="/login/",
        USE_TZ=True,
        DEFAULT_AUTO_FIELD="django.db.models.AutoField",
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
        OAUTH2_PROVIDER={
            "OIDC_ENABLED": True,
            "OIDC_RSA_PRIVATE_KEY": pem,
            "OIDC_ISS_ENDPOINT": f"{base}/o",
            "OIDC_RP_INITIATED_LOGOUT_ENABLED": True,
            "OIDC_RP_INITIATED_LOGOUT_ALWAYS_PROMPT": False,
            "PKCE_REQUIRED": False,
            "ID_TOKEN_EXPIRE_SECONDS": int(config.get("id_token_seconds", 3600)),
            "SCOPES": {"openid": "OpenID", "email": "Email", "profile": "Profile"},
            "OAUTH2_VALIDATOR_CLASS": f"{__name__}.Validator",
        },
    )


def make_validator() -> Any:
    from oauth2_provider.oauth2_validators import OAuth2Validator

    class Validator(OAuth2Validator):
        oidc_claim_scope = None  # every claim below, whatever the scopes

        def get_additional_claims(self, request: Any) -> dict[str, Any]:
            user = request.user
            profile = next((u for u in CONFIG["users"] if u["username"] == user.username), {})
            claims = {
                "email": profile.get("email", ""),
                "name": profile.get("name", ""),
                "groups": profile.get("groups", []),
                "amr": profile.get("amr", ["pwd"]),
            }
            for name in CONFIG.get("omit", []):
                claims.pop(name, None)
            return claims

    return Validator


def urls() -> list[Any]:
    from django.contrib.auth import views as auth_views
    from django.urls import include, path

    return [
        path("o/", include("oauth2_provider.urls", namespace="oauth2_provider")),
        path("login/", auth_views.LoginView.as_view(template_name="login.html"), name="login"),
    ]


def setup_data(config: dict[str, Any]) -> None:
    from django.contrib.auth.models import User
    from django.core.management import call_command
    from oauth2_provider.models import Application

    call_command("migrate", verbosity=0, interactive=False)
    for entry in config["users"]:
        if not User.objects.filter(username=entry["username"]).exists():
            User.objects.create_user(entry["username"], entry.get("email", ""), entry["password"])
    Application.objects.filter(client_id=config["client_id"]).delete()
    Application.objects.create(
        name="Tuki",
        client_id=config["client_id"],
        client_secret=config["client_secret"],
        client_type=Application.CLIENT_CONFIDENTIAL,
        authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
        redirect_uris=" ".join(config["redirect_uris"]),
        post_logout_redirect_uris=" ".join(config.get("post_logout_redirect_uris", [])),
        algorithm=Application.RS256_ALGORITHM,
        skip_authorization=True,
    )


class ThreadingServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


def main() -> None:
    global urlpatterns, Validator
    CONFIG.update(json.loads(Path(sys.argv[1]).read_text()))
    configure(CONFIG)
    import django

    django.setup()
    Validator = make_validator()
    urlpatterns = urls()
    setup_data(CONFIG)
    from django.core.wsgi import get_wsgi_application

    server = make_server(
        "127.0.0.1",
        int(CONFIG["port"]),
        get_wsgi_application(),
        server_class=ThreadingServer,
        handler_class=QuietHandler,
    )
    print("READY", flush=True)
    server.serve_forever()


urlpatterns: list[Any] = []
Validator: Any = None

if __name__ == "__main__":
    main()
