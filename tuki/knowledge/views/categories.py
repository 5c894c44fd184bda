"""Administrators keep the knowledge category tree (Administration › Knowledge categories)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tuki.knowledge import services
from tuki.knowledge.forms import CategoryForm
from tuki.knowledge.models import ArticleCategory
from tuki.knowledge.views.common import page_context
from tuki.lib.bounds import parse_id
from tuki.lib.errors import ServiceError
from tuki.lib.http import AuthenticatedHttpRequest

View = Callable[..., HttpResponse]


def _admin_only(view: View) -> View:
    """Staff and superusers; anonymous users sign in first, anyone else gets a 404."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not (request.user.is_superuser or request.user.is_staff):
            raise Http404("Not here")
        return view(request, *args, **kwargs)

    return wrapper


def _render(
    request: HttpRequest, form: CategoryForm, edit: ArticleCategory | None, status: int = 200
) -> HttpResponse:
    categories = ArticleCategory.objects.annotate(n=Count("articles")).order_by("path")
    context = page_context(form=form, categories=categories, edit=edit, nav="manage")
    return render(request, "knowledge/categories.html", context, status=status)


@_admin_only
def categories(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The tree, with a form to add a category or (?edit=id) to rename or move one."""
    edit = None
    edit_id = request.GET.get("edit", "")
    if (edit_pk := parse_id(edit_id)) is not None:
        edit = ArticleCategory.objects.filter(pk=edit_pk).first()
    initial = (
        {"name": edit.name, "parent": edit.parent_id, "position": edit.position} if edit else {}
    )
    form = CategoryForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.save_category(
                request.user, name=data["name"], parent=data["parent"],
                position=data["position"] or 0, category=edit,
            )  # fmt: skip
        except ServiceError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("knowledge:categories")
    return _render(request, form, edit, status=422 if request.method == "POST" else 200)


@require_POST
@_admin_only
def delete_category(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    category = ArticleCategory.objects.filter(pk=pk).first()
    if category is None:
        raise Http404("No such category")
    services.delete_category(request.user, category)
    messages.success(request, _("Category deleted; its articles are now uncategorised."))
    return redirect("knowledge:categories")
