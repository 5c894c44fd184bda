from django.urls import path

from tuki.setup import views

app_name = "setup"

urlpatterns = [
    path("", views.start, name="start"),
]
