"""The answer page of the survey link: no sign-in, the signed token names the response.

A GET (with `?score=N` from the mail's buttons) only shows the confirm form with that score
chosen: mail scanners open links, and opening one must record nothing. Only a POST answers.
Bad or tampered tokens are a 404 page, expired ones a 410, an answered survey the thanks.
"""

from __future__ import annotations

from django.core import signing
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from tuki.lib.bounds import parse_id
from tuki.lib.errors import ServiceError
from tuki.surveys import services
from tuki.surveys.forms import AnswerForm
from tuki.surveys.models import Score, SurveyResponse


def _link_error(request: HttpRequest, message: str, status: int) -> HttpResponse:
    return render(request, "surveys/link_error.html", {"message": message}, status=status)


@require_http_methods(["GET", "HEAD", "POST"])
def answer(request: HttpRequest, token: str) -> HttpResponse:
    try:
        response_id = services.read_token(token)
    except signing.SignatureExpired:
        return _link_error(request, _("This survey link has expired. Thank you all the same."), 410)
    except (signing.BadSignature, ValueError):
        return _link_error(
            request, _("This survey link is not valid. Check that it is complete."), 404
        )
    found = (
        SurveyResponse.objects.select_related("ticket", "requester").filter(pk=response_id).first()
    )
    if found is None:
        return _link_error(request, _("This survey no longer exists."), 404)
    # The page speaks the requester's language, as the mail did, unless someone is signed in.
    language = None if request.user.is_authenticated else found.requester.language
    with translation.override(language or translation.get_language()):
        return _page(request, found, token)


def _page(request: HttpRequest, found: SurveyResponse, token: str) -> HttpResponse:
    context = {"response": found, "ticket": found.ticket, "token": token}
    if found.is_answered:
        return render(request, "surveys/answer.html", {**context, "done": True})
    if services.is_expired(found):
        return _link_error(request, _("This survey link has expired. Thank you all the same."), 410)
    if request.method == "POST":
        form = AnswerForm(request.POST)
        if form.is_valid():
            try:
                found = services.answer(
                    found, form.cleaned_data["score"], form.cleaned_data["comment"]
                )
            except ServiceError as exc:
                form.add_service_error(exc)
            else:
                return render(
                    request, "surveys/answer.html", {**context, "response": found, "done": True}
                )
        return render(request, "surveys/answer.html", {**context, "form": form}, status=422)
    score = parse_id(request.GET.get("score"))
    initial = {"score": score} if score in Score.values else {}
    return render(request, "surveys/answer.html", {**context, "form": AnswerForm(initial=initial)})
