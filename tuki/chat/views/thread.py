"""What both sides of a chat share: the message list, writing, read marks, ending, files."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import FileResponse, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from tuki.chat import access, services
from tuki.chat.forms import MessageForm
from tuki.chat.models import Conversation
from tuki.chat.views.common import signed_in, thread_context
from tuki.lib.bounds import parse_id
from tuki.lib.errors import ServiceError
from tuki.lib.htmx import is_fragment_request
from tuki.lib.http import AuthenticatedHttpRequest
from tuki.lib.uploads import Upload


def page_of(user: object, conversation: Conversation, embed: bool = False) -> str:
    """Where a participant reads this chat: the portal (or the widget's frame) or the console."""
    if access.is_requester(user):
        return f"/portal/chat/?c={conversation.pk}" + ("&embed=1" if embed else "")
    return f"/desk/chat/{conversation.pk}/"


@signed_in
@require_GET
def messages(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    conversation = access.get_conversation_for_user(request.user, pk)
    if access.is_requester(request.user):
        conversation = services.expire_if_missed(conversation)
    context = thread_context(request.user, conversation)
    return render(request, "chat/partials/messages.html", context)


@signed_in
@require_POST
def post(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    conversation = access.get_conversation_for_user(request.user, pk)
    form = MessageForm(request.POST, request.FILES)
    status = 200
    if form.is_valid():
        uploaded = form.cleaned_data["file"]
        try:
            upload = Upload.from_uploaded(uploaded) if uploaded else None
            services.post_message(
                request.user, conversation, form.cleaned_data["body"], upload=upload
            )
        except ServiceError as exc:
            form.add_service_error(exc)
            status = 422
        except PermissionDenied:
            raise
        else:
            form = MessageForm()
    else:
        status = 422
    if not is_fragment_request(request):
        return redirect(page_of(request.user, conversation, request.POST.get("embed") == "1"))
    response = render(
        request,
        "chat/partials/composer.html",
        {"conversation": conversation, "form": form},
        status=status,
    )
    if status == 200:
        response["HX-Trigger"] = "chat-posted"
    return response


@signed_in
@require_POST
def read(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    conversation = access.get_conversation_for_user(request.user, pk)
    upto = parse_id(request.POST.get("upto", ""))
    if upto is None:
        return JsonResponse({"detail": "upto: a message id"}, status=422)
    moved = services.mark_read(request.user, conversation, upto)
    return JsonResponse({"moved": moved})


@signed_in
@require_POST
def end(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    conversation = access.get_conversation_for_user(request.user, pk)
    services.end(request.user, conversation)
    return redirect(page_of(request.user, conversation, request.POST.get("embed") == "1"))


@signed_in
@require_GET
def file(request: AuthenticatedHttpRequest, pk: int) -> FileResponse:
    message = access.get_file_for_user(request.user, pk)
    response = FileResponse(
        message.file.open("rb"),
        as_attachment=True,
        filename=message.filename,
        content_type=message.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
