from django.contrib import admin
from django.urls import include, path

from tuki.api import api

urlpatterns = [
    path("", include("tuki.accounts.urls")),
    path("desk/", include("tuki.tickets.urls")),
    path("portal/", include("tuki.portal.urls")),
    path("mail/", include("tuki.mail.urls")),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
]
