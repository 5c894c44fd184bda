"""Every write of capacity management: samples in, breaches evaluated, thresholds set,
forecasts refreshed, old samples dropped (docs/operations.md, "Capacity management").

A batch of samples is one transaction: the samples, each series' last value and state, and
the tickets its breaches open or change (through the ticket services) commit together, so a
stored sample is never left unevaluated.
"""

from __future__ import annotations

import logging
import math
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from tuki.accounts.models import SupportGroup, User
from tuki.capacity import access, evaluation
from tuki.capacity.forecast import fit
from tuki.capacity.models import Direction, Sample, Series, State, Threshold
from tuki.cmdb import services as cmdb_services
from tuki.cmdb.models import CIClass, ConfigurationItem, Lifecycle
from tuki.lib.errors import ServiceError
from tuki.tickets.models import Category

if TYPE_CHECKING:
    from tuki.capacity.forecast import Trend

log = logging.getLogger(__name__)

MAX_BATCH = 5000
METRIC_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.:/-]{0,59}")
IDENTIFIERS = ("hostname", "serial_number", "asset_tag")
FUTURE_SLACK = timedelta(minutes=10)  # clocks of the sending hosts drift
FORECAST_DAYS = 30
FORECAST_EVERY = timedelta(hours=1)


# --- samples in ------------------------------------------------------------------------------


@dataclass(frozen=True)
class SampleIn:
    ci: int | Mapping[str, Any]
    metric: str
    value: float
    unit: str = ""
    at: datetime | None = None


@dataclass
class BatchRefused(Exception):
    """Some samples of a batch are refused: nothing is stored. `errors`: (index, field, error)."""

    errors: list[tuple[int, str, ServiceError]] = field(default_factory=list)


@dataclass
class BatchResult:
    accepted: int
    changes: list[evaluation.Change]


def _ref_key(ref: int | Mapping[str, Any]) -> tuple[str, Any] | ServiceError:
    if isinstance(ref, int) and not isinstance(ref, bool):
        return ("pk", ref)
    if isinstance(ref, Mapping):
        given = {k: v for k, v in ref.items() if v not in (None, "")}
        if len(given) != 1 or next(iter(given)) not in IDENTIFIERS:
            return ServiceError(
                _("Name the item by its id, or by one of hostname, serial_number, asset_tag."),
                code="invalid_reference",
            )
        key, value = next(iter(given.items()))
        if not isinstance(value, str):
            return ServiceError(_("Enter a text."), code="invalid_reference")
        value = value.strip()
        if key == "hostname":
            value = value.lower().rstrip(".")
        return (key, value)
    return ServiceError(_("Name the item by its id."), code="invalid_reference")


def _resolve_items(
    user: User, keys: set[tuple[str, Any]]
) -> dict[tuple[str, Any], ConfigurationItem]:
    """The items the keys name, among those `user` may read (one query)."""
    q = Q()
    by_kind: dict[str, set[Any]] = defaultdict(set)
    for kind, value in keys:
        by_kind[kind].add(value)
    for kind, values in by_kind.items():
        if kind == "pk":
            q |= Q(pk__in=values)
        else:
            q |= Q(**{f"{kind}__in": values}) & ~Q(lifecycle=Lifecycle.RETIRED)
    if not q:
        return {}
    found: dict[tuple[str, Any], ConfigurationItem] = {}
    items = access.items_visible_to(user).filter(q).select_related("owner", "support_group")
    for ci in items:
        found[("pk", ci.pk)] = ci
        for kind in IDENTIFIERS:
            value = getattr(ci, kind)
            if value and ci.lifecycle != Lifecycle.RETIRED:
                found[(kind, value)] = ci
    return found


