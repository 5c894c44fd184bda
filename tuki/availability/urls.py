from django.urls import path

from tuki.availability import views

app_name = "availability"

urlpatterns = [
    path("", views.report, name="report"),
    path("services/<int:pk>/", views.service_page, name="service"),
    path("services/<int:pk>/declare/", views.declare, name="declare"),
    path("outages/<int:pk>/end/", views.end, name="end"),
    path("ticket-outage/", views.ticket_outage, name="ticket_outage"),
]
