"""Script statistics: uses, first-contact resolution and drop-outs per version and step."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.db.models import Count, Q
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from tuki.lib.bounds import parse_id
from tuki.lib.http import AuthenticatedHttpRequest
from tuki.scripts import access, tree
from tuki.scripts.models import RunOutcome, ScriptRun, ScriptVersion, VersionState
from tuki.scripts.views.common import admin_required


def version_stats(script_id: int) -> list[dict[str, Any]]:
    """Per version: runs, runs resolved at first contact, the rate, and drop-outs per step.
    Two queries, whatever the number of runs."""
    versions = list(
        ScriptVersion.objects.filter(script_id=script_id)
        .annotate(
            uses=Count("runs"),
            resolved=Count("runs", filter=Q(runs__outcome=RunOutcome.RESOLVE)),
            dropped=Count("runs", filter=Q(runs__outcome=RunOutcome.ABANDONED)),
        )
        .order_by("-number")
    )
    drops = (
        ScriptRun.objects.filter(version__script_id=script_id, outcome=RunOutcome.ABANDONED)
        .values("version_id", "dropped_at")
        .annotate(n=Count("id"))
        .order_by("-n")
    )
    by_version: dict[int, list[dict[str, Any]]] = {}
    texts = {v.pk: tree.nodes(v.tree) for v in versions}
    for row in drops:
        node = texts.get(row["version_id"], {}).get(row["dropped_at"]) or {}
        by_version.setdefault(row["version_id"], []).append(
            {"node": row["dropped_at"], "text": node.get("text", ""), "count": row["n"]}
        )
    return [
        {
            "version": v,
            "uses": v.uses,
            "resolved": v.resolved,
            "dropped": v.dropped,
            "rate": round(100 * v.resolved / v.uses) if v.uses else None,
            "drops": by_version.get(v.pk, []),
        }
        for v in versions
    ]


@require_GET
@admin_required
def script_stats(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    script = access.get_script_for_admin(request.user, pk)
    context = {"nav": "manage", "script": script, "rows": version_stats(script.pk)}
    return render(request, "scripts/stats.html", context)


PERIODS = (30, 90)


def report_rows(since: datetime) -> list[dict[str, Any]]:
    """Per script, its versions run since `since`: uses, completed runs, first-contact
    resolutions and their rate, abandoned runs and the step most left at. Two queries."""
    in_period = Q(runs__started_at__gte=since)
    versions = list(
        ScriptVersion.objects.annotate(
            uses=Count("runs", filter=in_period),
            completed=Count(
                "runs",
                filter=in_period
                & Q(runs__finished_at__isnull=False)
                & ~Q(runs__outcome=RunOutcome.ABANDONED),
            ),
            resolved=Count("runs", filter=in_period & Q(runs__outcome=RunOutcome.RESOLVE)),
            dropped=Count("runs", filter=in_period & Q(runs__outcome=RunOutcome.ABANDONED)),
        )
        .filter(Q(uses__gt=0) | Q(state=VersionState.PUBLISHED))
        .select_related("script")
        .order_by("script__name", "script_id", "-number")
    )
    drops = (
        ScriptRun.objects.filter(started_at__gte=since, outcome=RunOutcome.ABANDONED)
        .values("version_id", "dropped_at")
        .annotate(n=Count("id"))
        .order_by("version_id", "-n", "dropped_at")
    )
    top: dict[int, dict[str, Any]] = {}
    for row in drops:
        top.setdefault(row["version_id"], dict(row))  # the first per version is the most common
    scripts: dict[int, dict[str, Any]] = {}
    for v in versions:
        drop = top.get(v.pk)
        node = tree.nodes(v.tree).get(drop["dropped_at"]) or {} if drop else {}
        version_row = {
            "version": v,
            "uses": v.uses,
            "completed": v.completed,
            "resolved": v.resolved,
            "rate": _rate(v.resolved, v.uses),
            "dropped": v.dropped,
            "drop_node": drop["dropped_at"] if drop else "",
            "drop_text": str(node.get("text") or ""),
            "drop_count": drop["n"] if drop else 0,
        }
        entry = scripts.setdefault(
            v.script_id, {"script": v.script, "versions": [], "uses": 0, "completed": 0}
        )
        entry["versions"].append(version_row)
    for entry in scripts.values():
        for key in ("uses", "completed", "resolved", "dropped"):
            entry[key] = sum(row[key] for row in entry["versions"])
        entry["rate"] = _rate(entry["resolved"], entry["uses"])
    return list(scripts.values())


def _rate(part: int, whole: int) -> int | None:
    return round(100 * part / whole) if whole else None


@require_GET
@admin_required
def report(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Every script's uses, first-contact resolution and drop-outs, per version, over a
    period (the last 30 or 90 days)."""
    days = parse_id(request.GET.get("days") or "") or PERIODS[0]
    days = days if days in PERIODS else PERIODS[0]
    rows = report_rows(timezone.now() - timedelta(days=days))
    totals = {
        key: sum(row[key] for row in rows) for key in ("uses", "completed", "resolved", "dropped")
    }
    totals["rate"] = _rate(totals["resolved"], totals["uses"])
    context = {"nav": "reports", "rows": rows, "days": days, "periods": PERIODS, "totals": totals}
    return render(request, "scripts/report.html", context)
