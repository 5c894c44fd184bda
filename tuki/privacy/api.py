"""Personal data over REST, under /api/v1/privacy/: administrators only (anyone else a 404)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpResponse
from ninja import Field, Router

from tuki.lib.bounds import Id, Schema
from tuki.lib.http import ApiRequest
from tuki.privacy import access, export, services

router = Router(tags=["privacy"])


class EraseIn(Schema):
    confirm: str = Field(
        max_length=254, description="The person's email address as it is now: erasure is final"
    )


class ErasureOut(Schema):
    person: int
    erased_at: datetime
    counts: dict[str, int]


@router.get(
    "/people/{person_id}/export",
    summary="Everything held about one person (ZIP of JSON and attachments)",
    response={200: None},
)
def export_person(request: ApiRequest, person_id: Id) -> HttpResponse:
    person = access.get_person_for_user(request.auth, person_id)
    response = HttpResponse(export.export_zip(person, request.auth), content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="personal-data-{person.pk}.zip"'
    return response


@router.post("/people/{person_id}/erase", response=ErasureOut, summary="Erase one person's data")
def erase_person(request: ApiRequest, person_id: Id, payload: EraseIn) -> dict[str, Any]:
    person = access.get_person_for_user(request.auth, person_id)
    erasure = services.erase_person(request.auth, person, confirm=payload.confirm)
    return {"person": erasure.person_id, "erased_at": erasure.erased_at, "counts": erasure.counts}
