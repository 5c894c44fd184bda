from django.urls import path

from tuki.catalogue import views

app_name = "catalogue"
urlpatterns = [
    path("catalogue/order/<str:pk>/", views.order, name="order"),
    path("catalogue/tickets/<str:pk>/tasks/", views.ticket_tasks, name="ticket_tasks"),
    path("catalogue/tasks/<str:pk>/", views.task_toggle, name="task_toggle"),
    path("console/catalogue/", views.console_items, name="console_items"),
    path("console/catalogue/categories/new/", views.console_category, name="console_category_new"),
    path("console/catalogue/categories/<str:pk>/", views.console_category, name="console_category"),
    path("console/catalogue/items/new/", views.console_item, name="console_item_new"),
    path("console/catalogue/items/<str:pk>/", views.console_item, name="console_item"),
    path(
        "console/catalogue/items/<str:pk>/form/",
        views.console_item_form,
        name="console_item_form",
    ),
    path(
        "console/catalogue/items/<str:pk>/tasks/",
        views.console_item_tasks,
        name="console_item_tasks",
    ),
]
