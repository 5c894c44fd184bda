from typing import Any

from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.urls import include, path

from tuki.accounts.views import LoginView
from tuki.api import api
from tuki.availability.status import public_status
from tuki.server.views import admin_shortcut, healthz, readyz


def _superusers_only(request: HttpRequest) -> bool:
    """Django's admin is the raw data tool of superusers; administrators who are staff only use
    Tuki's console (/console/, docs/administration.md)."""
    return bool(request.user.is_active and request.user.is_superuser)


admin.site.has_permission = _superusers_only  # type: ignore[method-assign]  # one site, one rule


# The admin signs in through Tuki's sign-in (and so its steps: a second factor), not its own.
def _sign_in(request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
    response = LoginView.as_view()(request)
    assert isinstance(response, HttpResponse)  # a page or a redirect, never a stream
    return response


admin.site.login = _sign_in  # type: ignore[method-assign]  # one sign-in for the site

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("readyz", readyz, name="readyz"),
    path("", include("tuki.accounts.urls")),
    path("", include("tuki.chat.urls")),  # /portal/chat/, /desk/chat/, /chat/: before theirs
    path("desk/", include("tuki.tickets.urls")),
    path("portal/", include("tuki.portal.urls")),
    path("mail/", include("tuki.mail.urls")),
    path("automation/", include("tuki.automation.urls")),
    path("console/fields/", include("tuki.tickets.fields_urls")),
    path("routing/", include("tuki.routing.urls")),
    path("approvals/", include("tuki.approvals.urls")),
    path("notifications/", include("tuki.notifications.urls")),
    path("macros/", include("tuki.macros.urls")),
    path("console/bundle/", include("tuki.bundles.urls")),
    path("scripts/", include("tuki.scripts.urls")),
    path("webhooks/", include("tuki.webhooks.urls")),
    path("live/", include("tuki.live.urls")),
    path("kb/", include("tuki.knowledge.urls")),
    path("search/", include("tuki.search.urls")),
    path("audit/", include("tuki.audit.urls")),
    path("sso/", include("tuki.sso.urls")),
    path("privacy/", include("tuki.privacy.urls")),
    path("twofactor/", include("tuki.twofactor.urls")),
    path("setup/", include("tuki.setup.urls")),
    path("reports/", include("tuki.reports.urls")),
    path("assist/", include("tuki.assist.urls")),
    path("surveys/", include("tuki.surveys.urls")),
    path("availability/", include("tuki.availability.urls")),
    path("status/", public_status, name="status"),
    path("monitoring/", include("tuki.monitoring.urls")),
    path("capacity/", include("tuki.capacity.urls")),
    path("problems/", include("tuki.problems.urls")),
    path("changes/", include("tuki.changes.urls")),
    path("releases/", include("tuki.releases.urls")),
    path("majors/", include("tuki.majors.urls")),
    path("console/", include("tuki.console.urls")),
    path("scim/v2/", include("tuki.identity.urls")),
    path("cmdb/import/", include("tuki.cmdb.import_urls")),
    path("cmdb/", include("tuki.cmdb.urls")),
    path("", include("tuki.catalogue.urls")),  # /catalogue/ and /console/catalogue/
    path("api/v1/", api.urls),
    # Before the admin's own: a malformed id is a 404 there, not a 500 (server/views.py).
    path("admin/r/<int:content_type_id>/<path:object_id>/", admin_shortcut),
    path("admin/", admin.site.urls),
]
