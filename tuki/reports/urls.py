from django.urls import path

from tuki.reports import views_team
from tuki.reports.views import exports, pages, saved

app_name = "reports"

urlpatterns = [
    path("", pages.overview, name="overview"),
    # Before the indicator pages: "team" and "saved" are not indicators.
    path("team/", views_team.index, name="teams"),
    path("team/<int:pk>/", views_team.team, name="team"),
    path("team/<int:pk>/tickets/", views_team.tickets, name="team_tickets"),
    path("saved/", saved.saved_list, name="saved"),
    path("saved/new/", saved.save, name="save"),
    path("saved/<int:report_id>/", saved.open_saved, name="open_saved"),
    path("saved/<int:report_id>/delete/", saved.delete_saved, name="delete_saved"),
    path("<slug:indicator>/", pages.indicator, name="indicator"),
    path("<slug:indicator>/tickets/", pages.tickets, name="tickets"),
    path("<slug:indicator>/export.csv", exports.export_csv, name="export_csv"),
    path("<slug:indicator>/export.xlsx", exports.export_xlsx, name="export_xlsx"),
]
