from django.urls import path

from tuki.capacity import views

app_name = "capacity"

urlpatterns = [
    path("", views.report, name="report"),
    path("thresholds/", views.threshold_list, name="thresholds"),
    path("thresholds/new/", views.threshold_new, name="threshold_new"),
    path("thresholds/<int:pk>/", views.threshold_edit, name="threshold_edit"),
    path("thresholds/<int:pk>/delete/", views.threshold_delete, name="threshold_delete"),
]
