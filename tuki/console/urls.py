from django.urls import path

from tuki.console import views, views_identity, views_levels, views_mail, views_sso

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

urlpatterns += [
    path("calendars/", views_levels.calendar_list, name="calendars"),
    path("calendars/new/", views_levels.calendar_new, name="calendar_new"),
    path("calendars/<int:pk>/", views_levels.calendar_edit, name="calendar"),
    path("calendars/<int:pk>/closed/", views_levels.calendar_day_add, name="calendar_day_add"),
    path(
        "calendars/<int:pk>/closed/remove/",
        views_levels.calendar_day_remove,
        name="calendar_day_remove",
    ),
    path("calendars/<int:pk>/delete/", views_levels.calendar_delete, name="calendar_delete"),
    path("sla/services/", views_levels.service_list, name="services"),
    path("sla/services/new/", views_levels.service_new, name="service_new"),
    path("sla/services/<int:pk>/", views_levels.service_edit, name="service"),
    path("sla/ola/", views_levels.ola_list, name="olas"),
    path("sla/policies/<int:pk>/ola/", views_levels.ola_edit, name="ola"),
    path("identity/", views_identity.identity, name="identity"),
    path("identity/directories/new/", views_identity.directory_new, name="directory_new"),
    path("identity/directories/<int:pk>/", views_identity.directory_edit, name="directory"),
    path(
        "identity/directories/<int:pk>/check/",
        views_identity.directory_check,
        name="directory_check",
    ),
    path(
        "identity/directories/<int:pk>/sync/", views_identity.directory_sync, name="directory_sync"
    ),
    path(
        "identity/directories/<int:pk>/maps/",
        views_identity.directory_map_add,
        name="directory_map_add",
    ),
    path(
        "identity/directory-maps/<int:pk>/remove/",
        views_identity.directory_map_remove,
        name="directory_map_remove",
    ),
    path(
        "identity/directories/<int:pk>/delete/",
        views_identity.directory_delete,
        name="directory_delete",
    ),
    path("identity/scim/new/", views_identity.scim_new, name="scim_new"),
    path("identity/scim/<int:pk>/", views_identity.scim_provider, name="scim_provider"),
    path("identity/scim/<int:pk>/token/", views_identity.scim_token, name="scim_token"),
    path("identity/scim/<int:pk>/active/", views_identity.scim_active, name="scim_active"),
    path("identity/scim/<int:pk>/delete/", views_identity.scim_delete, name="scim_delete"),
    path("identity/scim-groups/<int:pk>/", views_identity.scim_group, name="scim_group"),
    path("mailboxes/", views_mail.mailbox_list, name="mailboxes"),
    path("mailboxes/new/", views_mail.mailbox_new, name="mailbox_new"),
    path("mailboxes/<int:pk>/", views_mail.mailbox_edit, name="mailbox"),
    path("mailboxes/<int:pk>/check/", views_mail.mailbox_check, name="mailbox_check"),
    path("mailboxes/<int:pk>/active/", views_mail.mailbox_active, name="mailbox_active"),
    path("sso/", views_sso.provider_list, name="sso_providers"),
    path("sso/new/", views_sso.provider_new, name="sso_provider_new"),
    path("sso/<int:pk>/", views_sso.provider_edit, name="sso_provider"),
    path("sso/<int:pk>/check/", views_sso.provider_check, name="sso_provider_check"),
    path("sso/<int:pk>/delete/", views_sso.provider_delete, name="sso_provider_delete"),
]
