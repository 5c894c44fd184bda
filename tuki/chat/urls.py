"""The chat's pages: the requester's under /portal/chat/, the console under /desk/chat/, and
what both sides share under /chat/. Mounted at the root (tuki/urls.py) before the portal's
and the desk's own."""

from django.urls import path

from tuki.chat.views import console, portal, thread

app_name = "chat"

urlpatterns = [
    path("portal/chat/", portal.chat_page, name="portal"),
    path("portal/chat/start/", portal.start, name="start"),
    path("portal/chat/request/", portal.send_request, name="request"),
    path("portal/chat/button/", portal.button, name="button"),
    path("desk/chat/", console.console, name="console"),
    path("desk/chat/lists/", console.lists, name="lists"),
    path("desk/chat/availability/", console.availability, name="availability"),
    path("desk/chat/heartbeat/", console.heartbeat, name="heartbeat"),
    path("desk/chat/<int:pk>/", console.console, name="conversation"),
    path("desk/chat/<int:pk>/take/", console.take, name="take"),
    path("desk/chat/<int:pk>/transfer/", console.transfer, name="transfer"),
    path("desk/chat/<int:pk>/ticket/", console.make_ticket, name="ticket"),
    path("desk/chat/<int:pk>/join/", console.join, name="join"),
    path("desk/chat/<int:pk>/knowledge/", console.knowledge, name="knowledge"),
    path("chat/<int:pk>/messages/", thread.messages, name="messages"),
    path("chat/<int:pk>/post/", thread.post, name="post"),
    path("chat/<int:pk>/read/", thread.read, name="read"),
    path("chat/<int:pk>/end/", thread.end, name="end"),
    path("chat/files/<int:pk>/", thread.file, name="file"),
]
