"""Availability over REST, under /api/v1/availability: agents and administrators (anyone
else a 404).

- `GET ?service=&organisation=&start=&end=`: the figures per service for the period (dates,
  the last one included; this month by default). With `organisation`, that client's
  agreement: its services, calendar and targets.
- `POST /outages`: declare an outage (staff, or the service's support group); `POST
  /outages/{id}/end` ends one.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router

from tuki.accounts.models import Organisation
from tuki.availability import access, compute, periods, services
from tuki.availability.models import Impact, Outage
from tuki.cmdb.access import get_item_for_user
from tuki.cmdb.models import ConfigurationItem
from tuki.lib.bounds import Id, Schema
from tuki.lib.errors import ServiceError
from tuki.lib.http import ApiRequest
from tuki.sla.models import Service

router = Router(tags=["availability"])


class AvailabilityQuery(Schema):
    service: Id | None = None
    organisation: Id | None = None
    start: date | None = None
    end: date | None = None


class FiguresOut(Schema):
    service: int
    name: str
    calendar: str = Field(description="The service hours counted; empty: around the clock")
    business_minutes: float
    planned_minutes: float
    agreed_service_minutes: float = Field(description="AST: service hours − planned outages")
    downtime_minutes: float
    availability: float | None = Field(description="Percent of AST; null when AST is 0")
    target: Decimal | None
    met: bool | None
    mtrs_minutes: float | None
    mtbf_minutes: float | None
    outages: int
    planned_outages: int


class ReportOut(Schema):
    start: date
    end: date
    organisation: int | None
    services: list[FiguresOut]


class OutageIn(Schema):
    service: Id | None = None
    ci: Id | None = None
    starts_at: datetime
    ends_at: datetime | None = None
    planned: bool = False
    impact: Impact = Impact.FULL
    degradation: int | None = Field(None, ge=1, le=99)
    title: str = Field(max_length=200)
    notice: str = Field("", max_length=5000)


class OutageOut(Schema):
    id: int
    service: int | None
    ci: int | None
    starts_at: datetime
    ends_at: datetime | None
    planned: bool
    impact: str
    degradation: int | None
    source: str
    title: str
    notice: str


def _reader(request: ApiRequest) -> Any:
    if not access.may_read(request.user):
        raise Http404("No availability here")
    return request.user


def _outage(o: Outage) -> dict[str, Any]:
    return {
        "id": o.pk,
        "service": o.service_id,
        "ci": o.ci_id,
        "starts_at": o.starts_at,
        "ends_at": o.ends_at,
        "planned": o.planned,
        "impact": o.impact,
        "degradation": o.degradation,
        "source": o.source,
        "title": o.title,
        "notice": o.notice,
    }


def _line(line: compute.ServiceReport) -> dict[str, Any]:
    f = line.figures
    return {
        "service": line.service.pk,
        "name": line.service.name,
        "calendar": line.calendar_name,
        "business_minutes": f.business_minutes,
        "planned_minutes": f.planned_minutes,
        "agreed_service_minutes": f.ast_minutes,
        "downtime_minutes": f.downtime_minutes,
        "availability": f.availability,
        "target": line.target,
        "met": line.met,
        "mtrs_minutes": f.mtrs_minutes,
        "mtbf_minutes": f.mtbf_minutes,
        "outages": f.outages,
        "planned_outages": f.planned_outages,
    }


@router.get("", response=ReportOut, summary="Availability per service for a period")
def availability(request: ApiRequest, filters: Query[AvailabilityQuery]) -> dict[str, Any]:
    user = _reader(request)
    if (filters.start is None) != (filters.end is None):
        missing = "end" if filters.end is None else "start"
        raise ServiceError(_("Give both start and end, or neither."), field=missing)
    if filters.start and filters.end:
        period = periods.from_dates(filters.start, filters.end)
    else:
        period = periods.named(periods.THIS_MONTH)
    wanted = access.services_for_report(user)
    if filters.service is not None:
        wanted = wanted.filter(pk=filters.service)
        if not wanted.exists():
            raise ServiceError(_("No such service."), field="service", code="not_found")
    if (
        filters.organisation is not None
        and not Organisation.objects.filter(pk=filters.organisation).exists()
    ):
        raise ServiceError(_("No such organisation."), field="organisation", code="not_found")
    lines = compute.report(
        list(wanted), period.start, period.end, organisation_id=filters.organisation
    )
    return {
        "start": period.first,
        "end": period.last,
        "organisation": filters.organisation,
        "services": [_line(line) for line in lines],
    }


@router.post("/outages", response={201: OutageOut}, summary="Declare an outage")
def declare_outage(request: ApiRequest, payload: OutageIn) -> tuple[int, dict[str, Any]]:
    user = _reader(request)
    service = ci = None
    if payload.service is not None:
        service = Service.objects.filter(pk=payload.service).first()
        if service is None:
            raise ServiceError(_("No such service."), field="service", code="not_found")
    if payload.ci is not None:
        try:
            ci = get_item_for_user(user, payload.ci)
        except (Http404, ConfigurationItem.DoesNotExist):
            raise ServiceError(_("No such item."), field="ci", code="not_found") from None
    outage = services.declare_outage(
        user,
        service=service,
        ci=ci,
        starts_at=payload.starts_at,
        ends_at=payload.ends_at,
        planned=payload.planned,
        impact=payload.impact,
        degradation=payload.degradation,
        title=payload.title,
        notice=payload.notice,
    )
    return 201, _outage(outage)


@router.post("/outages/{id}/end", response=OutageOut, summary="End an ongoing outage")
def end_outage(request: ApiRequest, id: Id) -> dict[str, Any]:
    user = _reader(request)
    outage = access.get_outage_for_user(user, id)
    if not access.may_declare(user, outage.service, outage.ci):
        raise Http404("No such outage")
    return _outage(services.end_outage(user, outage))
