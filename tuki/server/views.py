"""Pages that belong to no domain."""

from __future__ import annotations

from django.contrib.contenttypes.views import shortcut
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """For load balancers and the benchmark's floor: the process answers; no database, no session."""
    return JsonResponse({"status": "ok"})


def admin_shortcut(request: HttpRequest, content_type_id: int, object_id: str) -> HttpResponse:
    """The admin's "view on site" redirect (Django's contenttypes shortcut), for staff only as
    in the admin, with an object id that the model cannot take (a UUID's) as a 404, not a 500."""
    if not (request.user.is_active and request.user.is_staff):
        raise Http404
    try:
        return shortcut(request, content_type_id, object_id)
    except ValidationError:
        raise Http404 from None
