from django.urls import path

from tuki.routing import views

app_name = "routing"

urlpatterns = [
    path("", views.rules, name="rules"),
    path("rules/new/", views.rule_edit, name="rule_new"),
    path("rules/<int:pk>/", views.rule_edit, name="rule_edit"),
    path("rules/<int:pk>/move/", views.rule_move, name="rule_move"),
    path("rules/<int:pk>/delete/", views.rule_delete, name="rule_delete"),
    path("groups/", views.groups, name="groups"),
    path("groups/<int:pk>/", views.group, name="group"),
    path("absences/", views.absence_add, name="absence_add"),
    path("absences/<int:pk>/delete/", views.absence_delete, name="absence_delete"),
]
