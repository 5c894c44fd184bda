from django.urls import path

from tuki.changes.views import blackouts, calendar, changes, scores, section, standard

app_name = "changes"

urlpatterns: list = [
    path("", changes.change_list, name="list"),
    path("new/", changes.change_new, name="new"),
    path("<int:pk>/edit/", changes.change_edit, name="edit"),
    path("<int:pk>/panel/", section.panel, name="panel"),
    path("<int:pk>/request-approval/", section.request_approval, name="request_approval"),
    path("<int:pk>/outcome/", section.outcome, name="outcome"),
    path("<int:pk>/review/", section.review, name="review"),
    path("<int:pk>/caused/", section.caused, name="caused"),
    path("scores/", scores.scores, name="scores"),
    path("templates/", standard.template_list, name="templates"),
    path("templates/new/", standard.template_new, name="template_new"),
    path("templates/<int:pk>/", standard.template_edit, name="template_edit"),
    path("templates/<int:pk>/state/", standard.template_state, name="template_state"),
    path("settings/", standard.board_settings, name="settings"),
    path("calendar/", calendar.calendar_page, name="calendar"),
    path("<int:pk>/window/", calendar.window, name="window"),
    path("blackouts/", blackouts.blackout_list, name="blackouts"),
    path("blackouts/new/", blackouts.blackout_edit, name="blackout_new"),
    path("blackouts/<int:pk>/", blackouts.blackout_edit, name="blackout_edit"),
    path("blackouts/<int:pk>/delete/", blackouts.blackout_delete, name="blackout_delete"),
]
