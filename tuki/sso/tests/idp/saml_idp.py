"""A real SAML 2.0 identity provider for the SSO tests, built on pysaml2's IdP (saml2.server),
served by wsgiref in a child process. pysaml2 pins pyOpenSSL < 24.3, which cannot live beside
Tuki's cryptography, so the tests run it in an environment of its own:

    uv run --no-project --with pysaml2==7.5.4 --with "cryptography<44" python saml_idp.py CONFIG

CONFIG: {"port", "dir", "key_file", "cert_file", "sp_metadata" (a file the test writes;
read on each request), "users": [{"username", "password", "email", "name", "groups": [...]}],
"omit": [attribute, ...], "authn_class": "urn:...", "sign_with": optional other key/cert}.
Needs the xmlsec1 program. Prints "READY" once it listens.
"""

from __future__ import annotations

import html
import json
import shutil
import sys
from pathlib import Path
from socketserver import ThreadingMixIn
from typing import Any
from urllib.parse import parse_qs
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT
from saml2.config import IdPConfig
from saml2.metadata import entity_descriptor
from saml2.saml import NAMEID_FORMAT_EMAILADDRESS, NAMEID_FORMAT_PERSISTENT, NameID
from saml2.server import Server

CONFIG: dict[str, Any] = {}

LOGIN = """<!doctype html><html><head><title>Test SAML IdP</title><style>body{{font-family:sans-serif;
background:#efe;margin:3em}}form{{background:#fff;padding:2em;max-width:22em;border-radius:8px}}
input{{display:block;margin:.5em 0 1em;width:100%}}</style></head><body>
<form method="post" action="/sso/redirect"><h1>Test SAML IdP</h1>{error}
<input type="hidden" name="SAMLRequest" value="{request}"><input type="hidden" name="RelayState" value="{relay}">
<label>Username<input name="username" id="idp-username"></label>
<label>Password<input type="password" name="password" id="idp-password"></label>
<button type="submit" id="idp-submit">Sign in</button></form></body></html>"""


def base() -> str:
    return f"http://127.0.0.1:{CONFIG['port']}"


def idp_config() -> IdPConfig:
    conf = {
        "entityid": f"{base()}/metadata",
        "xmlsec_binary": shutil.which("xmlsec1"),
        "service": {
            "idp": {
                "name": "Tuki test IdP",
                "endpoints": {
                    "single_sign_on_service": [(f"{base()}/sso/redirect", BINDING_HTTP_REDIRECT)],
                    "single_logout_service": [(f"{base()}/slo/redirect", BINDING_HTTP_REDIRECT)],
                },
                "policy": {
                    "default": {"lifetime": {"minutes": 15}, "attribute_restrictions": None}
                },
                "name_id_format": [NAMEID_FORMAT_EMAILADDRESS, NAMEID_FORMAT_PERSISTENT],
                "want_authn_requests_signed": False,
            }
        },
        "key_file": CONFIG.get("sign_key_file") or CONFIG["key_file"],
        "cert_file": CONFIG.get("sign_cert_file") or CONFIG["cert_file"],
        "metadata": {"local": [CONFIG["sp_metadata"]]}
        if Path(CONFIG["sp_metadata"]).exists()
        else {},
    }
    config = IdPConfig()
    config.load(conf)
    return config


def metadata() -> str:
    conf = {
        "entityid": f"{base()}/metadata",
        "xmlsec_binary": shutil.which("xmlsec1"),
        "service": {
            "idp": {
                "endpoints": {
                    "single_sign_on_service": [(f"{base()}/sso/redirect", BINDING_HTTP_REDIRECT)],
                    "single_logout_service": [(f"{base()}/slo/redirect", BINDING_HTTP_REDIRECT)],
                },
                "name_id_format": [NAMEID_FORMAT_EMAILADDRESS],
            }
        },
        "key_file": CONFIG["key_file"],
        "cert_file": CONFIG["cert_file"],  # the published certificate
    }
    config = IdPConfig()
    config.load(conf)
    return str(entity_descriptor(config))


