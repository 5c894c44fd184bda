"""The audit page: configuration changes and sign-ins, newest first, for administrators."""

from __future__ import annotations

from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from tuki.audit import access, display
from tuki.audit.forms import AuditFilterForm

PAGE_SIZE = 50


@require_GET
def entry_list(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not access.may_read(request.user):
        raise Http404("Not for you")
    form = AuditFilterForm(request.GET)
    form.is_valid()
    entries = form.filters().apply(access.entries_for(request.user)).order_by("-created_at", "-id")
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [(e, display.object_type(e), display.changes(e)) for e in page.object_list]
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "nav": "manage",
        "form": form,
        "page": page,
        "rows": rows,
        "query": query.urlencode(),
        "filtered": any(v for k, v in request.GET.items() if k != "page"),
    }
    return render(request, "audit/entry_list.html", context)
