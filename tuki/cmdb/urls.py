from django.urls import path

from tuki.cmdb.views import edit, items, relations, tickets

app_name = "cmdb"

urlpatterns = [
    path("", items.item_list, name="list"),
    path("new/", edit.item_new, name="new"),
    path("attributes/", edit.attribute_fields, name="attribute_fields"),
    path("search/", relations.search, name="search"),
    path("options/", relations.options, name="options"),
    path("<int:pk>/", items.item, name="item"),
    path("<int:pk>/edit/", edit.item_edit, name="edit"),
    path("<int:pk>/graph.json", items.graph, name="graph"),
    path("<int:pk>/relations/", relations.relation_add, name="relation_add"),
    path("<int:pk>/maintenance/", relations.maintenance_add, name="maintenance_add"),
    path("relations/<int:pk>/remove/", relations.relation_remove, name="relation_remove"),
    path("tickets/<int:pk>/affected/", tickets.affected, name="ticket_affected"),
    path(
        "tickets/<int:pk>/affected/remove/", tickets.affected_remove, name="ticket_affected_remove"
    ),
]
