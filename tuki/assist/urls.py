from django.urls import path

from tuki.assist import views

app_name = "assist"

urlpatterns = [
    path("accuracy/", views.accuracy_page, name="accuracy"),
    path("accuracy/threshold/", views.threshold, name="threshold"),
    path("tickets/<str:number>/drafts/", views.ticket_drafts, name="drafts"),
    path("tickets/<str:number>/drafts/model/", views.ticket_model_draft, name="model_draft"),
]
