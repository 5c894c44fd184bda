"""Script statistics: uses, first-contact resolution and drop-outs per version and step."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from tuki.lib.http import AuthenticatedHttpRequest
from tuki.scripts import access, tree
from tuki.scripts.models import RunOutcome, ScriptRun, ScriptVersion
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