def respond(
    start_response: Any, status: str, body: str, headers: list[tuple[str, str]] | None = None
) -> list[bytes]:
    start_response(status, [("Content-Type", "text/html; charset=utf-8"), *(headers or [])])
    return [body.encode()]


def app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
    path = environ["PATH_INFO"]
    query = {k: v[0] for k, v in parse_qs(environ.get("QUERY_STRING", "")).items()}
    if path == "/metadata":
        start_response("200 OK", [("Content-Type", "application/samlmetadata+xml")])
        return [metadata().encode()]
    if path == "/sso/redirect" and environ["REQUEST_METHOD"] == "GET":
        page = LOGIN.format(
            error="",
            request=html.escape(query.get("SAMLRequest", "")),
            relay=html.escape(query.get("RelayState", "")),
        )
        return respond(start_response, "200 OK", page)
    if path == "/sso/redirect":
        size = int(environ.get("CONTENT_LENGTH") or 0)
        form = {k: v[0] for k, v in parse_qs(environ["wsgi.input"].read(size).decode()).items()}
        user = next(
            (
                u
                for u in CONFIG["users"]
                if u["username"] == form.get("username") and u["password"] == form.get("password")
            ),
            None,
        )
        if user is None:
            page = LOGIN.format(
                error='<p id="idp-error">Wrong username or password</p>',
                request=html.escape(form.get("SAMLRequest", "")),
                relay=html.escape(form.get("RelayState", "")),
            )
            return respond(start_response, "200 OK", page)
        return authn_response(start_response, form, user)
    if path == "/slo/redirect":
        return logout_response(start_response, query)
    return respond(start_response, "404 Not Found", "not found")


def authn_response(start_response: Any, form: dict[str, str], user: dict[str, Any]) -> list[bytes]:
    server = Server(config=idp_config())
    request = server.parse_authn_request(form["SAMLRequest"], BINDING_HTTP_REDIRECT)
    message = request.message
    identity = {
        "mail": [user["email"]],
        "displayName": [user.get("name", "")],
        "isMemberOf": list(user.get("groups", [])),
    }
    for name in CONFIG.get("omit", []):
        identity.pop(name, None)
    destination = message.assertion_consumer_service_url
    response = server.create_authn_response(
        identity,
        in_response_to=message.id,
        destination=destination,
        sp_entity_id=message.issuer.text,
        name_id=NameID(format=NAMEID_FORMAT_PERSISTENT, text=f"opaque-{user['username']}")
        if CONFIG.get("opaque_name_id")
        else NameID(format=NAMEID_FORMAT_EMAILADDRESS, text=user["email"]),
        authn={
            "class_ref": CONFIG.get(
                "authn_class", "urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport"
            ),
            "authn_auth": base(),
        },
        sign_assertion=True,
        sign_response=False,
        session_not_on_or_after=None,
    )
    info = server.apply_binding(
        BINDING_HTTP_POST, str(response), destination, form.get("RelayState", ""), response=True
    )
    return respond(start_response, "200 OK", info["data"])


def logout_response(start_response: Any, query: dict[str, str]) -> list[bytes]:
    server = Server(config=idp_config())
    request = server.parse_logout_request(query["SAMLRequest"], BINDING_HTTP_REDIRECT)
    (Path(CONFIG["dir"]) / "logouts.txt").open("a").write(request.message.name_id.text + "\n")
    response = server.create_logout_response(request.message, [BINDING_HTTP_REDIRECT])
    destination = server.metadata.single_logout_service(
        request.message.issuer.text, BINDING_HTTP_REDIRECT, "spsso"
    )[0]["location"]
    info = server.apply_binding(
        BINDING_HTTP_REDIRECT,
        str(response),
        destination,
        query.get("RelayState", ""),
        response=True,
    )
    location = dict(info["headers"])["Location"]
    start_response("302 Found", [("Location", location)])
    return [b""]


class ThreadingServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


def main() -> None:
    CONFIG.update(json.loads(Path(sys.argv[1]).read_text()))
    server = make_server(
        "127.0.0.1",
        int(CONFIG["port"]),
        app,
        server_class=ThreadingServer,
        handler_class=QuietHandler,
    )
    print("READY", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
