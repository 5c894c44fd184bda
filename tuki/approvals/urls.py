from django.urls import path

from tuki.approvals import views

app_name = "approvals"

urlpatterns = [
    path("", views.mine, name="mine"),
    path("steps/<int:pk>/", views.step, name="step"),
    path("link/<str:token>/", views.link, name="link"),
    path("tickets/<str:number>/request/", views.request_for_ticket, name="request"),
    path("<int:pk>/cancel/", views.cancel, name="cancel"),
    path("templates/", views.template_list, name="templates"),
    path("templates/new/", views.template_edit, name="template_new"),
    path("templates/<int:pk>/", views.template_edit, name="template_edit"),
    path("templates/<int:pk>/delete/", views.template_delete, name="template_delete"),
]
