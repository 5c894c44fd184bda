"""Running a script in Log a call's panel (htmx fragments)."""

from __future__ import annotations

import re
from typing import Any

from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import get_language
from django.views.decorators.http import require_GET, require_POST

from tuki.accounts import directory
from tuki.accounts.models import SupportGroup
from tuki.catalogue import access as catalogue_access
from tuki.catalogue.models import CatalogueItem
from tuki.lib.bounds import parse_id
from tuki.lib.errors import ServiceError
from tuki.lib.http import AuthenticatedHttpRequest
from tuki.scripts import access, services, tree
from tuki.scripts.models import Script, ScriptRun
from tuki.scripts.views.common import agent_required
from tuki.sla.models import Service

SUGGESTED = 5
CATALOGUE_ROWS = 12
WORD = re.compile(r"\w+")


def suggestions(
    user: Any,
    category: int | None,
    title: str,
    *,
    item: int | None = None,
    service: int | None = None,
) -> list[Script]:
    """Scripts for the catalogue item the operator picked first, then for the call's
    category, then for its service (the one given, or those the category belongs to), then
    those whose keywords are in its title. Four queries, whatever the number of scripts."""
    scripts = list(
        access.usable(user)
        .prefetch_related("categories", "services", "catalogue_items")
        .order_by("name", "id")
    )
    services_ids = {service} if service else set()
    if category:
        services_ids |= set(
            Service.objects.filter(categories=category).values_list("pk", flat=True)
        )
    words = {w.lower() for w in WORD.findall(title)}
    ranked = [
        [s for s in scripts if item and any(i.pk == item for i in s.catalogue_items.all())],
        [s for s in scripts if category and any(c.pk == category for c in s.categories.all())],
        [s for s in scripts if any(v.pk in services_ids for v in s.services.all())],
        [s for s in scripts if any(k in words or k in title.lower() for k in s.keyword_list())],
    ]
    found: list[Script] = []
    for group in ranked:
        found += [s for s in group if s not in found]
    return found[:SUGGESTED]


@require_GET
@agent_required
def suggest(request: AuthenticatedHttpRequest) -> HttpResponse:
    category = parse_id(request.GET.get("category") or "")
    title = request.GET.get("title", "")[:200]
    item = parse_id(request.GET.get("catalogue_item") or "")
    service = parse_id(request.GET.get("service") or "")
    scripts = suggestions(request.user, category, title, item=item, service=service)
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
    if request.POST.get("show"):  # the panel again, as it stands (Log a call refused)
        return _panel(request, run)
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


@require_GET
@agent_required
def call_catalogue(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Log a call's "Order from the catalogue": the items the caller (not the operator) may
    order, searched by name; each opens the order form for the caller (phone channel)."""
    caller = (
        directory.people_visible_to(request.user)
        .filter(pk=parse_id(request.GET.get("requester") or "") or 0)
        .first()
    )
    text = request.GET.get("q", "").strip()[:100]
    items: list[CatalogueItem] = []
    if caller is not None:
        found = catalogue_access.orderable_items(caller)
        if text:
            found = found.filter(
                Q(name__icontains=text)
                | Q(short_description__icontains=text)
                | Q(category__name__icontains=text)
            )
        items = list(found.order_by("category__position", "category__name", "position", "name"))
        if text:  # names in the operator's language as well
            items = items or _translated_matches(caller, text)
    context: dict[str, Any] = {"caller": caller, "items": items[:CATALOGUE_ROWS], "text": text}
    context["more"] = max(0, len(items) - CATALOGUE_ROWS)
    context["picked"] = parse_id(request.GET.get("catalogue_item") or "")
    return render(request, "scripts/partials/call_catalogue.html", context)


def _translated_matches(caller: Any, text: str) -> list[CatalogueItem]:
    """Items whose translated name matches (their names live in a JSON field)."""
    lowered = text.lower()
    return [
        item
        for item in catalogue_access.orderable_items(caller).order_by("position", "name")
        if lowered in item.display_name.lower()
    ]
