from django.urls import path

from tuki.reports import views_team

app_name = "reports"

urlpatterns: list = [
    path("team/", views_team.index, name="teams"),
    path("team/<int:pk>/", views_team.team, name="team"),
    path("team/<int:pk>/tickets/", views_team.tickets, name="team_tickets"),
]
