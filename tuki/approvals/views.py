"""Approval pages: My approvals, the decision page (signed in, or by the email link), the
request and cancel actions of the ticket page's panel, and approval templates for staff."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tuki.accounts.models import SupportGroup, User
from tuki.approvals import access, services
from tuki.approvals.forms import DecisionForm, RequestForm, TemplateForm, step_formset
from tuki.approvals.models import APPROVABLE_KINDS, ApprovalStep, ApprovalTemplate, Rule, Via
from tuki.lib.bounds import parse_id
from tuki.lib.errors import ServiceError
from tuki.lib.http import AuthenticatedHttpRequest
from tuki.tickets import access as ticket_access
from tuki.tickets.models import Kind
from tuki.tickets.views.common import agent_required

# --- My approvals and the decision page ------------------------------------------------------


@login_required
def mine(request: AuthenticatedHttpRequest) -> HttpResponse:
    waiting = list(access.waiting_for(request.user))
    context = {
        "nav": "approvals",
        "waiting": waiting,
        "decided": access.decided_by(request.user),
    }
    return render(request, "approvals/mine.html", context)


def _summary(step: ApprovalStep, approver: User) -> dict[str, Any]:
    """What the decision page shows: the ticket's summary and this step, nothing more."""
    approval = step.approval
    steps = list(approval.steps.all())
    decisions = list(step.decisions.all())
    voters = step.voters.count()
    return {
        "step": step,
        "approval": approval,
        "ticket": approval.ticket,
        "steps_count": len(steps),
        "voters_count": voters,
        "needed": services.needed(step.rule, voters),
        "approvals": sum(1 for d in decisions if d.decision == "approve"),
        "rejections": sum(1 for d in decisions if d.decision == "reject"),
        "mine": next((d for d in decisions if d.approver_id == approver.pk), None),
        "closed": services.closed_message(approval, step),
        "approver": approver,
    }


def _decide(
    request: HttpRequest, step: ApprovalStep, approver: User, via: str, template_ctx: dict
) -> HttpResponse | None:
    """Decide from the posted form: None when done, else the page again with the errors."""
    form = DecisionForm(request.POST)
    if form.is_valid():
        try:
            services.decide(
                approver,
                step,
                form.cleaned_data["decision"],
                form.cleaned_data["comment"],
                via=via,
            )
        except ServiceError as exc:
            form.add_service_error(exc)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        else:
            return None
    step.refresh_from_db()
    step.approval.refresh_from_db()
    context = {**_summary(step, approver), **template_ctx, "form": form}
    return render(request, "approvals/decide.html", context, status=422)


def _safe_next(request: HttpRequest, fallback: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}):
        return target
    return fallback


@login_required
def step(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    found = access.get_step_for_voter(request.user, pk)
    context = {"nav": "approvals", "next": _safe_next(request, "")}
    if request.method == "POST":
        failed = _decide(request, found, request.user, Via.WEB, context)
        if failed is not None:
            return failed
        messages.success(request, _("Your decision is recorded."))
        return redirect(_safe_next(request, reverse("approvals:mine")))
    form = DecisionForm()
    return render(
        request, "approvals/decide.html", {**_summary(found, request.user), **context, "form": form}
    )


def _link_error(request: HttpRequest, message: str, status: int) -> HttpResponse:
    return render(request, "approvals/link_error.html", {"message": message}, status=status)


def link(request: HttpRequest, token: str) -> HttpResponse:
    """The email link: no sign-in needed, it names its approver; only a POST decides (mail
    scanners open links, and a GET must change nothing)."""
    try:
        user_id, step_id = services.read_link_token(token)
    except signing.SignatureExpired:
        return _link_error(
            request,
            _("This link has expired. Sign in and open My approvals to decide."),
            410,
        )
    except (signing.BadSignature, ValueError):
        return _link_error(request, _("This link is not valid. Check that it is complete."), 400)
    if request.user.is_authenticated and request.user.pk != user_id:
        return _link_error(
            request, _("This link was sent to someone else. Sign out to use it."), 403
        )
    approver = User.objects.filter(pk=user_id, is_active=True).first()
    if approver is None:
        raise Http404("No such approver")
    found = access.get_step_for_voter(approver, step_id)
    # Signed out, the page speaks the approver's language, as the mail did.
    language = approver.language if not request.user.is_authenticated else None
    with translation.override(language or translation.get_language()):
        return _link_page(request, found, approver, token)


def _link_page(
    request: HttpRequest, found: ApprovalStep, approver: User, token: str
) -> HttpResponse:
    context = {"via_link": True, "token": token}
    if request.method == "POST":
        failed = _decide(request, found, approver, Via.EMAIL, context)
        if failed is not None:
            return failed
        found.refresh_from_db()
        found.approval.refresh_from_db()
        done = {**_summary(found, approver), **context, "just_decided": True}
        return render(request, "approvals/decide.html", done)
    page = {**_summary(found, approver), **context, "form": DecisionForm()}
    return render(request, "approvals/decide.html", page)


# --- ticket page panel actions ---------------------------------------------------------------


@agent_required(hide=True)
@require_POST
def request_for_ticket(request: AuthenticatedHttpRequest, number: str) -> HttpResponse:
    ticket = ticket_access.get_ticket_for_user(request.user, number)
    form = RequestForm(request.POST, templates=access.templates_for(ticket))
    if form.is_valid():
        try:
            services.request_approval(request.user, ticket, template=form.cleaned_data["template"])
        except ServiceError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, _("Approval requested."))
            return redirect(ticket)
    context = {"nav": "queue", "ticket": ticket, "form": form}
    return render(request, "approvals/request.html", context, status=422)


