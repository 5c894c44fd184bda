from django.urls import path

from tuki.availability import status
from tuki.portal import service_report, views

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("new/", views.new, name="new"),
    path("new/similar/", views.similar, name="similar"),
    path("find/", views.find, name="find"),
    path("tickets/<str:number>/", views.detail, name="detail"),
    path("tickets/<str:number>/reply/", views.reply, name="reply"),
    path("tickets/<str:number>/confirm/", views.confirm, name="confirm"),
    path("tickets/<str:number>/reopen/", views.reopen, name="reopen"),
    path("tickets/<str:number>/survey/", views.survey, name="survey"),
    path("attachments/<int:pk>/", views.attachment, name="attachment"),
    path("service-levels/", service_report.service_levels, name="service_levels"),
    path("status/", status.portal_status, name="status"),
]