def _check_sample(sample: SampleIn, now: datetime) -> list[tuple[str, ServiceError]]:
    errors: list[tuple[str, ServiceError]] = []
    if not METRIC_RE.fullmatch(sample.metric or ""):
        errors.append(
            (
                "metric",
                ServiceError(
                    _("Letters, digits and _ . : / - only, at most 60 characters."),
                    code="invalid_metric",
                ),
            )
        )
    if isinstance(sample.value, bool) or not math.isfinite(sample.value):
        errors.append(("value", ServiceError(_("Enter a finite number."), code="invalid_value")))
    if len(sample.unit or "") > 20:
        errors.append(("unit", ServiceError(_("At most 20 characters."), code="too_long")))
    if sample.at is not None:
        if timezone.is_naive(sample.at):
            errors.append(
                ("at", ServiceError(_("Give the instant with its UTC offset."), code="naive"))
            )
        elif sample.at > now + FUTURE_SLACK:
            errors.append(("at", ServiceError(_("This instant is in the future."), code="future")))
        elif sample.at < now - timedelta(days=retention_days()):
            errors.append(("at", ServiceError(_("Older than the samples kept."), code="too_old")))
    return errors


def record_samples(actor: User, samples: Sequence[SampleIn]) -> BatchResult:
    """Store a batch of samples and evaluate the thresholds of the series they touch.

    All or nothing: a batch with a refused sample raises `BatchRefused` naming every refused
    sample by index, and stores none. Staff send for any item they read; others for the
    items of their support groups.
    """
    if not access.may_send(actor):
        raise PermissionDenied
    if len(samples) > MAX_BATCH:
        raise ServiceError(
            _("At most %(max)d samples in one request.") % {"max": MAX_BATCH},
            code="too_many",
        )
    now = timezone.now()
    refused = BatchRefused()
    keys: list[tuple[str, Any] | None] = []
    for index, sample in enumerate(samples):
        ref = _ref_key(sample.ci)
        if isinstance(ref, ServiceError):
            refused.errors.append((index, "ci", ref))
            keys.append(None)
        else:
            keys.append(ref)
        refused.errors.extend((index, name, error) for name, error in _check_sample(sample, now))
    items = _resolve_items(actor, {k for k in keys if k is not None})
    resolved: list[ConfigurationItem | None] = []
    for index, key in enumerate(keys):
        ci = items.get(key) if key is not None else None
        resolved.append(ci)
        if key is None:
            continue
        if ci is None:
            error = ServiceError(_("No such configuration item."), code="not_found")
            refused.errors.append((index, "ci", error))
        elif not access.may_send_for(actor, ci):
            error = ServiceError(
                _("Only its support group and administrators send this item's metrics."),
                code="forbidden",
            )
            refused.errors.append((index, "ci", error))
    if refused.errors:
        refused.errors.sort(key=lambda e: e[0])
        raise refused
    rows = [
        (ci, s.metric, float(s.value), (s.unit or "").strip(), s.at or now)
        for ci, s in zip(resolved, samples, strict=True)
        if ci is not None
    ]
    with transaction.atomic():
        series = _series_for(rows)
        Sample.objects.bulk_create(
            [
                Sample(series=series[(ci.pk, metric)], at=at, value=value)
                for ci, metric, value, _unit, at in rows
            ],
            batch_size=1000,
        )
        changes = _advance(series, rows, {ci.pk: ci for ci, *_rest in rows})
    return BatchResult(accepted=len(rows), changes=changes)


def _series_for(
    rows: Sequence[tuple[ConfigurationItem, str, float, str, datetime]],
) -> dict[tuple[int, str], Series]:
    """The series of the rows' (item, metric) pairs, made where missing, locked in pk order."""
    units: dict[tuple[int, str], str] = {}
    for ci, metric, _value, unit, _at in rows:
        if unit or (ci.pk, metric) not in units:
            units[(ci.pk, metric)] = unit
    Series.objects.bulk_create(
        [Series(ci_id=pk, metric=metric, unit=unit) for (pk, metric), unit in units.items()],
        ignore_conflicts=True,
    )
    ci_ids = {pk for pk, _m in units}
    metrics = {m for _pk, m in units}
    found = {
        (s.ci_id, s.metric): s
        for s in Series.objects.select_for_update(of=("self",))
        .filter(ci_id__in=ci_ids, metric__in=metrics)
        .select_related("ticket")
        .order_by("pk")
        if (s.ci_id, s.metric) in units
    }
    changed_unit = [s for key, s in found.items() if units[key] and s.unit != units[key]]
    for s in changed_unit:
        s.unit = units[(s.ci_id, s.metric)]
    if changed_unit:
        Series.objects.bulk_update(changed_unit, ["unit"])
    return found


