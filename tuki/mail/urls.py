from django.urls import path

from tuki.mail import views

app_name = "mail"

urlpatterns = [
    path("inbound/<int:pk>/message.eml", views.inbound_raw, name="inbound_raw"),
    path("inbound/<int:pk>/", views.inbound_html, name="inbound_html"),
    path("outbound/<int:pk>/message.eml", views.outbound_raw, name="outbound_raw"),
    path("held/", views.held_list, name="held_list"),
    path("held/<int:pk>/", views.held_detail, name="held_detail"),
    path("held/<int:pk>/accept/", views.held_accept, name="held_accept"),
    path("held/<int:pk>/reject/", views.held_reject, name="held_reject"),
]
