"""The script builder: list, settings, the draft tree as an outline, publish, versions,
and a preview run that records nothing."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from tuki.lib.errors import ServiceError
from tuki.lib.http import AuthenticatedHttpRequest
from tuki.scripts import access, services, tree
from tuki.scripts.forms import AddNodeForm, NodeForm, ScriptForm
from tuki.scripts.models import Script, ScriptVersion, VersionState
from tuki.scripts.views.common import admin_required


@require_GET
@admin_required
def script_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    scripts = list(Script.objects.prefetch_related("versions").order_by("name", "id"))
    rows = []
    for script in scripts:
        versions = list(script.versions.all())
        rows.append(
            {
                "script": script,
                "published": next((v for v in versions if v.state == VersionState.PUBLISHED), None),
                "draft": next((v for v in versions if v.state == VersionState.DRAFT), None),
            }
        )
    return render(request, "scripts/script_list.html", {"nav": "manage", "rows": rows})


@admin_required
def script_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = ScriptForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            script = services.create_script(request.user, **form.service_data())
        except ServiceError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, _("Script “%(name)s” created.") % {"name": script.name})
            return redirect("scripts:edit", script.pk)
    status = 422 if request.method == "POST" else 200
    context = {"nav": "manage", "form": form}
    return render(request, "scripts/script_new.html", context, status=status)


def _editor(
    request: AuthenticatedHttpRequest,
    script: Script,
    form: ScriptForm | None = None,
    status: int = 200,
    failed: tuple[str, NodeForm] | None = None,
) -> HttpResponse:
    versions = list(script.versions.select_related("created_by", "published_by"))
    version = next((v for v in versions if v.state == VersionState.DRAFT), None) or next(
        (v for v in versions if v.state == VersionState.PUBLISHED), None
    )
    a_tree = version.tree if version else tree.empty()
    rows = tree.outline(a_tree)
    for row in rows:
        if failed and failed[0] == row["id"]:
            row["form"] = failed[1]
        else:
            row["form"] = NodeForm(initial=NodeForm.initial_for(row["node"]), prefix=row["id"])
        row["label"] = tree.TYPE_LABELS.get(row["node"].get("type"), "?")
        row["outcome"] = tree.is_outcome(row["node"])
    errors = tree.validate(a_tree) if version and version.state == VersionState.DRAFT else []
    context: dict[str, Any] = {
        "nav": "manage",
        "script": script,
        "form": form or ScriptForm(initial=ScriptForm.initial_for(script)),
        "version": version,
        "versions": versions,
        "rows": rows,
        "errors": errors,
        "types": [(k, tree.TYPE_LABELS[k]) for k in tree.TYPES],
        "editable": version is None or version.state == VersionState.DRAFT,
    }
    return render(request, "scripts/script_edit.html", context, status=status)


@admin_required
def script_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    script = access.get_script_for_admin(request.user, pk)
    if request.method != "POST":
        return _editor(request, script)
    form = ScriptForm(request.POST)
    if form.is_valid():
        try:
            services.update_script(request.user, script, **form.service_data())
        except ServiceError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, _("Script “%(name)s” saved.") % {"name": script.name})
            return redirect("scripts:edit", script.pk)
    return _editor(request, script, form, status=422)


@require_POST
@admin_required
def draft_new(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    script = access.get_script_for_admin(request.user, pk)
    services.edit_draft(request.user, script)
    return redirect("scripts:edit", script.pk)


@require_POST
@admin_required
def node_add(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    script = access.get_script_for_admin(request.user, pk)
    form = AddNodeForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose what to add."))
        return redirect("scripts:edit", script.pk)
    data = form.cleaned_data
    try:
        node_id = services.add_node(
            request.user, script, kind=data["kind"], parent=data["parent"], answer=data["answer"]
        )
    except ServiceError as exc:
        messages.error(request, exc.message)
        return redirect("scripts:edit", script.pk)
    return redirect(f"/scripts/{script.pk}/#node-{node_id}")


@require_POST
@admin_required
def node_edit(request: AuthenticatedHttpRequest, pk: int, slug: str) -> HttpResponse:
    node = slug
    script = access.get_script_for_admin(request.user, pk)
    form = NodeForm(request.POST, prefix=node)
    if form.is_valid():
        try:
            services.update_node(request.user, script, node, form.service_data())
        except ServiceError as exc:
            form.add_service_error(exc)
        else:
            return redirect(f"/scripts/{script.pk}/#node-{node}")
    return _editor(request, script, status=422, failed=(node, form))


@require_POST
@admin_required
def node_delete(request: AuthenticatedHttpRequest, pk: int, slug: str) -> HttpResponse:
    node = slug
    script = access.get_script_for_admin(request.user, pk)
    try:
        services.delete_node(request.user, script, node)
    except ServiceError as exc:
        messages.error(request, exc.message)
    return redirect("scripts:edit", script.pk)


@require_POST
@admin_required
def publish(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    script = access.get_script_for_admin(request.user, pk)
    try:
        version = services.publish(request.user, script)
    except ServiceError as exc:
        messages.error(request, exc.message)
        return _editor(request, script, status=422)
    except PermissionDenied as exc:  # pragma: no cover - admin_required guards it
        raise exc
    messages.success(request, _("Version %(n)s is published.") % {"n": version.number})
    return redirect("scripts:edit", script.pk)


@require_GET
@admin_required
def version_view(request: AuthenticatedHttpRequest, pk: int, version_id: int) -> HttpResponse:
    """`version_id` is the version's number within the script."""
    script = access.get_script_for_admin(request.user, pk)
    version = ScriptVersion.objects.filter(script=script, number=version_id).first()
    if version is None:
        raise Http404("No such version")
    rows = tree.outline(version.tree)
    for row in rows:
        row["label"] = tree.TYPE_LABELS.get(row["node"].get("type"), "?")
    context = {"nav": "manage", "script": script, "version": version, "rows": rows}
    return render(request, "scripts/version.html", context)


@require_GET
@admin_required
def preview(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Walk the draft (or published) tree; the path is in the query string, nothing saved."""
    script = access.get_script_for_admin(request.user, pk)
    version = services.draft(script) or services.published(script)
    a_tree = version.tree if version else tree.empty()
    path: list[dict[str, Any]] = []
    for part in request.GET.get("path", "").split(",")[:100]:
        if not part.isascii() or not part.isdigit():
            continue
        node_id = tree.current(a_tree, path)
        answers = (tree.nodes(a_tree).get(node_id) or {}).get("answers") or []
        if int(part) < len(answers):
            path.append({"node": node_id, "answer": int(part)})
    node_id = tree.current(a_tree, path)
    node = tree.nodes(a_tree).get(node_id)
    trail = ",".join(str(step["answer"]) for step in path)
    answers = [
        {"label": a.get("label"), "path": f"{trail},{i}".lstrip(",")}
        for i, a in enumerate((node or {}).get("answers") or [])
    ]
    context = {
        "nav": "manage",
        "script": script,
        "node": node,
        "kind_label": tree.TYPE_LABELS.get((node or {}).get("type", ""), ""),
        "answers": answers,
        "back": ",".join(trail.split(",")[:-1]) if trail else None,
        "steps": len(path),
    }
    return render(request, "scripts/preview.html", context)