def _advance(
    series: Mapping[tuple[int, str], Series],
    rows: Sequence[tuple[ConfigurationItem, str, float, str, datetime]],
    items: Mapping[int, ConfigurationItem],
) -> list[evaluation.Change]:
    """Each series' newer samples, in time order, move its state (and its ticket)."""
    newer: dict[tuple[int, str], list[tuple[datetime, float]]] = defaultdict(list)
    for ci, metric, value, _unit, at in rows:
        s = series[(ci.pk, metric)]
        if s.last_at is None or at > s.last_at:
            newer[(ci.pk, metric)].append((at, value))
    if not newer:
        return []
    touched = [series[key] for key in newer]
    thresholds = effective_thresholds(touched, items)
    resting = cmdb_services.in_maintenance({s.ci_id for s in touched})
    changes: list[evaluation.Change] = []
    with evaluation.system_acting():
        for key, values in newer.items():
            s = series[key]
            values.sort(key=lambda p: p[0])
            threshold = thresholds.get(s.pk)
            if s.threshold_id != (threshold.pk if threshold else None):
                s.forecast_at = None  # another threshold: forecast again
            s.threshold = threshold
            for at, value in values:
                change = evaluation.step(
                    s, items[s.ci_id], threshold, value, at, quiet=s.ci_id in resting
                )
                if change is not None:
                    changes.append(change)
            s.last_at, s.last_value = values[-1]
    Series.objects.bulk_update(
        touched,
        ["last_at", "last_value", "threshold", "state", "state_since", "ticket", "forecast_at"],
    )
    return changes


def effective_thresholds(
    series: Sequence[Series], items: Mapping[int, ConfigurationItem]
) -> dict[int, Threshold | None]:
    """Each series' active threshold: its item's own, else its class's nearest (two queries)."""
    if not series:
        return {}
    parents = dict(CIClass.objects.values_list("pk", "parent_id"))

    def lineage(class_id: int) -> list[int]:
        chain: list[int] = []
        current: int | None = class_id
        while current is not None and current not in chain:
            chain.append(current)
            current = parents.get(current)
        return chain

    lineages = {ci.pk: lineage(ci.ci_class_id) for ci in items.values()}
    class_ids = {c for chain in lineages.values() for c in chain}
    metrics = {s.metric for s in series}
    found = Threshold.objects.filter(is_active=True, metric__in=metrics).filter(
        Q(ci_id__in=[s.ci_id for s in series]) | Q(ci_class_id__in=class_ids)
    )
    own: dict[tuple[int, str], Threshold] = {}
    by_class: dict[tuple[int, str], Threshold] = {}
    for t in found.select_related("group", "category", "ci_class"):
        if t.ci_id is not None:
            own[(t.ci_id, t.metric)] = t
        elif t.ci_class_id is not None:
            by_class[(t.ci_class_id, t.metric)] = t
    result: dict[int, Threshold | None] = {}
    for s in series:
        chosen = own.get((s.ci_id, s.metric))
        for class_id in lineages.get(s.ci_id, []):
            if chosen is not None:
                break
            chosen = by_class.get((class_id, s.metric))
        result[s.pk] = chosen
    return result


# --- thresholds ------------------------------------------------------------------------------


THRESHOLD_FIELDS = (
    "metric",
    "warning",
    "critical",
    "direction",
    "hysteresis",
    "group",
    "category",
    "is_active",
)


