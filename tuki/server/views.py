"""Pages that belong to no domain: the liveness and readiness probes."""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.views import shortcut
from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from tuki.server.models import WorkerHeartbeat
from tuki.server.worker import lease


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """For load balancers and the benchmark's floor: the process answers; no database, no session."""
    return JsonResponse({"status": "ok"})


def worker_expected() -> bool:
    """A database queue needs a worker; other backends (the tests' immediate one) do not."""
    if not getattr(settings, "READYZ_EXPECT_WORKER", True):
        return False
    backend = settings.TASKS.get("default", {}).get("BACKEND", "")
    return str(backend).startswith("django_tasks_db")


@never_cache
@require_GET
def readyz(request: HttpRequest) -> JsonResponse:
    """Whether this instance can do its work: the database answers and, when a task worker
    is expected, one was seen within its lease. Public (for orchestrators), so it says only
    "ok"/"unreachable" and a number of seconds: no host names, worker ids or tasks."""
    body: dict[str, object] = {}
    ready = True
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        body["database"] = "ok"
    except DatabaseError:
        connection.close()
        return JsonResponse({"status": "unavailable", "database": "unreachable"}, status=503)
    if worker_expected():
        seen = (
            WorkerHeartbeat.objects.order_by("-seen_at").values_list("seen_at", flat=True).first()
        )
        if seen is None:
            body["worker"] = "never seen"
            ready = False
        else:
            age = max(0, int((timezone.now() - seen).total_seconds()))
            body["worker"] = f"seen {age} s ago"
            body["worker_seen_seconds_ago"] = age
            ready = age <= lease().total_seconds()
    body["status"] = "ok" if ready else "unavailable"
    return JsonResponse(body, status=200 if ready else 503)


def admin_shortcut(request: HttpRequest, content_type_id: int, object_id: str) -> HttpResponse:
    """The admin's "view on site" redirect (Django's contenttypes shortcut), for staff only as
    in the admin, with an object id that the model cannot take (a UUID's) as a 404, not a 500."""
    if not (request.user.is_active and request.user.is_staff):
        raise Http404
    try:
        return shortcut(request, content_type_id, object_id)
    except ValidationError:
        raise Http404 from None
