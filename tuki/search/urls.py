from django.urls import path

from tuki.search import views

app_name = "search"

urlpatterns = [
    path("", views.search_page, name="page"),
    path("portal/", views.portal_search, name="portal"),
    path("suggest/", views.suggest, name="suggest"),
    path("solved/<int:pk>/", views.solved, name="solved"),
]
