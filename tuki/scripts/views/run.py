"""Running a script in Log a call's panel (htmx fragments)."""

from __future__ import annotations

import re
from typing import Any

from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import get_language
from django.views.decorators.http import require_GET, require_POST

from tuki.accounts.models import SupportGroup
from tuki.lib.bounds import parse_id
from tuki.lib.errors import ServiceError
from tuki.lib.http import AuthenticatedHttpRequest
from tuki.scripts import access, services, tree
from tuki.scripts.models import Script, ScriptRun
from tuki.scripts.views.common import agent_required

SUGGESTED = 5
WORD = re.compile(r"\w+")


def suggestions(user: Any, category: int | None, title: str) -> list[Script]:
    """Scripts for the call's category first, then those whose keywords are in its title."""
    scripts = list(access.usable(user).prefetch_related("categories").order_by("name", "id"))
    words = {w.lower() for w in WORD.findall(title)}
    by_category = [s for s in scripts if any(c.pk == category for c in s.categories.all())]
    by_keyword = [
        s
        for s in scripts
        if s not in by_category and any(k in words or k in title.lower() for k in s.keyword_list())
    ]
    return (by_category + by_keyword)[:SUGGESTED]


@require_GET
@agent_required
def suggest(request: AuthenticatedHttpRequest) -> HttpResponse:
    category = parse_id(request.GET.get("category") or "")
    title = request.GET.get("title", "")[:200]
    scripts = suggestions(request.user, category, title)
    language = get_language() or "en"
    rows = [{"script": s, "name": s.localized_name(language)} for s in scripts]
    return render(request, "scripts/partials/suggest.html", {"rows": rows})


def _panel(request: AuthenticatedHttpRequest, run: ScriptRun, error: str = "") -> HttpResponse:
    a_tree = run.version.tree
    node_id = tree.current(a_tree, run.path)
    node = tree.nodes(a_tree).get(node_id) or {}
    context: dict[str, Any] = {
        "run": run,
        "node": node,
        "kind_label": tree.TYPE_LABELS.get(node.get("type", ""), ""),
        "answers": list(enumerate(node.get("answers") or [])),
        "transcript": services.transcript(run),
        "outcome": tree.is_outcome(node),
        "error": error,
        "name": run.version.script.localized_name(get_language() or "en"),
        "caller": parse_id(request.POST.get("requester") or ""),
    }
    if node.get("type") == "escalate":
        context["group"] = SupportGroup.objects.filter(pk=node.get("group") or 0).first()
    return render(request, "scripts/partials/run.html", context)


@require_POST
@agent_required
def start(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    script = access.get_script_for_agent(request.user, pk)
    run = services.start_run(request.user, script)
    return _panel(request, run)


@require_POST
@agent_required
def step(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    run = access.get_run_for_user(request.user, pk)
    index = parse_id(request.POST.get("answer") or "")
    try:
        if request.POST.get("back"):
            services.back(request.user, run)
        else:
            services.answer(request.user, run, -1 if index is None else index)
    except ServiceError as exc:
        return _panel(request, run, exc.message)
    return _panel(request, run)


@require_POST
@agent_required
def abandon(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    run = access.get_run_for_user(request.user, pk)
    if run.finished_at is None:
        services.abandon(request.user, run)
    return render(request, "scripts/partials/abandoned.html", {"run": run})
