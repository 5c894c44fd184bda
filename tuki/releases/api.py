"""The releases API (/api/v1/releases/)."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["releases"])
