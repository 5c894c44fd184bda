"""Real identity providers for the SSO tests, each a child process on a free port:
django-oauth-toolkit's OpenID Connect provider and a pysaml2 SAML IdP (tests/idp/)."""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import pytest
import requests

from tuki.console.tests.conftest import people, staff  # noqa: F401 - the console's roles

IDP_DIR = Path(__file__).resolve().parent / "idp"
PASSWORD = "idp-password-1"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_ready(process: subprocess.Popen[str], what: str, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    assert process.stdout is not None
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if line.strip() == "READY":
            return
        if not line and process.poll() is not None:
            break
    process.kill()
    err = process.stderr.read() if process.stderr else ""
    raise RuntimeError(f"{what} did not start: {err[-3000:]}")


@dataclass
class IdP:
    base: str
    process: subprocess.Popen[str]
    config: dict[str, Any] = field(default_factory=dict)

    @property
    def issuer(self) -> str:
        return f"{self.base}/o"


class Processes:
    def __init__(self) -> None:
        self.running: list[subprocess.Popen[str]] = []

    def start(
        self, args: list[str], what: str, env: dict[str, str] | None = None
    ) -> subprocess.Popen[str]:
        process = subprocess.Popen(
            args,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env or dict(os.environ),
        )
        self.running.append(process)
        _wait_ready(process, what)
        return process

    def stop(self) -> None:
        for process in self.running:
            process.terminate()
            try:
                process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                process.kill()


@pytest.fixture
def processes() -> Iterator[Processes]:
    running = Processes()
    yield running
    running.stop()


DEFAULT_USERS = [
    {
        "username": "anna",
        "password": PASSWORD,
        "email": "anna@acme.fi",
        "name": "Anna Acme",
        "groups": ["acme-staff"],
        "amr": ["pwd"],
    },
    {
        "username": "olli",
        "password": PASSWORD,
        "email": "operator@tuki.test",
        "name": "Olli Operator",
        "groups": ["tuki-agents", "network"],
        "amr": ["pwd", "mfa"],
    },
]


@pytest.fixture
def start_oidc(tmp_path: Path, processes: Processes) -> Any:
    """start_oidc(redirect_uris, post_logout_redirect_uris, users=..., **config) -> IdP."""

    def start(
        redirect_uris: list[str],
        post_logout_redirect_uris: list[str] | None = None,
        users: list[dict[str, Any]] | None = None,
        **extra: Any,
    ) -> IdP:
        pytest.importorskip("oauth2_provider")
        port = free_port()
        folder = tmp_path / f"oidc-{port}"
        folder.mkdir()
        config = {
            "port": port,
            "dir": str(folder),
            "client_id": "tuki-client",
            "client_secret": "tuki-secret-123",
            "redirect_uris": redirect_uris,
            "post_logout_redirect_uris": post_logout_redirect_uris or [],
            "users": users or DEFAULT_USERS,
            **extra,
        }
        path = folder / "config.json"
        path.write_text(json.dumps(config))
        env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "TUKI_"))}
        process = processes.start(
            [sys.executable, str(IDP_DIR / "oidc_provider.py"), str(path)], "OIDC provider", env
        )
        return IdP(f"http://127.0.0.1:{port}", process, config)

    return start


def idp_sign_in(start_url: str, username: str, password: str, stop_at: str) -> str:
    """Walks the IdP's pages as a browser would (no JavaScript): its sign-in form, then every
    redirect, until one leads to `stop_at` (Tuki); returns that URL (or an auto-posting form's
    fields as a dict through `post_form`)."""
    session = requests.Session()
    response = session.get(start_url, timeout=20)
    form_action = response.url
    token = session.cookies.get("idp_csrftoken", "")
    hidden = {
        name: html.unescape(value)
        for name, value in re.findall(r'name="([^"]+)" value="([^"]*)"', response.text)
    }
    data = {**hidden, "username": username, "password": password}
    if token:
        data["csrfmiddlewaretoken"] = token
    response = session.post(form_action, data=data, allow_redirects=False, timeout=20)
    for _hop in range(10):
        location = response.headers.get("Location")
        if not location:
            raise AssertionError(f"IdP stopped at {response.status_code}: {response.text[:500]}")
        location = urljoin(response.url, location)
        if location.startswith(stop_at):
            return location
        response = session.get(location, allow_redirects=False, timeout=20)
    raise AssertionError("too many redirects")


