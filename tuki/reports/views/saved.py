"""Saved reports: the list, saving the report on screen, opening and deleting one."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse, HttpResponseRedirect, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tuki.lib.errors import ServiceError
from tuki.lib.http import AuthenticatedHttpRequest
from tuki.reports import saving
from tuki.reports.forms import ReportForm, SaveReportForm
from tuki.reports.indicators import INDICATORS
from tuki.reports.models import Schedule
from tuki.reports.periods import Period
from tuki.reports.views.common import reports_required


@reports_required
def saved_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    reports = list(saving.visible_reports(request.user).select_related("owner"))
    for report in reports:
        shown = INDICATORS.get(report.indicator)
        report.indicator_label = str(shown.label) if shown else ""  # type: ignore[attr-defined]
    return render(
        request,
        "reports/saved.html",
        {"nav": "reports", "reports": reports, "indicators": INDICATORS},
    )


@reports_required
def save(request: AuthenticatedHttpRequest) -> HttpResponse:
    """GET: the form for the report whose query is in ?query=; POST: save it."""
    source = request.POST if request.method == "POST" else request.GET
    indicator = source.get("indicator", "")
    if indicator not in INDICATORS:
        indicator = ""
    query = QueryDict(source.get("query", ""))
    shown = ReportForm(query)
    form = SaveReportForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid() and shown.is_valid():
        try:
            report = saving.save_report(
                request.user,
                name=form.cleaned_data["name"],
                indicator=indicator,
                filters=shown.stored_filters(),
                by=shown.cleaned_data.get("by") or "",
                period=shown.cleaned_data["period"] or Period.LAST_MONTH,
                shared=form.cleaned_data["shared"],
                schedule=form.cleaned_data["schedule"] or Schedule.NEVER,
                recipients=form.cleaned_data["recipients"],
            )
        except ServiceError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            messages.success(request, _("Report saved."))
            return redirect("reports:open_saved", report_id=report.pk)
    if request.method == "POST" and not shown.is_valid():
        form.add_error(None, _("The report's filters are not valid."))
    return render(
        request,
        "reports/save.html",
        {
            "nav": "reports",
            "form": form,
            "indicator": INDICATORS.get(indicator),
            "indicator_code": indicator,
            "query": query.urlencode(),
        },
    )


@reports_required
def open_saved(request: AuthenticatedHttpRequest, report_id: int) -> HttpResponseRedirect:
    report = saving.get_report_for_user(request.user, report_id)
    page = (
        reverse("reports:indicator", args=[report.indicator])
        if report.indicator in INDICATORS
        else reverse("reports:overview")
    )
    return HttpResponseRedirect(f"{page}?{saving.report_query(report).urlencode()}")


@require_POST
@reports_required
def delete_saved(request: AuthenticatedHttpRequest, report_id: int) -> HttpResponse:
    report = saving.get_report_for_user(request.user, report_id)
    saving.delete_report(request.user, report)
    messages.success(request, _("Report deleted."))
    return redirect("reports:saved")
