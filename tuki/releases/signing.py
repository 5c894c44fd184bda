"""The deployment gate's signing key (docs/releases.md, "Verifying an answer").

Ed25519 through `cryptography`. The private key is a PEM file made once with mode 0600 in
TUKI_VAR_DIR (`gate_signing_key.pem`, like the secret key: tuki/lib/env.py), or the file the
setting RELEASES_GATE_KEY_FILE names. The signature covers the canonical JSON of the answer
without its `signature`: keys sorted, no spaces, UTF-8 — what `jq -cS 'del(.signature)'`
prints — so a pipeline checks it with `openssl pkeyutl -verify -rawin`.
"""

from __future__ import annotations

import base64
import hashlib
import json
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.conf import settings

from tuki.lib.env import _generated_once

KEY_FILE_NAME = "gate_signing_key.pem"

_loaded: dict[str, tuple[Ed25519PrivateKey, str, str]] = {}


def key_path() -> Path:
    configured = getattr(settings, "RELEASES_GATE_KEY_FILE", "")
    return Path(configured) if configured else Path(settings.VAR_DIR) / KEY_FILE_NAME


def _new_pem() -> str:
    key = Ed25519PrivateKey.generate()
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()


def _key() -> tuple[Ed25519PrivateKey, str, str]:
    """(private key, public key PEM, key id), read once per process and path."""
    path = key_path()
    found = _loaded.get(str(path))
    if found is None:
        pem = _generated_once(path.parent, path.name, _new_pem)
        private = serialization.load_pem_private_key(pem.encode(), password=None)
        if not isinstance(private, Ed25519PrivateKey):
            raise ValueError(f"{path} does not hold an Ed25519 key")
        public = private.public_key()
        public_pem = public.public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        ).decode()
        raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        found = (private, public_pem, hashlib.sha256(raw).hexdigest()[:16])
        _loaded[str(path)] = found
    return found


def public_key_pem() -> str:
    return _key()[1]


def key_id() -> str:
    return _key()[2]


def canonical(answer: dict[str, Any]) -> bytes:
    """The bytes signed: the answer without its signature, keys sorted, compact, UTF-8."""
    body = {k: v for k, v in answer.items() if k != "signature"}
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def sign(answer: dict[str, Any]) -> str:
    """The base64 Ed25519 signature of `canonical(answer)`."""
    return base64.b64encode(_key()[0].sign(canonical(answer))).decode()
