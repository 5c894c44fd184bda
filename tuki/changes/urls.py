from django.urls import path

from tuki.changes.views import blackouts, calendar

app_name = "changes"

urlpatterns: list = [
    path("calendar/", calendar.calendar_page, name="calendar"),
    path("<int:pk>/window/", calendar.window, name="window"),
    path("blackouts/", blackouts.blackout_list, name="blackouts"),
    path("blackouts/new/", blackouts.blackout_edit, name="blackout_new"),
    path("blackouts/<int:pk>/", blackouts.blackout_edit, name="blackout_edit"),
    path("blackouts/<int:pk>/delete/", blackouts.blackout_delete, name="blackout_delete"),
]
