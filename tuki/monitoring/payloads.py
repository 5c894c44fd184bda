"""Reading what monitoring systems post: Prometheus Alertmanager's webhook (version 4) or
Tuki's plain JSON form, into `Incoming` alerts. Anything else is a list of field errors
(`PayloadError`), each naming where it is (`["body", "alerts", 3, "status"]`): never a crash.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from tuki.lib.bounds import MAX_INT, text_problem

MAX_ALERTS = 1000
_FINGERPRINT = re.compile(r"[A-Za-z0-9._:-]{1,64}")
# Labels that name the host an alert is about, in the order they are tried.
CI_LABELS = ("ci", "hostname", "host", "nodename", "node", "instance", "serial")
STATUSES = ("firing", "resolved")


@dataclass
class Incoming:
    name: str
    status: str
    severity: str = "warning"
    ci: int | str | None = None
    service: str = ""
    summary: str = ""
    description: str = ""
    fingerprint: str = ""
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    labels: dict[str, str] = field(default_factory=dict)
    annotations: dict[str, str] = field(default_factory=dict)
    generator_url: str = ""
    group_key: str = ""  # Alertmanager's groupKey


class PayloadError(Exception):
    def __init__(self, errors: list[dict[str, Any]]):
        super().__init__(errors)
        self.errors = errors


class _Errors:
    def __init__(self) -> None:
        self.items: list[dict[str, Any]] = []

    def add(self, loc: list[Any], message: str, code: str = "invalid") -> None:
        if len(self.items) < 50:
            self.items.append({"loc": ["body", *loc], "msg": message, "type": code})


def _text(
    value: Any, loc: list[Any], errors: _Errors, *, limit: int, required: bool = False
) -> str:
    if value is None:
        if required:
            errors.add(loc, _("This field is required."), "required")
        return ""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        errors.add(loc, _("Expected text."), "type")
        return ""
    text = str(value).strip()
    problem = text_problem(text)
    if problem:
        errors.add(loc, problem, "invalid_text")
        return ""
    if required and not text:
        errors.add(loc, _("This field is required."), "required")
    return text[:limit]


def _mapping(value: Any, loc: list[Any], errors: _Errors) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        errors.add(loc, _("Expected an object of names and texts."), "type")
        return {}
    result: dict[str, str] = {}
    for key, item in list(value.items())[:100]:
        name = _text(key, [*loc, str(key)[:50]], errors, limit=100)
        text = _text(item, [*loc, str(key)[:50]], errors, limit=2000)
        if name:
            result[name] = text
    return result


def _instant(value: Any, loc: list[Any], errors: _Errors) -> datetime | None:
    if value is None or value == "":
        return None
    if not isinstance(value, str) or len(value) > 60 or text_problem(value):
        errors.add(loc, _("Expected a date and time (ISO 8601)."), "datetime")
        return None
    try:
        parsed = parse_datetime(value.strip())
    except (ValueError, OverflowError):
        parsed = None
    if parsed is None or parsed.tzinfo is None:
        errors.add(loc, _("Expected a date and time with its offset (ISO 8601)."), "datetime")
        return None
    if parsed.year < 1971:  # Alertmanager's "0001-01-01T00:00:00Z": not set
        return None
    return parsed


def _status(value: Any, loc: list[Any], errors: _Errors) -> str:
    if value is None:
        return "firing"
    if not isinstance(value, str) or value.strip().lower() not in STATUSES:
        errors.add(loc, _("Expected firing or resolved."), "invalid_choice")
        return "firing"
    return value.strip().lower()


def _ci(value: Any, loc: list[Any], errors: _Errors) -> int | str | None:
    if value is None or value == "":
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        if not 1 <= value <= MAX_INT:
            errors.add(loc, _("Unknown configuration item."), "invalid")
            return None
        return value
    return _text(value, loc, errors, limit=255) or None


def fingerprint_of(raw: str, name: str, labels: dict[str, str], ci: Any) -> str:
    """The alert's key: the sender's fingerprint when it is short and plain, else a digest
    of it, or (none sent) of the name, the labels and the CI."""
    if raw and _FINGERPRINT.fullmatch(raw):
        return raw
    if raw:
        return hashlib.sha256(raw.encode()).hexdigest()
    basis = json.dumps([name, sorted(labels.items()), str(ci or "")], ensure_ascii=False)
    return hashlib.sha256(basis.encode()).hexdigest()[:32]


def _alertmanager_alert(
    item: Any, loc: list[Any], errors: _Errors, common: dict[str, str], group_key: str
) -> Incoming | None:
    if not isinstance(item, dict):
        errors.add(loc, _("Expected an object."), "type")
        return None
    labels = _mapping(item.get("labels"), [*loc, "labels"], errors)
    annotations = _mapping(item.get("annotations"), [*loc, "annotations"], errors)
    merged = {**common, **labels}
    name = merged.get("alertname", "").strip()[:200]
    if not name:
        errors.add([*loc, "labels", "alertname"], _("This field is required."), "required")
    ci = next((merged[k] for k in CI_LABELS if merged.get(k)), None)
    if ci is not None and ":" in ci and not ci.startswith("["):
        ci = ci.rsplit(":", 1)[0]  # instance "host:9100"
    raw_fp = _text(item.get("fingerprint"), [*loc, "fingerprint"], errors, limit=200)
    return Incoming(
        name=name,
        status=_status(item.get("status"), [*loc, "status"], errors),
        severity=merged.get("severity", "warning")[:50],
        ci=ci[:255] if ci else None,
        service=merged.get("service", "")[:200],
        summary=annotations.get("summary", "")[:500],
        description=annotations.get("description", ""),
        fingerprint=fingerprint_of(raw_fp, name, labels, ci),
        starts_at=_instant(item.get("startsAt"), [*loc, "startsAt"], errors),
        ends_at=_instant(item.get("endsAt"), [*loc, "endsAt"], errors),
        labels=labels,
        annotations=annotations,
        generator_url=_text(item.get("generatorURL"), [*loc, "generatorURL"], errors, limit=500),
        group_key=group_key,
    )


def _plain_alert(item: Any, loc: list[Any], errors: _Errors) -> Incoming | None:
    if not isinstance(item, dict):
        errors.add(loc, _("Expected an object."), "type")
        return None
    name = _text(item.get("name"), [*loc, "name"], errors, limit=200, required=True)
    labels = _mapping(item.get("labels"), [*loc, "labels"], errors)
    ci = _ci(item.get("ci"), [*loc, "ci"], errors)
    raw_fp = _text(item.get("fingerprint"), [*loc, "fingerprint"], errors, limit=200)
    return Incoming(
        name=name,
        status=_status(item.get("status"), [*loc, "status"], errors),
        severity=_text(item.get("severity"), [*loc, "severity"], errors, limit=50) or "warning",
        ci=ci,
        service=_text(item.get("service"), [*loc, "service"], errors, limit=200),
        summary=_text(item.get("summary"), [*loc, "summary"], errors, limit=500),
        description=_text(item.get("description"), [*loc, "description"], errors, limit=20000),
        fingerprint=fingerprint_of(raw_fp, name, labels, ci),
        starts_at=_instant(item.get("starts_at"), [*loc, "starts_at"], errors),
        ends_at=_instant(item.get("ends_at"), [*loc, "ends_at"], errors),
        labels=labels,
    )


def is_alertmanager(body: dict[str, Any]) -> bool:
    return any(k in body for k in ("receiver", "groupKey", "version", "commonLabels"))


def parse(body: Any) -> list[Incoming]:
    """The alerts of a posted body, or a PayloadError listing every fault found."""
    errors = _Errors()
    if not isinstance(body, dict):
        raise PayloadError([{"loc": ["body"], "msg": _("Expected an object."), "type": "type"}])
    items: Any
    if "alerts" in body:
        items = body["alerts"]
        if not isinstance(items, list):
            errors.add(["alerts"], _("Expected a list of alerts."), "type")
            raise PayloadError(errors.items)
    else:
        items = [body]
    if not items:
        errors.add(["alerts"], _("Send at least one alert."), "required")
    if len(items) > MAX_ALERTS:
        errors.add(
            ["alerts"],
            _("At most %(max)d alerts in one request.") % {"max": MAX_ALERTS},
            "too_many",
        )
        raise PayloadError(errors.items)
    found: list[Incoming | None]
    if is_alertmanager(body):
        common = _mapping(body.get("commonLabels"), ["commonLabels"], errors)
        group_key = _text(body.get("groupKey"), ["groupKey"], errors, limit=2000)
        found = [
            _alertmanager_alert(item, ["alerts", n], errors, common, group_key)
            for n, item in enumerate(items)
        ]
    else:
        loc: list[Any] = ["alerts"] if "alerts" in body else []
        found = [
            _plain_alert(item, [*loc, n] if loc else [], errors) for n, item in enumerate(items)
        ]
    if errors.items:
        raise PayloadError(errors.items)
    return [a for a in found if a is not None]
