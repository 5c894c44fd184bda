"""The console's custom-field pages, under /console/fields/ (tuki/urls.py)."""

from django.urls import path

from tuki.tickets.views import fields_admin

app_name = "custom_fields"

urlpatterns = [
    path("", fields_admin.field_list, name="list"),
    path("new/", fields_admin.field_new, name="new"),
    path("<int:pk>/", fields_admin.field_edit, name="edit"),
    path("<int:pk>/toggle/", fields_admin.field_toggle, name="toggle"),
]