def path_of(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def has_xmlsec1() -> bool:
    return shutil.which("xmlsec1") is not None


def make_certificate(
    folder: Path, name: str, days: int = 365, start_days: int = -1
) -> tuple[Path, Path]:
    """A self-signed RSA key and certificate (PEM files) for the test IdP."""
    import datetime

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import NameOID

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, f"Tuki test IdP {name}")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now + datetime.timedelta(days=start_days))
        .not_valid_after(now + datetime.timedelta(days=start_days + days))
        .sign(key, hashes.SHA256())
    )
    key_path, cert_path = folder / f"{name}.key", folder / f"{name}.crt"
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.TraditionalOpenSSL,
            serialization.NoEncryption(),
        )
    )
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return key_path, cert_path


SAML_USERS = [
    {
        "username": "anna",
        "password": PASSWORD,
        "email": "anna@acme.fi",
        "name": "Anna Acme",
        "groups": ["acme-staff"],
    },
    {
        "username": "olli",
        "password": PASSWORD,
        "email": "operator@tuki.test",
        "name": "Olli Operator",
        "groups": ["tuki-agents", "network"],
    },
]


def saml_idp_command() -> list[str]:
    """pysaml2's IdP in an environment of its own (its pyOpenSSL pin); skips without uv or
    the xmlsec1 program."""
    if not has_xmlsec1():
        pytest.skip("the SAML test IdP needs the xmlsec1 program (apt-get install xmlsec1)")
    uv = shutil.which("uv")
    if uv is None:
        pytest.skip("the SAML test IdP runs pysaml2 in its own environment made by uv")
    version = f"{sys.version_info.major}.{sys.version_info.minor}"
    return [
        uv,
        "run",
        "--quiet",
        "--no-project",
        "--python",
        version,
        "--with",
        "pysaml2==7.5.4",
        "--with",
        "cryptography<44",
        "python",
        str(IDP_DIR / "saml_idp.py"),
    ]


@pytest.fixture
def start_saml(tmp_path: Path, processes: Processes) -> Any:
    """start_saml(sp_metadata_xml, users=..., **config) -> IdP (base: its URL; metadata at
    base + /metadata)."""

    def start(sp_metadata: str, users: list[dict[str, Any]] | None = None, **extra: Any) -> IdP:
        command = saml_idp_command()
        port = free_port()
        folder = tmp_path / f"saml-{port}"
        folder.mkdir()
        key, cert = make_certificate(folder, "idp")
        (folder / "sp.xml").write_text(sp_metadata)
        config = {
            "port": port,
            "dir": str(folder),
            "key_file": str(key),
            "cert_file": str(cert),
            "sp_metadata": str(folder / "sp.xml"),
            "users": users or SAML_USERS,
            **extra,
        }
        path = folder / "config.json"
        path.write_text(json.dumps(config))
        env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("DJANGO_", "TUKI_", "VIRTUAL_ENV"))
        }
        process = processes.start([*command, str(path)], "SAML IdP", env)
        return IdP(f"http://127.0.0.1:{port}", process, config)

    return start


def saml_post_form(page: str) -> tuple[str, dict[str, str]]:
    """The action and fields of pysaml2's auto-posting form (the browser's JavaScript)."""
    action = html.unescape(re.search(r'action="([^"]+)"', page).group(1))  # type: ignore[union-attr]
    fields = {
        name: html.unescape(value)
        for name, value in re.findall(r'name="([^"]+)" value="([^"]*)"', page)
    }
    return action, fields


def saml_idp_sign_in(start_url: str, username: str, password: str) -> tuple[str, dict[str, str]]:
    session = requests.Session()
    response = session.get(start_url, timeout=20)
    fields = {
        name: html.unescape(value)
        for name, value in re.findall(r'name="([^"]+)" value="([^"]*)"', response.text)
    }
    response = session.post(
        urljoin(response.url, "/sso/redirect"),
        data={**fields, "username": username, "password": password},
        timeout=20,
    )
    assert "SAMLResponse" in response.text, response.text[:1000]
    return saml_post_form(response.text)
