"""Rule pages for staff: the ordered list, the editor with its condition builder, the preview
and each rule's run log. Views parse, call one service in tuki.automation.services, render."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Max, OuterRef, Subquery
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tuki.accounts.models import User
from tuki.automation import catalogue, forms as f, services
from tuki.automation.models import Rule, RuleRun
from tuki.lib.errors import ServiceError
from tuki.lib.htmx import is_fragment_request, render_page_or_fragment
from tuki.lib.http import AuthenticatedHttpRequest

View = Callable[..., HttpResponse]


RUN_LOG_SIZE = 100
PREVIEW_SIZE = 10


def staff_required(view: View) -> View:
    """Staff and superusers. Anonymous users sign in; agents get 403 (they know the desk has
    settings); requesters get 404 (the settings area does not exist for them)."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        user = request.user
        if not user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not (user.is_active and (user.is_staff or user.is_superuser)):
            if user.is_agent:
                raise PermissionDenied(_("Only administrators manage rules."))
            raise Http404("No such page")
        return view(request, *args, **kwargs)

    return wrapper


# --- the list ------------------------------------------------------------------------------


def _rules() -> Any:
    last = RuleRun.objects.filter(rule=OuterRef("pk")).order_by("-at", "-pk")
    return Rule.objects.annotate(
        last_run_at=Subquery(last.values("at")[:1]),
        last_run_ok=Subquery(last.values("ok")[:1]),
    ).order_by("position", "pk")


def _list_context() -> dict[str, Any]:
    rules = list(_rules())
    for rule in rules:
        rule.when, rule.kind_labels = f.describe_when(rule), f.describe_kinds(rule)
    return {"rules": rules, "nav": "manage"}


@staff_required
def rule_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    return render_page_or_fragment(
        request, "automation/rule_list.html", "automation/partials/rule_table.html", _list_context()
    )


