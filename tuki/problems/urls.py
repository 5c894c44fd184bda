from django.urls import path

from tuki.problems.views import link, lists, radar, section

app_name = "problems"

urlpatterns = [
    path("", lists.problem_list, name="list"),
    path("known-errors/", lists.known_errors, name="known_errors"),
    path("radar/", radar.radar_page, name="radar"),
    path("radar/create/", radar.radar_create, name="radar_create"),
    path("radar/dismiss/", radar.radar_dismiss, name="radar_dismiss"),
    path("link/", link.link_select, name="link_select"),
    path("<int:pk>/link/", section.problem_link, name="link"),
    path("<int:pk>/edit/", section.problem_edit, name="edit"),
    path("<int:pk>/notes/", section.problem_note, name="note"),
    path("<int:pk>/known-error/", section.problem_known_error, name="known_error"),
    path("<int:pk>/resolve/", section.problem_resolve, name="resolve"),
    path("tickets/<int:pk>/", section.section, name="section"),
    path("tickets/<int:pk>/link/", section.incident_link, name="incident_link"),
    path("tickets/<int:pk>/create/", section.incident_create, name="incident_create"),
]
