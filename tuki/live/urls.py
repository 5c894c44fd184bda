from django.urls import path

from tuki.live import views

app_name = "live"

urlpatterns = [
    path("events/", views.events, name="events"),
    path("poll/", views.poll, name="poll"),
    path("signal/", views.signal, name="signal"),
]
