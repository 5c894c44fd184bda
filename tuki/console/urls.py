from django.urls import path

from tuki.console import views, views_levels, views_mail

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
    path("mailboxes/", views_mail.mailbox_list, name="mailboxes"),
    path("mailboxes/new/", views_mail.mailbox_new, name="mailbox_new"),
    path("mailboxes/<int:pk>/", views_mail.mailbox_edit, name="mailbox"),
    path("mailboxes/<int:pk>/check/", views_mail.mailbox_check, name="mailbox_check"),
    path("mailboxes/<int:pk>/active/", views_mail.mailbox_active, name="mailbox_active"),
]
