from django.urls import path

from tuki.releases.views import pages

app_name = "releases"

urlpatterns: list = [
    path("", pages.board, name="board"),
    path("new/", pages.new_release, name="new"),
    path("freezes/", pages.freezes, name="freezes"),
    path("freezes/<int:pk>/delete/", pages.freeze_delete, name="freeze_delete"),
    path("<int:pk>/section/", pages.section, name="section"),
    path("<int:pk>/stage/", pages.stage, name="stage"),
    path("<int:pk>/deployed/", pages.deployed, name="deployed"),
    path("<int:pk>/changes/add/", pages.change_add, name="change_add"),
    path("<int:pk>/changes/remove/", pages.change_remove, name="change_remove"),
]