def _check_threshold(values: Mapping[str, Any]) -> None:
    metric = values.get("metric") or ""
    if not METRIC_RE.fullmatch(metric):
        raise ServiceError(
            _("Letters, digits and _ . : / - only, at most 60 characters."),
            field="metric",
            code="invalid_metric",
        )
    for name in ("warning", "critical", "hysteresis"):
        value = values.get(name)
        if value is None and name != "warning":
            continue
        if (
            not isinstance(value, int | float)
            or isinstance(value, bool)
            or not math.isfinite(value)
        ):
            raise ServiceError(_("Enter a finite number."), field=name, code="invalid")
    if values.get("direction") not in Direction.values:
        raise ServiceError(_("Choose above or below."), field="direction", code="invalid")
    critical, warning = values.get("critical"), values["warning"]
    if critical is not None:
        beyond = (
            critical >= warning if values["direction"] == Direction.ABOVE else critical <= warning
        )
        if not beyond:
            raise ServiceError(
                _("The critical level must be at or beyond the warning level."),
                field="critical",
                code="before_warning",
            )
    if (values.get("hysteresis") or 0) < 0:
        raise ServiceError(_("Enter 0 or more."), field="hysteresis", code="negative")
    group = values.get("group")
    if group is not None and not isinstance(group, SupportGroup):
        raise ServiceError(_("Choose a support group."), field="group")
    category = values.get("category")
    if category is not None and not isinstance(category, Category):
        raise ServiceError(_("Choose a category."), field="category")


def _save_threshold(threshold: Threshold) -> Threshold:
    clash = Threshold.objects.exclude(pk=threshold.pk).filter(metric=threshold.metric)
    clash = (
        clash.filter(ci=threshold.ci)
        if threshold.ci_id
        else clash.filter(ci_class=threshold.ci_class)
    )
    if clash.exists():
        raise ServiceError(
            _("This metric has a threshold there already; edit that one."),
            field="metric",
            code="duplicate",
        )
    with transaction.atomic():
        threshold.save()
        # Their forecasts name the levels: compute them again (the periodic job).
        Series.objects.filter(metric=threshold.metric).update(forecast_at=None)
    return threshold


def create_threshold(
    actor: User,
    *,
    ci: ConfigurationItem | None = None,
    ci_class: CIClass | None = None,
    **values: Any,
) -> Threshold:
    """A threshold for one item, or for every item of a class (staff only)."""
    if not access.is_admin(actor):
        raise PermissionDenied
    if (ci is None) == (ci_class is None):
        raise ServiceError(_("Choose an item or a class, not both."), field="ci", code="target")
    values = {"direction": Direction.ABOVE, "is_active": True, **values}
    unknown = set(values) - set(THRESHOLD_FIELDS)
    if unknown:
        raise ServiceError(_("Unknown field."), field=sorted(unknown)[0], code="unknown_field")
    _check_threshold(values)
    threshold = Threshold(ci=ci, ci_class=ci_class, created_by=actor, **values)
    return _save_threshold(threshold)


def update_threshold(actor: User, threshold: Threshold, **values: Any) -> Threshold:
    if not access.is_admin(actor):
        raise PermissionDenied
    unknown = set(values) - set(THRESHOLD_FIELDS)
    if unknown:
        raise ServiceError(_("Unknown field."), field=sorted(unknown)[0], code="unknown_field")
    merged = {name: getattr(threshold, name) for name in THRESHOLD_FIELDS} | values
    _check_threshold(merged)
    old_metric = threshold.metric
    for name, value in values.items():
        setattr(threshold, name, value)
    saved = _save_threshold(threshold)
    if old_metric != saved.metric:
        Series.objects.filter(metric=old_metric).update(forecast_at=None)
    return saved


def delete_threshold(actor: User, threshold: Threshold) -> None:
    if not access.is_admin(actor):
        raise PermissionDenied
    with transaction.atomic():
        Series.objects.filter(metric=threshold.metric).update(forecast_at=None)
        threshold.delete()


# --- forecasts -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Outlook:
    """A series' trend and when it reaches each level (days from now: earliest, likely, latest)."""

    trend: Trend | None
    warning: tuple[float | None, float | None, float | None] | None
    critical: tuple[float | None, float | None, float | None] | None


