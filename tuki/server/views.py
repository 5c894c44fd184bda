"""Pages that belong to no domain."""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """For load balancers and the benchmark's floor: the process answers; no database, no session."""
    return JsonResponse({"status": "ok"})
