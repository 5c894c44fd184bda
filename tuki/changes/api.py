"""The changes API (/api/v1/changes/)."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["changes"])
