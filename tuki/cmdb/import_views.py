"""The CSV import page (/cmdb/import/, staff administrators): upload, a preview of what the
first rows would do and how the columns map (nothing written: the feed runs in a transaction
that is rolled back), then the import on confirmation (docs/cmdb.md, "CSV import").

The uploaded file waits in the media storage between the preview and the confirmation,
named in the session; the confirmation reads it from there, runs it and deletes it.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from functools import wraps
from typing import Any

from django import forms
from django.contrib.auth.views import redirect_to_login
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _, gettext_lazy as _lazy
from django.views.decorators.http import require_POST

from tuki.cmdb import access, csvfeed, feed
from tuki.cmdb.models import CIClass, DataSource
from tuki.lib.errors import ServiceError
from tuki.lib.forms import BootstrapMixin
from tuki.lib.http import AuthenticatedHttpRequest

View = Callable[..., HttpResponse]
PREVIEW_ROWS = 50
SHOWN_PROBLEMS = 200
MAX_BYTES = 10 * 1024 * 1024
SESSION_KEY = "cmdb_import"
FOLDER = "cmdb-imports"


def admin_required(func: View) -> View:
    """Staff administrators only; anonymous visitors sign in first, anyone else a 404."""

    @wraps(func)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not access.is_cmdb_admin(request.user):
            raise Http404("Not for you")
        return func(request, *args, **kwargs)

    return wrapper


class ImportForm(BootstrapMixin, forms.Form):
    file = forms.FileField(
        label=_lazy("CSV file"),
        help_text=_lazy("UTF-8 (with or without a BOM); commas or semicolons; one item per row."),
    )
    source = forms.ModelChoiceField(
        label=_lazy("Data source"),
        queryset=DataSource.objects.all(),
        to_field_name="key",
        empty_label=None,
        help_text=_lazy("Its precedence decides what it may overwrite."),
    )
    ci_class = forms.ModelChoiceField(
        label=_lazy("Class"),
        queryset=CIClass.objects.all(),
        to_field_name="key",
        required=False,
        help_text=_lazy("For the rows without a class column."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("source", "csv")

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_BYTES:
            raise forms.ValidationError(_("At most 10 MB."))
        return upload


@admin_required
def import_page(request: AuthenticatedHttpRequest) -> HttpResponse:
    context: dict[str, Any] = {"nav": "manage", "preview_rows": PREVIEW_ROWS}
    if request.method != "POST":
        context["form"] = ImportForm()
        return render(request, "cmdb/import/page.html", context)
    form = ImportForm(request.POST, request.FILES)
    context["form"] = form
    if not form.is_valid():
        return render(request, "cmdb/import/page.html", context, status=422)
    data = form.cleaned_data["file"].read()
    source: DataSource = form.cleaned_data["source"]
    ci_class: CIClass | None = form.cleaned_data["ci_class"]
    try:
        table = csvfeed.read(data)
    except ServiceError as exc:
        form.add_error("file", exc.message)
        return render(request, "cmdb/import/page.html", context, status=422)
    results = feed.run(
        request.user,
        source,
        table.records(table.rows[:PREVIEW_ROWS]),
        default_class=ci_class,
        dry_run=True,
    )
    _forget(request)
    token = secrets.token_urlsafe(16)
    path = default_storage.save(f"{FOLDER}/{token}.csv", ContentFile(data))
    request.session[SESSION_KEY] = {
        "token": token,
        "path": path,
        "source": source.key,
        "class": ci_class.key if ci_class else "",
        "file": form.cleaned_data["file"].name[:200],
    }
    context |= {
        "table": table,
        "source": source,
        "ci_class": ci_class,
        "token": token,
        "file_name": form.cleaned_data["file"].name,
        "rows": [{"number": r.index + 1, "result": r} for r in results],
        "summary": feed.summary(results),
        "total": len(table.rows),
        "separator": {",": _("comma"), ";": _("semicolon"), "\t": _("tab")}.get(
            table.delimiter, table.delimiter
        ),
    }
    return render(request, "cmdb/import/page.html", context)


def _forget(request: HttpRequest) -> None:
    waiting = request.session.pop(SESSION_KEY, None)
    if waiting and str(waiting.get("path", "")).startswith(f"{FOLDER}/"):
        default_storage.delete(waiting["path"])


@require_POST
@admin_required
def import_run(request: AuthenticatedHttpRequest) -> HttpResponse:
    waiting = request.session.get(SESSION_KEY)
    if not waiting or request.POST.get("token") != waiting.get("token"):
        return redirect("cmdb_import:page")
    source = DataSource.objects.filter(key=waiting["source"]).first()
    ci_class = CIClass.objects.filter(key=waiting["class"]).first() if waiting["class"] else None
    try:
        with default_storage.open(waiting["path"], "rb") as stored:
            data = stored.read()
    except OSError:
        data = None
    if source is None or data is None:
        _forget(request)
        return redirect("cmdb_import:page")
    try:
        table = csvfeed.read(data)
    except ServiceError:
        _forget(request)
        return redirect("cmdb_import:page")
    results = feed.run(request.user, source, table.records(), default_class=ci_class)
    _forget(request)
    problems = [r for r in results if r.errors or r.skipped][:SHOWN_PROBLEMS]
    context = {
        "nav": "manage",
        "source": source,
        "file_name": waiting.get("file", ""),
        "summary": feed.summary(results),
        "total": len(results),
        "problems": [{"number": r.index + 1, "result": r} for r in problems],
        "shown_problems": SHOWN_PROBLEMS,
    }
    return render(request, "cmdb/import/done.html", context)
