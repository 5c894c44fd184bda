"""Typed readers for TUKI_* environment variables that fail loudly on bad values."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

PREFIX = "TUKI_"


def _raw(name: str) -> str | None:
    """The value of TUKI_<name>, or the content of the file named by TUKI_<name>_FILE."""
    value = os.environ.get(PREFIX + name)
    if value is not None:
        return value
    path = os.environ.get(PREFIX + name + "_FILE")
    if path:
        try:
            return Path(path).read_text().strip()
        except OSError as exc:
            raise ImproperlyConfigured(f"{PREFIX}{name}_FILE: cannot read {path}: {exc}") from exc
    return None


def env_str(name: str, default: str = "") -> str:
    value = _raw(name)
    return default if value is None or value == "" else value


def env_bool(name: str, default: bool = False) -> bool:
    value = _raw(name)
    if value is None or value == "":
        return default
    lowered = value.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{PREFIX}{name}={value!r} is not a boolean (use true or false)")


def env_int(name: str, default: int) -> int:
    value = _raw(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{PREFIX}{name}={value!r} is not an integer") from None


def env_list(name: str, default: list[str]) -> list[str]:
    value = _raw(name)
    if value is None or value.strip() == "":
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


def secret_key(var_dir: Path) -> str:
    """TUKI_SECRET_KEY, else a key generated once into var/secret_key and reused."""
    value = _raw("SECRET_KEY")
    if value:
        return value
    path = var_dir / "secret_key"
    if path.exists():
        return path.read_text().strip()
    var_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(50)
    path.write_text(key)
    path.chmod(0o600)
    return key
