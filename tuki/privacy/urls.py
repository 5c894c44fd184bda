from django.urls import path

from tuki.privacy import views

app_name = "privacy"

urlpatterns = [
    path("", views.find, name="find"),
    path("people/<int:pk>/", views.person_detail, name="person"),
    path("people/<int:pk>/export/", views.person_export, name="export"),
    path("people/<int:pk>/erase/", views.person_erase, name="erase"),
]