def outlook(
    threshold: Threshold | None, samples: Iterable[tuple[datetime, float]], now: datetime
) -> tuple[Trend | None, dict[str, Any]]:
    """The trend of the samples and the crossings of the threshold's levels (instants)."""
    trend = fit(samples, now=now, days=FORECAST_DAYS)
    crossings: dict[str, Any] = {}
    if trend is not None and threshold is not None:
        crossings["warning"] = trend.crossing(threshold.warning, threshold.direction, now)
        if threshold.critical is not None:
            crossings["critical"] = trend.crossing(threshold.critical, threshold.direction, now)
    return trend, crossings


def _store_forecast(
    s: Series, trend: Trend | None, crossings: Mapping[str, Any], now: datetime
) -> None:
    s.forecast_at = now
    s.slope_per_day = trend.slope if trend is not None else None
    for level in ("warning", "critical"):
        c = crossings.get(level)
        setattr(s, f"{level}_earliest", c.earliest if c else None)
        setattr(s, f"{level}_likely", c.likely if c else None)
        setattr(s, f"{level}_latest", c.latest if c else None)
    if s.state == State.OK:
        s.next_breach_at = s.warning_likely
    elif s.state == State.WARNING:
        s.next_breach_at = s.critical_likely
    else:
        s.next_breach_at = None


FORECAST_COLUMNS = [
    "forecast_at",
    "slope_per_day",
    "threshold",
    "warning_earliest",
    "warning_likely",
    "warning_latest",
    "critical_earliest",
    "critical_likely",
    "critical_latest",
    "next_breach_at",
]


def refresh_forecasts(limit: int = 200, now: datetime | None = None) -> int:
    """Forecast again the series whose forecast is missing, or older than an hour and than
    their last sample (the periodic job `capacity.refresh_forecasts`). Returns how many."""
    now = now or timezone.now()
    stale = (
        Series.objects.filter(
            Q(forecast_at__isnull=True)
            | (Q(forecast_at__lt=F("last_at")) & Q(forecast_at__lt=now - FORECAST_EVERY))
        )
        .filter(last_at__isnull=False)
        .select_related("ci")
        .order_by(F("forecast_at").asc(nulls_first=True), "pk")[:limit]
    )
    series = list(stale)
    if not series:
        return 0
    thresholds = effective_thresholds(series, {s.ci_id: s.ci for s in series})
    start = now - timedelta(days=FORECAST_DAYS)
    values: dict[int, list[tuple[datetime, float]]] = defaultdict(list)
    for series_id, at, value in (
        Sample.objects.filter(series__in=series, at__gte=start, at__lte=now)
        .order_by()
        .values_list("series_id", "at", "value")
    ):
        values[series_id].append((at, value))
    for s in series:
        s.threshold = thresholds.get(s.pk)
        trend, crossings = outlook(s.threshold, values[s.pk], now)
        _store_forecast(s, trend, crossings, now)
    Series.objects.bulk_update(series, FORECAST_COLUMNS)
    return len(series)


# --- retention -------------------------------------------------------------------------------


def retention_days() -> int:
    return max(1, int(getattr(settings, "CAPACITY_RETENTION_DAYS", 400)))


def purge_old_samples(
    *, batch: int = 5000, max_batches: int = 20, now: datetime | None = None
) -> int:
    """Delete samples older than TUKI_CAPACITY_RETENTION_DAYS, `batch` rows per statement
    so that no one delete holds locks for long; at most `max_batches` per run (the periodic
    job `capacity.purge_old_samples` comes back for the rest). Returns how many."""
    cutoff = (now or timezone.now()) - timedelta(days=retention_days())
    deleted = 0
    for _round in range(max_batches):
        ids = list(
            Sample.objects.filter(at__lt=cutoff).order_by("at").values_list("pk", flat=True)[:batch]
        )
        if not ids:
            break
        deleted += Sample.objects.filter(pk__in=ids).delete()[0]
        if len(ids) < batch:
            break
    return deleted
