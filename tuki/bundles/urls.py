from django.urls import path

from tuki.bundles import views

app_name = "bundles"

urlpatterns = [
    path("", views.bundle_page, name="page"),
    path("export/", views.export, name="export"),
]
