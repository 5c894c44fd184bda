from django.urls import path

from tuki.tickets.views import actions, call, dashboard, detail, queue

app_name = "tickets"

urlpatterns = [
    path("", dashboard.dashboard, name="dashboard"),
    path("tickets/", queue.queue, name="queue"),
    path("tickets/bulk/", queue.bulk, name="bulk"),
    path("call/", call.log_call, name="log_call"),
    path("call/callers/", call.caller_search, name="caller_search"),
    path("call/caller/", call.caller_pick, name="caller_pick"),
    path("call/route/", call.call_route, name="call_route"),
    path("call/similar/", call.call_similar, name="call_similar"),
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
]
