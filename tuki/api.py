"""REST API v1: one NinjaAPI, each app contributes a router from its api.py.

Errors keep one shape, that of ninja's own validation errors (422):
`{"detail": [{"loc": ["body", field], "msg": message, "type": code}]}`, so a client shows
a refused service call next to the field at fault exactly as it shows a malformed body.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import ValidationError

from tuki.accounts.api import router as accounts_router
from tuki.accounts.api_auth import api_auth
from tuki.approvals.api import router as approvals_router
from tuki.assist.api import router as assist_router
from tuki.audit.api import router as audit_router
from tuki.automation.api import router as automation_router
from tuki.availability.api import router as availability_router
from tuki.calendars.api import router as calendars_router
from tuki.capacity.api import router as capacity_router
from tuki.catalogue.api import router as catalogue_router
from tuki.changes.api import router as changes_router
from tuki.changes.api_calendar import router as calendar_router
from tuki.chat.api import router as chat_router
from tuki.cmdb.api import router as cmdb_router
from tuki.knowledge.api import router as knowledge_router
from tuki.lib.errors import ServiceError
from tuki.macros.api import router as macros_router
from tuki.majors.api import router as majors_router
from tuki.monitoring.api import router as monitoring_router
from tuki.notifications.api import router as notifications_router
from tuki.privacy.api import router as privacy_router
from tuki.problems.api import router as problems_router
from tuki.releases.api import router as releases_router
from tuki.reports.api import router as reports_router
from tuki.routing.api import router as routing_router
from tuki.scripts.api import router as scripts_router
from tuki.search.api import router as search_router
from tuki.sla.api import router as sla_router
from tuki.surveys.api import router as surveys_router
from tuki.tickets.api import router as tickets_router
from tuki.tickets.api_thread import router as thread_router
from tuki.tickets.api_workflows import router as workflows_router
from tuki.webhooks.api import router as webhooks_router

api = NinjaAPI(
    title="Tuki API",
    version="1",
    urls_namespace="api",
    auth=api_auth(),
    description=(
        "The Tuki service desk. Authenticate with a personal token "
        "(`Authorization: Bearer tuki_…`, made on the preferences page, by `POST /me/tokens` "
        "from a browser session or by `tuki api_token EMAIL`; tokens expire) or, from the "
        "browser, with the session cookie and an `X-CSRFToken` header on writes. "
        "Refused input is a 422 naming the field: "
        '`{"detail": [{"loc": ["body", field], "msg": message, "type": code}]}`.'
    ),
)


def service_error_detail(exc: ServiceError) -> dict[str, object]:
    loc = ["body", exc.field] if exc.field else ["body"]
    return {"loc": loc, "msg": str(exc.message), "type": exc.code}


@api.exception_handler(ServiceError)
def on_service_error(request: HttpRequest, exc: ServiceError) -> HttpResponse:
    errors = getattr(exc, "errors", None) or [exc]  # ServiceErrors: every refused value
    return api.create_response(
        request, {"detail": [service_error_detail(e) for e in errors]}, status=422
    )


@api.exception_handler(ValidationError)
def on_validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    # ninja names the handler's parameter in `loc` (["body", "payload", "impact"]); ours are
    # always `payload` and `filters`, so drop them: malformed and refused input look alike.
    errors = [dict(e, loc=_without_param_name(e.get("loc", []))) for e in exc.errors]
    return api.create_response(request, {"detail": errors}, status=422)


def _without_param_name(loc: list[object] | tuple[object, ...]) -> list[object]:
    loc = list(loc)
    if len(loc) > 2 and (loc[0], loc[1]) in (("body", "payload"), ("query", "filters")):
        del loc[1]
    return loc


@api.exception_handler(PermissionDenied)
def on_permission_denied(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    message = str(exc) or _("You may not do this.")
    return api.create_response(request, {"detail": message}, status=403)


# Each app's endpoints under its prefix (the apps never import this module).
api.add_router("", accounts_router)
api.add_router("", tickets_router)
api.add_router("", workflows_router)
api.add_router("", thread_router)
api.add_router("/sla/calendars", calendars_router)
api.add_router("/sla/", sla_router)
api.add_router("/automation/", automation_router)
api.add_router("/routing/", routing_router)
api.add_router("/approvals/", approvals_router)
api.add_router("/notifications/", notifications_router)
api.add_router("/macros/", macros_router)
api.add_router("/scripts/", scripts_router)
api.add_router("/chat/", chat_router)
api.add_router("/webhooks/", webhooks_router)
api.add_router("/kb/", knowledge_router)
api.add_router("/search/", search_router)
api.add_router("/audit", audit_router)
api.add_router("/privacy/", privacy_router)
api.add_router("/reports/", reports_router)
api.add_router("/assist/", assist_router)
api.add_router("/surveys/", surveys_router)
api.add_router("/availability", availability_router)
api.add_router("", monitoring_router)
api.add_router("", capacity_router)
api.add_router("/cmdb/", cmdb_router)
api.add_router("/problems/", problems_router)
# The calendar's fixed paths (calendar, blackouts) before the changes' /{ref} paths.
api.add_router("/changes/", calendar_router)
api.add_router("/changes/", changes_router)
api.add_router("/releases/", releases_router)
api.add_router("/majors/", majors_router)
api.add_router("/catalogue/", catalogue_router)
