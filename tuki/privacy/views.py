"""Personal data pages for administrators: find a person, see what is held, export, erase."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tuki.accounts.models import User
from tuki.accounts.signin import recent_second_factor
from tuki.lib.errors import ServiceError
from tuki.lib.http import AuthenticatedHttpRequest
from tuki.privacy import access, export, services
from tuki.privacy.forms import EraseForm, FindPersonForm
from tuki.privacy.models import Erasure

View = Callable[..., HttpResponse]


def admin_required(func: View) -> View:
    """Administrators only; anonymous visitors sign in first, anyone else gets a 404."""

    @wraps(func)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not access.may_manage_personal_data(request.user):
            raise Http404
        return func(request, *args, **kwargs)

    return wrapper


@require_http_methods(["GET", "POST"])
@admin_required
def find(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = FindPersonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        person = User.objects.filter(email__iexact=form.cleaned_data["email"]).first()
        if person is not None and access.may_act_on(request.user, person):
            return redirect("privacy:person", person.pk)
        form.add_error("email", _("No one you may manage has this address."))
    erasures = Erasure.objects.select_related("erased_by")[:20]
    context = {"nav": "manage", "form": form, "erasures": erasures}
    return render(request, "privacy/find.html", context, status=422 if form.errors else 200)


def _person_page(
    request: AuthenticatedHttpRequest, person: User, form: EraseForm, status: int = 200
) -> HttpResponse:
    context = {
        "nav": "manage",
        "person": person,
        "counts": sorted(export.counts(person).items()),
        "tickets": export.their_tickets(person).count(),
        "erasure": Erasure.objects.filter(person=person).first(),
        "form": form,
    }
    return render(request, "privacy/person.html", context, status=status)


@require_GET
@admin_required
def person_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    person = access.get_person_for_user(request.user, pk)
    return _person_page(request, person, EraseForm())


@require_GET
@admin_required
@recent_second_factor
def person_export(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    person = access.get_person_for_user(request.user, pk)
    response = HttpResponse(export.export_zip(person, request.user), content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="personal-data-{person.pk}.zip"'
    return response


@require_POST
@admin_required
@recent_second_factor
def person_erase(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    person = access.get_person_for_user(request.user, pk)
    form = EraseForm(request.POST)
    if form.is_valid():
        try:
            services.erase_person(request.user, person, confirm=form.cleaned_data["confirm"])
        except ServiceError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, _("The person's personal data has been erased."))
            return redirect("privacy:person", person.pk)
    return _person_page(request, person, form, status=422)
