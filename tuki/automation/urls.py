from django.urls import path

from tuki.automation import views

app_name = "automation"

urlpatterns = [
    path("", views.rule_list, name="rules"),
    path("new/", views.rule_new, name="new"),
    path("builder/", views.builder, name="builder"),
    path("preview/", views.preview, name="preview"),
    path("<int:pk>/", views.rule_edit, name="edit"),
    path("<int:pk>/toggle/", views.toggle, name="toggle"),
    path("<int:pk>/move/", views.move, name="move"),
    path("<int:pk>/delete/", views.delete, name="delete"),
    path("<int:pk>/runs/", views.runs, name="runs"),
]
