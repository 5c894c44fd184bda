from django.urls import path

from tuki.notifications import views

app_name = "notifications"

urlpatterns = [
    path("", views.notification_list, name="list"),
    path("read/", views.mark_all_read, name="mark_all_read"),
    path("<int:pk>/read/", views.mark_read, name="mark_read"),
    path("<int:pk>/open/", views.open_notification, name="open"),
    path("bell/", views.bell, name="bell"),
    path("latest/", views.latest, name="latest"),
    path("preferences/", views.preferences, name="preferences"),
    path("watch/<str:number>/", views.watch, name="watch"),
]
