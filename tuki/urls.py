from django.contrib import admin
from django.urls import include, path

from tuki.api import api
from tuki.server.views import healthz, readyz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("readyz", readyz, name="readyz"),
    path("", include("tuki.accounts.urls")),
    path("desk/", include("tuki.tickets.urls")),
    path("portal/", include("tuki.portal.urls")),
    path("mail/", include("tuki.mail.urls")),
    path("automation/", include("tuki.automation.urls")),
    path("routing/", include("tuki.routing.urls")),
    path("approvals/", include("tuki.approvals.urls")),
    path("notifications/", include("tuki.notifications.urls")),
    path("macros/", include("tuki.macros.urls")),
    path("webhooks/", include("tuki.webhooks.urls")),
    path("kb/", include("tuki.knowledge.urls")),
    path("search/", include("tuki.search.urls")),
    path("audit/", include("tuki.audit.urls")),
    path("privacy/", include("tuki.privacy.urls")),
    path("setup/", include("tuki.setup.urls")),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
]
