from django.urls import path

from tuki.scripts.views import builder, run, section, stats

app_name = "scripts"

urlpatterns = [
    path("", builder.script_list, name="list"),
    path("new/", builder.script_new, name="new"),
    path("<int:pk>/", builder.script_edit, name="edit"),
    path("<int:pk>/draft/", builder.draft_new, name="draft"),
    path("<int:pk>/nodes/", builder.node_add, name="node_add"),
    path("<int:pk>/nodes/<slug:slug>/", builder.node_edit, name="node_edit"),
    path("<int:pk>/nodes/<slug:slug>/delete/", builder.node_delete, name="node_delete"),
    path("<int:pk>/publish/", builder.publish, name="publish"),
    path("<int:pk>/versions/<int:version_id>/", builder.version_view, name="version"),
    path("<int:pk>/preview/", builder.preview, name="preview"),
    path("<int:pk>/stats/", stats.script_stats, name="stats"),
    path("run/suggest/", run.suggest, name="suggest"),
    path("run/catalogue/", run.call_catalogue, name="call_catalogue"),
    path("report/", stats.report, name="report"),
    path("tickets/<str:number>/", section.ticket_runs, name="ticket_runs"),
    path("run/start/<int:pk>/", run.start, name="start"),
    path("run/<int:pk>/step/", run.step, name="step"),
    path("run/<int:pk>/abandon/", run.abandon, name="abandon"),
]
