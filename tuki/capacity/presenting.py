"""What the CI page's panel, the API and the report show of an item's metrics: the last value,
state, threshold, live forecast and the chart's numbers. A fixed number of queries per item.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.utils import timezone
from django.utils.translation import gettext as _, ngettext

from tuki.capacity import access, services
from tuki.capacity.models import Sample, Series, State, Threshold
from tuki.tickets.models import Ticket

if TYPE_CHECKING:
    from tuki.accounts.models import User
    from tuki.capacity.forecast import Trend
    from tuki.cmdb.models import ConfigurationItem

CHART_AHEAD_DAYS = 14
Days = tuple[float | None, float | None, float | None]


@dataclass
class MetricView:
    series: Series
    threshold: Threshold | None
    trend: Trend | None
    warning: Days | None  # days from now: earliest, likely, latest
    critical: Days | None
    ticket: Ticket | None  # the breach's ticket, when the reader may see it
    chart: dict[str, Any]

    @property
    def chart_id(self) -> str:
        return f"capacity-chart-{self.series.pk}"

    @property
    def state_class(self) -> str:
        return STATE_CLASSES.get(State(self.series.state), "secondary")

    @property
    def warning_text(self) -> str:
        return describe(self.warning)

    @property
    def critical_text(self) -> str:
        return describe(self.critical)

    @property
    def scope(self) -> str:
        if self.threshold is None:
            return ""
        return "item" if self.threshold.ci_id else "class"


def _days(crossing: Any, now: datetime) -> Days | None:
    return None if crossing is None else crossing.days(now)


def metrics_of(user: User, ci: ConfigurationItem, now: datetime | None = None) -> list[MetricView]:
    """The item's metrics, by name (five queries whatever their number)."""
    now = now or timezone.now()
    series = list(Series.objects.filter(ci=ci).order_by("metric"))
    if not series:
        return []
    thresholds = services.effective_thresholds(series, {ci.pk: ci})
    start = now - timedelta(days=services.FORECAST_DAYS)
    values: dict[int, list[tuple[datetime, float]]] = defaultdict(list)
    for series_id, at, value in (
        Sample.objects.filter(series__in=series, at__gte=start, at__lte=now)
        .order_by()
        .values_list("series_id", "at", "value")
    ):
        values[series_id].append((at, value))
    ticket_ids = [s.ticket_id for s in series if s.ticket_id]
    tickets = (
        {t.pk: t for t in Ticket.objects.visible_to(user).filter(pk__in=ticket_ids)}
        if ticket_ids
        else {}
    )
    views = []
    for s in series:
        threshold = thresholds.get(s.pk)
        trend, crossings = services.outlook(threshold, values[s.pk], now)
        views.append(
            MetricView(
                series=s,
                threshold=threshold,
                trend=trend,
                warning=_days(crossings.get("warning"), now),
                critical=_days(crossings.get("critical"), now),
                ticket=tickets.get(s.ticket_id) if s.ticket_id else None,
                chart=chart(s, threshold, trend, now),
            )
        )
    return views


def chart(
    s: Series, threshold: Threshold | None, trend: Trend | None, now: datetime
) -> dict[str, Any]:
    """The numbers of the panel's chart (static/tuki/capacity.js): the daily medians of the
    last 30 days, the trend line and its band two weeks ahead, the levels."""
    today = now.date()
    first = today - timedelta(days=services.FORECAST_DAYS)
    days = [first + timedelta(days=i) for i in range(services.FORECAST_DAYS + CHART_AHEAD_DAYS + 1)]
    medians: dict[date, float] = dict(trend.points) if trend is not None else {}
    data: dict[str, Any] = {
        "labels": [d.isoformat() for d in days],
        "unit": s.unit,
        "values": [_round(medians.get(d)) for d in days],
        "labels_text": {
            "values": _("Daily median"),
            "trend": _("Trend"),
            "low": _("Band"),
            "high": _("Band"),
            "warning": _("Warning level"),
            "critical": _("Critical level"),
        },
    }
    if trend is not None:
        noon = [
            datetime.combine(d, datetime.min.time(), tzinfo=now.tzinfo) + timedelta(hours=12)
            for d in days
        ]
        data["trend"] = [_round(trend.value_at(t)) for t in noon]
        data["low"] = [_round(trend.value_at(t, trend.low_slope)) for t in noon]
        data["high"] = [_round(trend.value_at(t, trend.high_slope)) for t in noon]
    if threshold is not None:
        data["warning"] = threshold.warning
        data["critical"] = threshold.critical
    if not trend:
        # Too few days for a trend: the chart shows the last value alone.
        data["values"][services.FORECAST_DAYS] = _round(s.last_value)
    return data


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


STATE_CLASSES = {State.OK: "success", State.WARNING: "warning", State.CRITICAL: "danger"}


def panel_context(user: User, ci: ConfigurationItem) -> dict[str, Any] | None:
    """The CI page's capacity section (tuki/cmdb/panels.py), or None when there is nothing."""
    if not access.may_read(user):
        return None
    metrics = metrics_of(user, ci)
    if not metrics:
        return None
    return {
        "capacity_ci": ci,
        "capacity_metrics": metrics,
        "capacity_may_edit": access.is_admin(user),
    }


def _whole(days: float) -> int:
    return max(0, round(days))


def describe(days: Days | Sequence[float | None] | None) -> str:
    """ "likely 12 days (between 9 and 16)", or why there is no forecast."""
    if days is None:
        return _("no forecast")
    earliest, likely, latest = days
    if likely is None:
        if earliest is not None:
            return _("not on the trend (at the earliest in %(days)s days)") % {
                "days": _whole(earliest)
            }
        return _("not on the trend")
    if likely == 0:
        return _("reached")
    count = _whole(likely)
    values = {
        "likely": count,
        "earliest": _whole(earliest if earliest is not None else likely),
        "latest": _whole(latest) if latest is not None else None,
    }
    if latest is None:
        return (
            ngettext(
                "likely %(likely)s day (from %(earliest)s, maybe never)",
                "likely %(likely)s days (from %(earliest)s, maybe never)",
                count,
            )
            % values
        )
    return (
        ngettext(
            "likely %(likely)s day (between %(earliest)s and %(latest)s)",
            "likely %(likely)s days (between %(earliest)s and %(latest)s)",
            count,
        )
        % values
    )
