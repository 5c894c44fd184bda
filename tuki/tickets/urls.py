from django.urls import path

from tuki.tickets.views import (
    actions,
    call,
    dashboard,
    detail,
    field_options,
    queue,
    thread,
    workflow_admin,
)

app_name = "tickets"

urlpatterns = [
    path("", dashboard.dashboard, name="dashboard"),
    path("tickets/", queue.queue, name="queue"),
    path("tickets/bulk/", queue.bulk, name="bulk"),
    path("call/", call.log_call, name="log_call"),
    path("call/callers/", call.caller_search, name="caller_search"),
    path("call/caller/", call.caller_pick, name="caller_pick"),
    path("call/route/", call.call_route, name="call_route"),
    path("call/assist/", call.call_assist, name="call_assist"),
    path("call/custom-fields/", call.call_custom_fields, name="call_custom_fields"),
    path("call/similar/", call.call_similar, name="call_similar"),
    path("tickets/<str:number>/duplicates/", call.ticket_duplicates, name="ticket_duplicates"),
    path("tickets/<str:number>/join-outage/", call.join_outage, name="join_outage"),
    path("fields/options/", field_options.reference_options, name="reference_options"),
    path("attachments/<int:pk>/", detail.attachment, name="attachment"),
    path("tickets/<str:number>/", detail.detail, name="detail"),
    path("tickets/<str:number>/timeline/", detail.timeline, name="timeline"),
    path("tickets/<str:number>/fields/<str:field>/", detail.edit_field, name="edit_field"),
    path("tickets/<str:number>/comment/", actions.comment, name="comment"),
    path("tickets/<str:number>/take/", actions.take, name="take"),
    path("tickets/<str:number>/assign/", actions.assign, name="assign"),
    path("tickets/<str:number>/escalate/", actions.escalate, name="escalate"),
    path("tickets/<str:number>/status/", actions.set_status, name="set_status"),
    path("tickets/<str:number>/resolve/", actions.resolve, name="resolve"),
    path("tickets/<str:number>/reopen/", actions.reopen, name="reopen"),
    path("tickets/<str:number>/close/", actions.close, name="close"),
    path("tickets/<str:number>/link/", actions.link, name="link"),
    path("tickets/<str:number>/merge/", actions.merge, name="merge"),
    # Swarming (docs/chat.md): the consultation panel's thread, consulting, closing.
    path("tickets/<str:number>/thread/", thread.thread, name="thread"),
    path("tickets/<str:number>/thread/post/", thread.post_message, name="thread_post"),
    path("tickets/<str:number>/consult/", thread.consult, name="consult"),
    path(
        "tickets/<str:number>/consultations/<int:pk>/close/",
        thread.close,
        name="consultation_close",
    ),
    path("consultations/", thread.consultations, name="consultations"),
]

# The console's workflow pages (docs/workflows.md).
urlpatterns += [
    path("console/workflows/", workflow_admin.workflow, name="console_workflows"),
    path("console/workflows/statuses/new/", workflow_admin.status_edit, name="console_status_new"),
    path("console/workflows/statuses/<int:pk>/", workflow_admin.status_edit, name="console_status"),
    path(
        "console/workflows/statuses/<int:pk>/retire/",
        workflow_admin.status_retire,
        name="console_status_retire",
    ),
    path(
        "console/workflows/statuses/<int:pk>/delete/",
        workflow_admin.status_delete,
        name="console_status_delete",
    ),
    path(
        "console/workflows/transitions/<int:pk>/",
        workflow_admin.transition_edit,
        name="console_transition",
    ),
    path("console/priorities/", workflow_admin.priorities, name="console_priorities"),
    path("console/categories/", workflow_admin.categories, name="console_categories"),
    path("console/categories/new/", workflow_admin.category_edit, name="console_category_new"),
    path("console/categories/<int:pk>/", workflow_admin.category_edit, name="console_category"),
]
