"""The report pages: the overview of headline indicators, one indicator with its trend and
breakdown, and the tickets behind any number of either."""

from __future__ import annotations

from typing import Any

from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render

from tuki.knowledge.models import Deflection
from tuki.lib.http import AuthenticatedHttpRequest
from tuki.reports import indicators, presenting
from tuki.reports.forms import dimension_label
from tuki.reports.saving import visible_reports
from tuki.reports.team import team_groups
from tuki.reports.views.common import indicator_or_404, page_context, read_form, reports_required
from tuki.tickets.models import Ticket

PAGE_SIZE = 50


@reports_required
def overview(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = read_form(request)
    cards = []
    if form.is_valid():
        for result in indicators.summary(request.user, form.filters(), compare=True):
            total, _rows = presenting.rows(result, form.query)
            cards.append((result.indicator, total))
    saved = visible_reports(request.user).select_related("owner")[:20]
    leads = team_groups(request.user).exists()  # a link to the team view (reports/team.py)
    return render(
        request,
        "reports/overview.html",
        page_context(form, cards=cards, saved=saved, query=form.query(), leads=leads),
    )


@reports_required
def indicator(request: AuthenticatedHttpRequest, indicator: str) -> HttpResponse:
    shown = indicator_or_404(indicator)
    form = read_form(request)
    context = page_context(form, indicator=shown, query=form.query())
    if form.is_valid():
        filters = form.filters()
        clock = form.cleaned_data.get("clock") or "business"
        statistic = form.cleaned_data.get("statistic") or "median"
        trend_by = form.trend_by()
        trend = indicators.compute(
            request.user,
            shown.code,
            filters,
            trend_by,
            compare=True,
            clock=clock,
            statistic=statistic,
        )
        total, trend_rows = presenting.rows(trend, form.query)
        context.update(
            total=total,
            trend_by=trend_by,
            trend_label=dimension_label(trend_by),
            trend_rows=trend_rows,
            trend_chart=presenting.chart(trend, "line", trend_rows),
            trend_columns=presenting.columns(shown, trend_rows, None),
        )
        by = form.cleaned_data.get("by") or ""
        if by:
            breakdown = indicators.compute(
                request.user,
                shown.code,
                filters,
                by,
                compare=True,
                clock=clock,
                statistic=statistic,
            )
            _total, breakdown_rows = presenting.rows(breakdown, form.query)
            context.update(
                by=by,
                by_label=dimension_label(by),
                breakdown_rows=breakdown_rows,
                breakdown_chart=presenting.chart(breakdown, "bar", breakdown_rows),
                breakdown_columns=presenting.columns(shown, breakdown_rows, _total),
            )
    return render(request, "reports/indicator.html", context)


@reports_required
def tickets(request: AuthenticatedHttpRequest, indicator: str) -> HttpResponse:
    """Exactly the tickets counted in one number (`by` and `key` name its row; none: the
    total), paged, each linked to its ticket."""
    shown = indicator_or_404(indicator)
    form = read_form(request)
    by = request.GET.get("by", "")
    key = request.GET.get("key", "")
    context = page_context(form, indicator=shown, by=by, key=key)
    if form.is_valid() and shown.code == "deflections":
        return _deflections(request, form, context, by, key)
    if form.is_valid() and (by == "" or indicators.dimension(by) is not None):
        try:
            found = indicators.tickets_behind(
                request.user, shown.code, form.filters(), by or None, key if by else None
            )
        except indicators.FilterError:  # a row the breakdown cannot have: nothing behind it
            found = Ticket.objects.none()
        found = found.select_related("status", "group", "assignee")
        result = indicators.compute(request.user, shown.code, form.filters(), by or None)
        cell = result.total if not by else next((c for c in result.rows if c.key == key), None)
        page = Paginator(found.order_by("-pk"), PAGE_SIZE).get_page(request.GET.get("page"))
        context.update(
            page=page,
            cell=cell,
            cell_value=presenting.shown(cell.value, shown.unit) if cell else "",
            by_label=dimension_label(by) if by else "",
            query=request.GET.copy(),
            back=form.query(),
        )
        context["query"].pop("page", None)
        context["query"] = context["query"].urlencode()
    return render(request, "reports/tickets.html", context)


def _deflections(
    request: AuthenticatedHttpRequest, form: Any, context: dict[str, Any], by: str, key: str
) -> HttpResponse:
    """Deflections have no tickets behind them: the page lists the deflections themselves
    (when, the words searched, the article that answered, through which channel)."""
    filters = form.filters()
    try:
        found = indicators.deflections_behind(filters, by or None, key if by else None)
    except indicators.FilterError:  # a row the breakdown cannot have: nothing behind it
        found = Deflection.objects.none()
    found = found.select_related("article", "user")
    result = indicators.compute(request.user, "deflections", filters, by or None)
    cell = result.total if not by else next((c for c in result.rows if c.key == key), None)
    page = Paginator(found, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context.update(
        page=page,
        deflections=True,
        cell=cell,
        cell_value=presenting.shown(cell.value, "count") if cell else "",
        by_label=dimension_label(by) if by in indicators.DIMENSIONS else "",
        query=query.urlencode(),
        back=form.query(),
    )
    return render(request, "reports/tickets.html", context)
