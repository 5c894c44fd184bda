"""`tuki check` (and every `tuki migrate`, `tuki serve`) warns when semantic search is wanted
but its extra is missing: the desk then keeps to full-text search."""

from __future__ import annotations

from typing import Any

from django.core import checks
from django.utils.translation import gettext as _

from tuki.assist import embeddings


def semantic_search(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    if not embeddings.missing():
        return []
    return [
        checks.Warning(
            off_message(),
            hint=_("Install it with: uv sync --extra semantic; or set TUKI_SEMANTIC_SEARCH=off."),
            id="tuki.assist.W001",
        )
    ]


def off_message() -> str:
    """What an administrator is told while semantic search is off."""
    return _("Semantic search is off: install tuki[semantic]. Search is full-text only.")


def register() -> None:
    checks.register(semantic_search, "tuki")
