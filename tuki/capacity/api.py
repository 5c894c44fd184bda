"""Capacity over REST: metrics in (`POST /api/v1/metrics`), an item's capacity out
(`GET /api/v1/cmdb/items/{id}/capacity`). docs/operations.md, "Capacity management".
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from django.http import Http404
from ninja import Body, Field, Router

from tuki.capacity import access, presenting, services
from tuki.lib.bounds import Id, Schema
from tuki.lib.http import ApiRequest

router = Router(tags=["capacity"])


class ItemRef(Schema):
    """An item named by one of its identifiers (as discovery tools know it)."""

    hostname: str | None = Field(None, max_length=255)
    serial_number: str | None = Field(None, max_length=100)
    asset_tag: str | None = Field(None, max_length=100)


class SampleIn(Schema):
    ci: Id | ItemRef = Field(description="The item's id, or one of its identifiers")
    metric: str = Field(max_length=60, examples=["disk_used_pct"])
    value: Annotated[float, Field(strict=True)]
    unit: str = Field("", max_length=20, examples=["%"])
    at: datetime | None = Field(
        None, description="When measured (with its offset); now if left out"
    )


class ChangeOut(Schema):
    ci: int
    metric: str
    old: str
    new: str
    ticket: str | None


class BatchOut(Schema):
    accepted: int
    changes: list[ChangeOut] = Field(description="Series whose state the batch moved")


class ErrorOut(Schema):
    detail: list[dict[str, Any]]


class CrossingOut(Schema):
    earliest_days: float | None
    likely_days: float | None
    latest_days: float | None


class ThresholdOut(Schema):
    id: int
    scope: str = Field(description="item: the item's own; class: its class's")
    warning: float
    critical: float | None
    direction: str
    hysteresis: float


class ForecastOut(Schema):
    slope_per_day: float | None
    low_slope_per_day: float | None
    high_slope_per_day: float | None
    days_fitted: int
    warning: CrossingOut | None
    critical: CrossingOut | None


class MetricOut(Schema):
    metric: str
    unit: str
    last_value: float | None
    last_at: datetime | None
    state: str
    ticket: str | None
    threshold: ThresholdOut | None
    forecast: ForecastOut


def _crossing(days: presenting.Days | None) -> dict[str, Any] | None:
    if days is None:
        return None
    return {"earliest_days": days[0], "likely_days": days[1], "latest_days": days[2]}


def _metric(view: presenting.MetricView) -> dict[str, Any]:
    s, t, trend = view.series, view.threshold, view.trend
    return {
        "metric": s.metric,
        "unit": s.unit,
        "last_value": s.last_value,
        "last_at": s.last_at,
        "state": s.state,
        "ticket": view.ticket.number if view.ticket else None,
        "threshold": None
        if t is None
        else {
            "id": t.pk,
            "scope": view.scope,
            "warning": t.warning,
            "critical": t.critical,
            "direction": t.direction,
            "hysteresis": t.margin,
        },
        "forecast": {
            "slope_per_day": trend.slope if trend else None,
            "low_slope_per_day": trend.low_slope if trend else None,
            "high_slope_per_day": trend.high_slope if trend else None,
            "days_fitted": len(trend.points) if trend else 0,
            "warning": _crossing(view.warning),
            "critical": _crossing(view.critical),
        },
    }


@router.post(
    "/metrics",
    response={200: BatchOut, 422: ErrorOut},
    summary="Send metric samples",
)
def post_metrics(
    request: ApiRequest,
    payload: list[SampleIn] = Body(...),  # noqa: B008  # ninja's way to take a list body
) -> Any:
    """Up to 5,000 samples. All or nothing: a refused sample is a 422 naming it by index
    (`loc`: `["body", index, field]`) and nothing is stored. Staff send for every item,
    members of an item's support group for that item. Each breach opens one ticket."""
    if not access.may_send(request.user):
        raise Http404("No metrics here")
    samples = [
        services.SampleIn(
            ci=s.ci if isinstance(s.ci, int) else s.ci.model_dump(),
            metric=s.metric,
            value=s.value,
            unit=s.unit,
            at=s.at,
        )
        for s in payload
    ]
    try:
        result = services.record_samples(request.user, samples)
    except services.BatchRefused as refused:
        detail = [
            {"loc": ["body", index, name], "msg": str(error.message), "type": error.code}
            for index, name, error in refused.errors[:200]
        ]
        return 422, {"detail": detail}
    return 200, {
        "accepted": result.accepted,
        "changes": [
            {
                "ci": c.ci_id,
                "metric": c.metric,
                "old": c.old,
                "new": c.new,
                "ticket": c.ticket.number if c.ticket else None,
            }
            for c in result.changes
        ],
    }


@router.get(
    "/cmdb/items/{id}/capacity",
    response=list[MetricOut],
    summary="An item's capacity: per metric the last value, threshold, state and forecast",
)
def item_capacity(request: ApiRequest, id: Id) -> Any:
    """Days until each level are counted from now: `likely` on the trend, `earliest` and
    `latest` on its 95 % band; null when the trend goes away from the level."""
    ci = access.get_item_for_user(request.user, id)
    return [_metric(view) for view in presenting.metrics_of(request.user, ci)]
