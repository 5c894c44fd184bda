"""Reports over REST, under /api/v1/reports/ (docs/reports.md has the definitions).

Only for whoever may read reports (reports/access.py); anyone else gets a 404, as for
anything they may not see. Figures count only the tickets the caller may see. Filters that
cannot be read are a 422 naming the query parameter.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from django.http import Http404
from ninja import Field, Query, Router
from ninja.errors import ValidationError

from tuki.lib.bounds import Id, Schema
from tuki.lib.http import ApiRequest
from tuki.reports import access, indicators
from tuki.reports.filters import FilterError, Filters, today
from tuki.tickets.models import KIND_PREFIX, Kind

router = Router(tags=["reports"])

DimensionCode = Literal[
    "channel",
    "kind",
    "category",
    "service",
    "organisation",
    "agreement",
    "group",
    "priority",
    "agent",
    "day",
    "week",
    "month",
]
# A choice, multi-choice or checkbox custom field: "custom.<key>" (unknown keys: a 422 on by).
CustomDimension = Annotated[str, Field(pattern=r"^custom\.[a-z][a-z0-9_]{0,49}$")]
KindCode = Literal["incident", "request", "problem", "change", "release"]
ChannelCode = Literal["phone", "email", "web", "chat", "api"]
PAGE = 100


class IndicatorOut(Schema):
    code: str
    label: str
    unit: str
    higher_is_better: bool
    description: str


class DimensionOut(Schema):
    code: str
    label: str
    is_time: bool


class CatalogueOut(Schema):
    indicators: list[IndicatorOut]
    dimensions: list[DimensionOut]


class CellOut(Schema):
    key: str
    label: str
    value: float | None
    count: int
    previous: float | None = None
    target: float | None = None


class ResultOut(Schema):
    indicator: IndicatorOut
    filters: dict[str, str]
    by: str | None
    total: CellOut
    rows: list[CellOut]


class TicketRef(Schema):
    id: int
    number: str


class TicketsOut(Schema):
    items: list[TicketRef]
    next_cursor: int | None


class ReportFilters(Schema):
    start: date | None = Field(None, description="First day (YYYY-MM-DD); default 30 days ago.")
    end: date | None = Field(None, description="Last day, included; default today.")
    organisations: list[Id] = Field(default_factory=list)
    agreements: list[Id] = Field(default_factory=list)
    groups: list[Id] = Field(
        default_factory=list, description="The group the ticket is (or ended) assigned to."
    )
    kinds: list[KindCode] = Field(default_factory=list)
    priorities: list[Literal[1, 2, 3, 4, 5]] = Field(default_factory=list)
    services: list[Id] = Field(default_factory=list)
    channels: list[ChannelCode] = Field(default_factory=list)
    by: DimensionCode | CustomDimension | None = Field(
        None, description="Break the figure down by this (custom.<key>: a custom field)."
    )


class IndicatorQuery(ReportFilters):
    compare: bool = Field(False, description="Add the previous period of the same length.")
    clock: Literal["business", "calendar"] = "business"
    statistic: Literal["median", "p90", "mean"] = "median"


class TicketsQuery(ReportFilters):
    key: str | None = Field(None, max_length=40, description="The row's key; empty: the total.")
    cursor: Id | None = Field(None, description="next_cursor of the previous page.")
    limit: int = Field(PAGE, ge=1, le=500)


def _viewer(request: ApiRequest) -> Any:
    user = request.auth
    if not access.may_view_reports(user):
        raise Http404
    return user


def _filters(query: ReportFilters) -> Filters:
    end = query.end or today()
    values = {
        "start": query.start.isoformat() if query.start else "",
        "end": end.isoformat(),
        "organisations": query.organisations,
        "agreements": query.agreements,
        "groups": query.groups,
        "kinds": query.kinds,
        "priorities": query.priorities,
        "services": query.services,
        "channels": query.channels,
    }
    try:
        return Filters.from_query({k: v for k, v in values.items() if v})
    except FilterError as error:
        raise _refused(error) from None


def _refused(error: FilterError) -> ValidationError:
    return ValidationError(
        [{"loc": ["query", error.field], "msg": error.message, "type": "value_error"}]
    )


def _code(code: str) -> str:
    if code not in indicators.INDICATORS:
        raise Http404
    return code


def _indicator(indicator: indicators.Indicator) -> dict[str, Any]:
    return {
        "code": indicator.code,
        "label": str(indicator.label),
        "unit": indicator.unit,
        "higher_is_better": indicator.higher_is_better,
        "description": str(indicator.description),
    }


@router.get("/indicators", response=CatalogueOut, summary="Indicators and breakdowns")
def list_indicators(request: ApiRequest) -> dict[str, Any]:
    _viewer(request)
    return {
        "indicators": [_indicator(i) for i in indicators.INDICATORS.values()],
        "dimensions": [
            {"code": d.code, "label": str(d.label), "is_time": d.is_time}
            for d in indicators.dimensions().values()
        ],
    }


@router.get("/indicators/{code}", response=ResultOut, summary="One indicator")
def get_indicator(request: ApiRequest, code: str, query: Query[IndicatorQuery]) -> dict[str, Any]:
    viewer = _viewer(request)
    filters = _filters(query)
    try:
        result = indicators.compute(
            viewer,
            _code(code),
            filters,
            query.by,
            compare=query.compare,
            clock=query.clock,
            statistic=query.statistic,
        )
    except FilterError as error:
        raise _refused(error) from None
    return {
        "indicator": _indicator(result.indicator),
        "filters": filters.to_query(),
        "by": result.by,
        "total": vars(result.total),
        "rows": [vars(row) for row in result.rows],
    }


@router.get(
    "/indicators/{code}/tickets",
    response=TicketsOut,
    summary="The tickets behind a figure",
)
def tickets_behind(request: ApiRequest, code: str, query: Query[TicketsQuery]) -> dict[str, Any]:
    """The tickets one cell counts (the total without `key`), newest first, a page at a
    time (`cursor`)."""
    viewer = _viewer(request)
    filters = _filters(query)
    try:
        qs = indicators.tickets_behind(viewer, _code(code), filters, query.by, query.key)
    except FilterError as error:
        raise _refused(error) from None
    if query.cursor:
        qs = qs.filter(pk__lt=query.cursor)
    rows = list(qs.values_list("pk", "kind")[: query.limit + 1])
    more = len(rows) > query.limit
    rows = rows[: query.limit]
    items = [{"id": pk, "number": f"{KIND_PREFIX[Kind(kind)]}-{pk}"} for pk, kind in rows]
    return {"items": items, "next_cursor": rows[-1][0] if more else None}