@agent_required(hide=True)
@require_POST
def cancel(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    approval = access.get_approval_for_user(request.user, pk)
    try:
        services.cancel_approval(request.user, approval, reason=request.POST.get("reason", ""))
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Approval cancelled."))
    return redirect(approval.ticket)


# --- approval templates (staff) --------------------------------------------------------------


def _staff(request: HttpRequest) -> None:
    if not (request.user.is_staff or request.user.is_superuser):
        raise Http404("Not for you")


@login_required
def template_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    _staff(request)
    templates = list(ApprovalTemplate.objects.all())
    users = {
        u.pk: u
        for u in User.objects.filter(
            pk__in={i for t in templates for s in t.steps for i in s.get("users") or []}
        )
    }
    groups = {
        g.pk: g
        for g in SupportGroup.objects.filter(
            pk__in={s.get("group") for t in templates for s in t.steps if s.get("group")}
        )
    }
    kinds = dict(Kind.choices)
    rows = [
        {
            "template": t,
            "kinds": [kinds[k] for k in t.kinds or APPROVABLE_KINDS],
            "steps": [
                {
                    "rule": Rule(s.get("rule")).label,
                    "users": [users[i] for i in s.get("users") or [] if i in users],
                    "group": groups.get(s.get("group")),
                }
                for s in t.steps
            ],
        }
        for t in templates
    ]
    return render(request, "approvals/templates.html", {"nav": "manage", "rows": rows})


@login_required
def template_edit(request: AuthenticatedHttpRequest, pk: int | None = None) -> HttpResponse:
    _staff(request)
    template = access.get_template_for_staff(request.user, pk) if pk else None
    if request.method != "POST":
        initial = (
            {
                "name": template.name,
                "description": template.description,
                "kinds": template.kinds,
                "is_active": template.is_active,
            }
            if template
            else {"is_active": True}
        )
        form = TemplateForm(initial=initial)
        formset = step_formset(steps=template.steps if template else None)
        return _template_page(request, template, form, formset)
    form = TemplateForm(request.POST)
    formset = step_formset(request.POST, steps=template.steps if template else None)
    if form.is_valid() and formset.is_valid():
        steps = [s for s in (f.as_step() for f in formset.forms) if s is not None]
        data = {**form.cleaned_data, "steps": steps}
        try:
            if template is None:
                services.create_template(request.user, **data)
            else:
                services.update_template(request.user, template, **data)
        except ServiceError as exc:
            _show_error(form, formset, exc)
        else:
            messages.success(request, _("Approval template saved."))
            return redirect(reverse("approvals:templates"))
    return _template_page(request, template, form, formset, status=422)


def _show_error(form: TemplateForm, formset: Any, exc: ServiceError) -> None:
    """A service error next to its field; "steps.2.users" lands on the third filled row."""
    parts = (exc.field or "").split(".")
    if parts[0] == "steps" and len(parts) == 3 and parse_id(parts[1]) is not None:
        filled = [f for f in formset.forms if f.as_step() is not None]
        index = int(parts[1])
        if index < len(filled) and parts[2] in filled[index].fields:
            filled[index].add_error(parts[2], exc.message)
            return
    if parts[0] == "steps":
        form.add_error(None, exc.message)
        return
    form.add_service_error(exc)


def _template_page(
    request: HttpRequest,
    template: ApprovalTemplate | None,
    form: TemplateForm,
    formset: Any,
    status: int = 200,
) -> HttpResponse:
    context = {"nav": "manage", "template": template, "form": form, "formset": formset}
    return render(request, "approvals/template_edit.html", context, status=status)


@login_required
@require_POST
def template_delete(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    template = access.get_template_for_staff(request.user, pk)
    services.delete_template(request.user, template)
    messages.success(request, _("Approval template deleted."))
    return redirect(reverse("approvals:templates"))
