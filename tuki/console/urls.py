from django.urls import path

from tuki.console import views

app_name = "console"

urlpatterns = [
    path("", views.home, name="home"),
    path("groups/", views.groups, name="groups"),
    path("groups/new/", views.group_new, name="group_new"),
    path("groups/<int:pk>/", views.group_edit, name="group"),
    path("groups/<int:pk>/members/", views.group_member_add, name="group_member_add"),
    path(
        "groups/<int:pk>/members/<int:user_id>/remove/",
        views.group_member_remove,
        name="group_member_remove",
    ),
    path("people/", views.users, name="users"),
    path("people/new/", views.user_new, name="user_new"),
    path("people/<int:user_id>/", views.user_edit, name="user"),
    path("organisations/", views.organisations, name="organisations"),
    path("organisations/new/", views.organisation_new, name="organisation_new"),
    path("organisations/<int:pk>/", views.organisation_edit, name="organisation"),
    path("offices/new/", views.location_new, name="location_new"),
    path("offices/<int:pk>/", views.location_edit, name="location"),
    path("sla/policies/", views.policies, name="policies"),
    path("sla/policies/new/", views.policy_new, name="policy_new"),
    path("sla/policies/<int:pk>/", views.policy_edit, name="policy"),
    path("sla/agreements/", views.agreements, name="agreements"),
    path("sla/agreements/new/", views.agreement_new, name="agreement_new"),
    path("sla/agreements/<int:pk>/", views.agreement_edit, name="agreement"),
]
