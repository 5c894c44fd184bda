from django.urls import path

from tuki.macros import views

app_name = "macros"

urlpatterns = [
    path("", views.macro_list, name="list"),
    path("new/", views.macro_new, name="new"),
    path("<int:pk>/", views.macro_edit, name="edit"),
    path("<int:pk>/delete/", views.macro_delete, name="delete"),
    path("preview/", views.preview, name="preview"),
    path("tickets/<str:number>/picker/", views.picker, name="picker"),
    path("tickets/<str:number>/insert/", views.insert, name="insert"),
    path("tickets/<str:number>/apply/", views.apply, name="apply"),
]
