"""One report table downloaded as CSV or XLSX, computed from the same query as the page."""

from __future__ import annotations

from django.http import HttpResponse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from tuki.lib import dates
from tuki.lib.http import AuthenticatedHttpRequest
from tuki.reports import exporting, indicators
from tuki.reports.forms import dimension_label
from tuki.reports.views.common import indicator_or_404, read_form, reports_required


def _export(request: AuthenticatedHttpRequest, code: str, kind: str) -> HttpResponse:
    shown = indicator_or_404(code)
    form = read_form(request)
    if not form.is_valid():
        return HttpResponse(
            _("The report's filters are not valid."), status=400, content_type="text/plain"
        )
    # ?table=trend: the trend's table; else the breakdown's (none: the total alone).
    by = form.trend_by() if request.GET.get("table") == "trend" else form.cleaned_data.get("by")
    filters = form.filters()
    result = indicators.compute(
        request.user,
        shown.code,
        filters,
        by or None,
        compare=True,
        clock=form.cleaned_data.get("clock") or "business",
        statistic=form.cleaned_data.get("statistic") or "median",
    )
    lines = exporting.table(result, dimension_label(by) if by else "")
    name = f"{slugify(shown.code)}-{filters.start.isoformat()}-{filters.end.isoformat()}"
    if kind == "csv":
        response = HttpResponse(exporting.to_csv(lines), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
        return response
    about = [
        str(shown.label),
        _("From %(start)s to %(end)s")
        % {"start": dates.absolute_date(filters.start), "end": dates.absolute_date(filters.end)},
        _("Made %(when)s") % {"when": dates.absolute(timezone.now())},
    ]
    body = exporting.to_xlsx(lines, str(shown.label), about)
    response = HttpResponse(body, content_type=exporting.XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
    return response


@reports_required
def export_csv(request: AuthenticatedHttpRequest, indicator: str) -> HttpResponse:
    return _export(request, indicator, "csv")


@reports_required
def export_xlsx(request: AuthenticatedHttpRequest, indicator: str) -> HttpResponse:
    return _export(request, indicator, "xlsx")
