from django.urls import path

from tuki.knowledge.views import articles, categories, reader, reports, tickets

app_name = "knowledge"

urlpatterns = [
    # readers
    path("", reader.home, name="home"),
    path("category/<slug:slug>/", reader.category, name="category"),
    path("<int:pk>/", reader.article, name="article"),
    path("<int:pk>/vote/", reader.vote, name="vote"),
    path("<int:pk>/files/<int:attachment_id>/", reader.attachment, name="attachment"),
    path("faq/<str:organisation>/", reader.faq, name="faq"),
    # agents
    path("articles/", articles.article_list, name="list"),
    path("new/", articles.new, name="new"),
    path("preview/", articles.preview, name="preview"),
    path("<int:pk>/edit/", articles.edit, name="edit"),
    path("<int:pk>/fields/", articles.fields, name="fields"),
    path("<int:pk>/state/", articles.set_state, name="state"),
    path("<int:pk>/delete/", articles.delete, name="delete"),
    path(
        "<int:pk>/translations/<str:language>/delete/",
        articles.delete_translation,
        name="delete_translation",
    ),
    path("<int:pk>/files/", articles.upload, name="upload"),
    path(
        "<int:pk>/files/<int:attachment_id>/delete/",
        articles.remove_attachment,
        name="remove_attachment",
    ),
    path("<int:pk>/history/", articles.history, name="history"),
    path("<int:pk>/versions/<int:version_id>/restore/", articles.restore, name="restore"),
    path("reports/", reports.reports, name="reports"),
    path("insert/<str:number>/", tickets.insert_picker, name="insert"),
    path("from-ticket/<str:number>/", tickets.from_ticket, name="from_ticket"),
    # administrators
    path("categories/", categories.categories, name="categories"),
    path("categories/<int:pk>/delete/", categories.delete_category, name="delete_category"),
]
