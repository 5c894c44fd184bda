"""Typed readers for TUKI_* environment variables that fail loudly on bad values."""

from __future__ import annotations

import base64
import os
import secrets
from collections.abc import Callable
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


def env_float(name: str, default: float) -> float:
    value = _raw(name)
    if value is None or value == "":
        return default
    try:
        return float(value)
    except ValueError:
        raise ImproperlyConfigured(f"{PREFIX}{name}={value!r} is not a number") from None


def env_list(name: str, default: list[str]) -> list[str]:
    value = _raw(name)
    if value is None or value.strip() == "":
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


PRIVATE_UMASK = 0o077


def private_umask() -> None:
    """Files and folders this process creates are its user's only (0600 / 0700), whatever
    umask the shell or service manager gave it. Called first by every entry point
    (tuki/__main__.py, asgi.py, wsgi.py)."""
    os.umask(PRIVATE_UMASK)


def private_file(path: Path) -> None:
    """Make `path` an empty file only Tuki's user may read, or tighten an existing one."""
    try:
        write_private(path, "")
    except FileExistsError:
        try:
            path.chmod(0o600)
        except PermissionError:
            pass  # someone else's file: not ours to change


def private_dir(path: Path) -> Path:
    """Make `path` (and missing parents) a folder only Tuki's user may open (0700)."""
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    path.chmod(0o700)
    return path


def write_private(path: Path, text: str) -> None:
    """Create `path` with mode 0600 from the start (never readable by others, whatever the
    umask); an existing file is left alone (FileExistsError)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(text)
    path.chmod(0o600)


def _generated_once(var_dir: Path, name: str, make: Callable[[], str]) -> str:
    """The content of var_dir/name, made once with make(). Written to a temporary file and
    linked into place, so that a process starting at the same moment reads either nothing
    (and makes its own try, which loses) or the whole key, never half of it."""
    path = var_dir / name
    if not path.exists():
        private_dir(var_dir)
        draft = var_dir / f".{name}.{os.getpid()}.{secrets.token_hex(4)}"
        write_private(draft, make())
        try:
            os.link(draft, path)
        except FileExistsError:
            pass  # another process made it first: use theirs
        except OSError:  # a file system without hard links: a rename, last one wins
            os.replace(draft, path)
        finally:
            draft.unlink(missing_ok=True)
    return path.read_text().strip()


def secret_key(var_dir: Path) -> str:
    """TUKI_SECRET_KEY, else a key generated once into var/secret_key (0600) and reused."""
    value = _raw("SECRET_KEY")
    if value:
        return value
    return _generated_once(var_dir, "secret_key", lambda: secrets.token_urlsafe(50))


def encryption_keys(var_dir: Path) -> list[str]:
    """The keys for secrets at rest (tuki/lib/crypto.py), the first one encrypting:
    TUKI_ENCRYPTION_KEY (comma-separated, or TUKI_ENCRYPTION_KEY_FILE with one key a line),
    else var/encryption_key, generated once (0600)."""
    value = _raw("ENCRYPTION_KEY")
    if not value:
        value = _generated_once(
            var_dir,
            "encryption_key",
            lambda: base64.urlsafe_b64encode(os.urandom(32)).decode(),
        )
    keys = [k.strip() for k in value.replace("\n", ",").split(",") if k.strip()]
    if not keys:
        raise ImproperlyConfigured(f"{PREFIX}ENCRYPTION_KEY is empty")
    for number, key in enumerate(keys, 1):
        try:
            valid = len(base64.urlsafe_b64decode(key.encode())) == 32
        except ValueError:
            valid = False
        if not valid:
            raise ImproperlyConfigured(
                f"{PREFIX}ENCRYPTION_KEY: key {number} is not 32 bytes of URL-safe base64 "
                "(make one with: python -c 'import base64, os; "
                "print(base64.urlsafe_b64encode(os.urandom(32)).decode())')"
            )
    return keys
