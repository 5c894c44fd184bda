from django.urls import path

from tuki.identity import views_scim

app_name = "scim"

urlpatterns = [
    path("ServiceProviderConfig", views_scim.service_provider_config, name="config"),
    path("ResourceTypes", views_scim.resource_types, name="resource_types"),
    path("Schemas", views_scim.schemas, name="schemas"),
    path("Users", views_scim.users, name="users"),
    path("Users/<str:ref>", views_scim.user, name="user"),
    path("Groups", views_scim.groups, name="groups"),
    path("Groups/<str:ref>", views_scim.group, name="group"),
]
