"""The majors API (/api/v1/majors/)."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["majors"])
