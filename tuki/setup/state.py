"""Is this install set up, and the one-time set-up token that guards the first run.

A fresh install (`tuki migrate`, no demo) has no administrator and no service desk group.
Until both exist, `/setup/` creates what is missing. While there is no administrator
anyone could reach that page, so it asks for a token only the operator can read: a random
value written, when first needed, to `TUKI_VAR_DIR/setup-token` (mode 0600) and to the
server log (as Jenkins' initial admin password). The file is removed when set-up is done.
"""

from __future__ import annotations

import logging
import os
import secrets
from pathlib import Path

from django.conf import settings

from tuki.accounts.models import SupportGroup, User

logger = logging.getLogger("tuki.setup")
TOKEN_FILE = "setup-token"


def has_admin() -> bool:
    return User.objects.filter(is_superuser=True, is_active=True).exists()


def has_service_desk() -> bool:
    return SupportGroup.objects.filter(tier=SupportGroup.Tier.SERVICE_DESK, is_active=True).exists()


def is_set_up() -> bool:
    return has_admin() and has_service_desk()


def token_path() -> Path:
    return Path(settings.VAR_DIR) / TOKEN_FILE


def ensure_token() -> str:
    """The set-up token, made (file 0600, and logged) the first time it is asked for."""
    path = token_path()
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    token = secrets.token_urlsafe(18)
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process made it first
        return path.read_text().strip()
    with os.fdopen(descriptor, "w") as out:
        out.write(token + "\n")
    logger.warning(
        "Tuki is not set up yet. Open %s/setup/ and give this set-up token: %s (also in %s)",
        settings.SITE_URL.rstrip("/"),
        token,
        path,
    )
    return token


def token_matches(given: str) -> bool:
    return secrets.compare_digest(given.strip().encode(), ensure_token().encode())


def forget_token() -> None:
    token_path().unlink(missing_ok=True)
