"""What the report pages share: who may enter, and the form every page reads its query with."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.http.response import HttpResponseBase

from tuki.reports.access import may_view_reports
from tuki.reports.forms import ReportForm
from tuki.reports.indicators import INDICATORS, Indicator
from tuki.tickets.views.common import agent_required

View = Callable[..., HttpResponseBase]


def reports_required(view: View) -> View:
    """Anonymous visitors sign in; requesters get a 404 (the workspace is not theirs); agents
    without the permission to view reports a 403."""

    @agent_required(hide=True)
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not may_view_reports(request.user):  # type: ignore[arg-type]  # agent_required signed them in
            raise PermissionDenied("May not view reports")
        return view(request, *args, **kwargs)

    return wrapper


def indicator_or_404(code: str) -> Indicator:
    indicator = INDICATORS.get(code)
    if indicator is None:
        raise Http404("No such indicator")
    return indicator


def read_form(request: HttpRequest) -> ReportForm:
    form = ReportForm(request.GET)
    form.is_valid()
    return form


def page_context(form: ReportForm, **extra: Any) -> dict[str, Any]:
    filters = form.filters() if form.is_valid() else None
    return {
        "nav": "reports",
        "form": form,
        "filters": filters,
        "indicators": INDICATORS.values(),
        **extra,
    }
