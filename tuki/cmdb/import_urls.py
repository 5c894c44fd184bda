from django.urls import path

from tuki.cmdb import import_views

app_name = "cmdb_import"

urlpatterns = [
    path("", import_views.import_page, name="page"),
    path("run/", import_views.import_run, name="run"),
]