@staff_required
@require_POST
def toggle(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    rule = get_object_or_404(Rule, pk=pk)
    try:
        services.update_rule(request.user, rule, is_active=not rule.is_active)
    except ServiceError as exc:  # saved before something it names was deleted: fix it first
        error = _("“%(name)s” needs fixing first: %(error)s") % {
            "name": rule.name,
            "error": exc.message,
        }
        if not is_fragment_request(request):
            messages.error(request, error)
        return _back_to_list(request, error=error)
    return _back_to_list(request)


@staff_required
@require_POST
def move(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """One place up or down in the run order."""
    rule = get_object_or_404(Rule, pk=pk)
    ordered = list(Rule.objects.order_by("position", "pk"))
    here = next(n for n, r in enumerate(ordered) if r.pk == rule.pk)
    there = here - 1 if request.POST.get("direction") == "up" else here + 1
    if 0 <= there < len(ordered):
        ordered[here], ordered[there] = ordered[there], ordered[here]
        _renumber(request.user, ordered)
    return _back_to_list(request)


def _renumber(actor: Any, ordered: list[Rule]) -> None:
    """Positions 10, 20, 30... in this order; only rules whose position changes are moved
    (rules sharing the default position get distinct ones the first time)."""
    with transaction.atomic():
        for n, rule in enumerate(ordered, start=1):
            if rule.position != n * 10:
                services.move_rule(actor, rule, n * 10)


@staff_required
@require_POST
def delete(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    rule = get_object_or_404(Rule, pk=pk)
    services.delete_rule(request.user, rule)
    messages.success(request, _("Rule “%(name)s” deleted.") % {"name": rule.name})
    return redirect("automation:rules")


def _back_to_list(request: AuthenticatedHttpRequest, error: str = "") -> HttpResponse:
    if is_fragment_request(request):
        context = {**_list_context(), "error": error}
        return render(request, "automation/partials/rule_table.html", context)
    return redirect("automation:rules")


# --- the editor ----------------------------------------------------------------------------


@staff_required
def rule_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    return _edit(request, None)


@staff_required
def rule_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _edit(request, get_object_or_404(Rule, pk=pk))


def _edit(request: AuthenticatedHttpRequest, rule: Rule | None) -> HttpResponse:
    if request.method != "POST":
        form = f.RuleForm(initial=f.initial_for(rule))
        data = {"conditions": rule.conditions, "actions": rule.actions} if rule else {}
        return _editor(request, rule, form, data.get("conditions"), data.get("actions", []), {})
    form = f.RuleForm(request.POST)
    conditions, actions = f.read_conditions(request.POST), f.read_actions(request.POST)
    errors: dict[str, str] = {}
    if form.is_valid():
        data = _rule_data(form, conditions, actions)
        try:
            if rule is None:
                rule = services.create_rule(request.user, position=_last_position(), **data)
            else:
                rule = services.update_rule(request.user, rule, **data)
        except ServiceError as exc:
            _place_error(form, errors, exc)
        else:
            messages.success(request, _("Rule “%(name)s” saved.") % {"name": rule.name})
            return redirect("automation:rules")
    return _editor(request, rule, form, conditions, actions, errors, status=422)


def _last_position() -> int:
    """A new rule runs after the existing ones (positions may have grown past the default)."""
    highest = Rule.objects.aggregate(top=Max("position"))["top"]
    return max(100, (highest or 0) + 10)


def _rule_data(
    form: f.RuleForm, conditions: dict[str, Any], actions: list[dict[str, Any]]
) -> dict[str, Any]:
    data = form.cleaned_data
    scheduled = data["trigger"] == Rule.Trigger.SCHEDULED
    return {
        "name": data["name"],
        "description": data["description"],
        "is_active": data["is_active"],
        "trigger": data["trigger"],
        "events": [] if scheduled else list(data["events"]),
        "kinds": list(data["kinds"]),
        "conditions": conditions,
        "wait": form.wait(),
        "actions": actions,
        "stop_processing": data["stop_processing"],
    }


WAIT_FIELDS = {"wait": "wait_amount", "wait.minutes": "wait_amount", "wait.since": "wait_since"}


def _place_error(form: f.RuleForm, errors: dict[str, str], exc: ServiceError) -> None:
    """A service error next to what caused it: a form field, a condition row or an action."""
    where = exc.field or ""
    if where.startswith(("conditions", "actions")):
        errors[where] = exc.message
        if where in ("conditions", "actions"):
            form.add_error(None, exc.message)
        return
    name = WAIT_FIELDS.get(where, where.split(".")[0])
    form.add_error(name if name in form.fields else None, exc.message)


def _editor(
    request: AuthenticatedHttpRequest,
    rule: Rule | None,
    form: f.RuleForm,
    conditions: dict[str, Any] | None,
    actions: list[dict[str, Any]],
    errors: dict[str, str],
    status: int = 200,
) -> HttpResponse:
    context = _builder_context(form, conditions, actions, errors)
    context.update(rule=rule, nav="manage")
    if rule is not None:
        context["runs"] = _runs(request.user, rule, 5)
    return render(request, "automation/rule_edit.html", context, status=status)


def _builder_context(
    form: f.RuleForm,
    conditions: dict[str, Any] | None,
    actions: list[dict[str, Any]],
    errors: dict[str, str],
) -> dict[str, Any]:
    conditions = conditions or {"match": "all", "items": []}
    kinds = list(form["kinds"].value() or [])
    choices = f.Choices()
    scheduled = form["trigger"].value() == Rule.Trigger.SCHEDULED
    return {
        "form": form,
        "match": conditions.get("match", "all"),
        "rows": f.condition_rows(conditions, errors, choices, scheduled=scheduled),
        "actions": f.action_rows(actions, errors, choices),
        "field_options": f.field_options(kinds),
        "operator_labels": catalogue.OPERATORS,
        "action_options": f.action_options(kinds),
        "root_errors": f.errors_under(errors, "conditions", exact=True),
        "scheduled": scheduled,
        "max_depth": f.MAX_DEPTH,
        "placeholders": catalogue.PLACEHOLDERS,
    }


@staff_required
@require_POST
def builder(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Redraws the editor's body after a change: a row added or removed, a field picked."""
    form = f.RuleForm(request.POST)
    conditions, actions = f.read_conditions(request.POST), f.read_actions(request.POST)
    f.apply_change(conditions, actions, request.POST.get("do", ""), request.POST.get("at", ""))
    context = _builder_context(form, conditions, actions, {})
    return render(request, "automation/partials/builder.html", context)


@staff_required
@require_POST
def preview(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Which open tickets the conditions match now (before the rule is saved)."""
    conditions = f.read_conditions(request.POST)
    kinds = [k for k in request.POST.getlist("kinds") if k]
    trigger = request.POST.get("trigger") or Rule.Trigger.EVENT
    context: dict[str, Any] = {}
    try:
        context["result"] = services.preview_rule(
            request.user, conditions=conditions, kinds=kinds, limit=PREVIEW_SIZE, trigger=trigger
        )
    except ServiceError as exc:
        context["error"] = exc.message
        context["where"] = f.describe_path(conditions, exc.field or "")
    return render(request, "automation/partials/preview.html", context)


# --- the run log ---------------------------------------------------------------------------


def _runs(user: User, rule: Rule, limit: int) -> list[RuleRun]:
    """The newest runs on tickets `user` may see, each with `trigger_label`: the event's
    name, or "scheduled"."""
    runs = list(
        services.runs_seen_by(user, rule).select_related("ticket").order_by("-at", "-pk")[:limit]
    )
    for run in runs:
        label = catalogue.EVENTS.get(run.trigger)
        run.trigger_label = label or (_("scheduled") if run.trigger == "scheduled" else run.trigger)
    return runs


@staff_required
def runs(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    rule = get_object_or_404(Rule, pk=pk)
    context = {"rule": rule, "runs": _runs(request.user, rule, RUN_LOG_SIZE), "nav": "manage"}
    return render(request, "automation/rule_runs.html", context)
