from django.urls import path

from tuki.majors import views

app_name = "majors"

urlpatterns = [
    path("", views.major_list, name="list"),
    path("<int:pk>/", views.major_detail, name="detail"),
    path("<int:pk>/update/", views.post_update, name="update"),
    path("<int:pk>/children/", views.attach, name="attach"),
    path("<int:pk>/details/", views.details, name="details"),
    path("<int:pk>/accept/", views.accept, name="accept"),
    path("<int:pk>/reject/", views.reject, name="reject"),
    path("<int:pk>/resolve/", views.resolve, name="resolve"),
    path("<int:pk>/review/", views.review, name="review"),
    path("ticket/<int:pk>/section/", views.ticket_section, name="ticket_section"),
    path("ticket/<int:pk>/declare/", views.declare, name="declare"),
    path("ticket/<int:pk>/propose/", views.propose, name="propose"),
]
