from django.urls import path

from tuki.mail import views

app_name = "mail"

urlpatterns = [
    path("inbound/<int:pk>/message.eml", views.inbound_raw, name="inbound_raw"),
    path("inbound/<int:pk>/", views.inbound_html, name="inbound_html"),
    path("outbound/<int:pk>/message.eml", views.outbound_raw, name="outbound_raw"),
]
