"""Every write of change management (docs/changes.md). Views, the API, the demo and the
receivers call these; ticket writes go through `tuki.tickets.services`, approvals through
`tuki.approvals.services`.

Each field of a change's detail that changes is an event in the ticket's timeline (field
`change_<name>`, labelled in tickets' FIELD_LABELS); the risk is assessed again after each
edit (risk.py).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tuki.accounts.models import SupportGroup, User
from tuki.approvals import services as approvals
from tuki.approvals.models import Approval, ApprovalTemplate
from tuki.changes import access, risk
from tuki.changes.models import (
    Change,
    ChangeSettings,
    ChangeTemplate,
    ChangeType,
    Outcome,
    Risk,
    TemplateState,
)
from tuki.cmdb import access as cmdb_access, services as cmdb
from tuki.cmdb.models import ConfigurationItem
from tuki.lib.errors import ServiceError
from tuki.tickets import services as tickets
from tuki.tickets.models import (
    Category,
    EventAction,
    Kind,
    LinkType,
    StatusCategory,
    Ticket,
    TicketLink,
)

PLAN_FIELDS = ("justification", "implementation_plan", "backout_plan", "test_plan")
EDITABLE = frozenset({"change_type", "template", "questionnaire", "cab", *PLAN_FIELDS})
MAX_TEXT = 20_000


def _require_agent(actor: User | None) -> None:
    if actor is not None and not access.may_read(actor):
        raise PermissionDenied(_("Only agents work on changes."))


def _require_visible(actor: User | None, ticket: Ticket) -> None:
    if actor is not None and not Ticket.objects.visible_to(actor).filter(pk=ticket.pk).exists():
        raise PermissionDenied(_("You cannot see this ticket."))


def ensure_change(ticket: Ticket) -> Change:
    """The detail row of a change ticket (type normal when new). Receivers call it."""
    change, _created = Change.objects.get_or_create(ticket=ticket)
    return change


def _check_type(change_type: str, template: ChangeTemplate | None) -> None:
    if change_type not in ChangeType.values:
        raise ServiceError(_("Unknown change type."), field="change_type", code="invalid")
    if change_type == ChangeType.STANDARD and (template is None or not template.is_approved):
        raise ServiceError(
            _("A standard change comes from an approved template."),
            field="template",
            code="template_required",
        )


def _check_text(field: str, value: Any) -> str:
    text = str(value or "")
    if len(text) > MAX_TEXT:
        raise ServiceError(
            _("At most %(max)d characters.") % {"max": MAX_TEXT}, field=field, code="max_length"
        )
    return text


def create_change(
    actor: User | None,
    *,
    title: str,
    requester: User,
    description: str = "",
    change_type: str = ChangeType.NORMAL,
    template: ChangeTemplate | None = None,
    group: SupportGroup | None = None,
    assignee: User | None = None,
    category: Category | None = None,
    impact: int | None = None,
    urgency: int | None = None,
    justification: str = "",
    implementation_plan: str = "",
    backout_plan: str = "",
    test_plan: str = "",
    questionnaire: dict[str, Any] | None = None,
    items: Iterable[int] = (),
    restricted: bool = False,
) -> Change:
    """A change ticket (kind "change") and its detail. A standard change's empty plans, group
    and category come from its template."""
    _require_agent(actor)
    _check_type(change_type, template)
    if change_type != ChangeType.STANDARD:
        template = None
    plans = {
        "justification": _check_text("justification", justification),
        "implementation_plan": _check_text("implementation_plan", implementation_plan),
        "backout_plan": _check_text("backout_plan", backout_plan),
        "test_plan": _check_text("test_plan", test_plan),
    }
    if template is not None:
        for key in ("implementation_plan", "backout_plan", "test_plan"):
            plans[key] = plans[key] or getattr(template, key)
        group = group or template.group
        category = category or template.category
        description = description or template.description
    answers = risk.clean_answers(questionnaire, risk.questions())
    item_ids = sorted({int(pk) for pk in items})
    readable = (
        ConfigurationItem.objects.all() if actor is None else cmdb_access.items_visible_to(actor)
    )
    cis = list(readable.filter(pk__in=item_ids))
    if len(cis) != len(item_ids):
        raise ServiceError(_("No such item."), field="items", code="not_found")
    with transaction.atomic():
        ticket = tickets.create_ticket(
            actor,
            kind=Kind.CHANGE,
            title=title,
            description=description,
            requester=requester,
            group=group,
            assignee=assignee,
            category=category,
            impact=impact,
            urgency=urgency,
            restricted=restricted,
        )
        change = ensure_change(ticket)
        change.change_type = change_type
        change.template = template
        change.questionnaire = answers
        for key, value in plans.items():
            setattr(change, key, value)
        change.save()
        if cis:
            cmdb.name_affected(actor, ticket, cis)
        change.ticket = ticket
        assess_risk(actor, change, record=False)
    return change


def _display(field: str, value: Any) -> str:
    if value is None:
        return ""
    if field == "change_type":
        return str(ChangeType(value).label) if value in ChangeType.values else str(value)
    if field in PLAN_FIELDS:
        text = str(value)
        return text[:80] + "…" if len(text) > 80 else text
    return str(value)


def update_change(actor: User | None, change: Change, *, reason: str = "", **fields: Any) -> Change:
    """Edit the detail; one ticket event per changed field; the risk assessed again.

    The window and implementer are the calendar's (scheduling.set_window)."""
    _require_agent(actor)
    unknown = set(fields) - EDITABLE
    if unknown:
        raise ServiceError(
            _("This field cannot be edited."), field=sorted(unknown)[0], code="not_editable"
        )
    with transaction.atomic():
        _require_visible(actor, change.ticket)
        locked = (
            Change.objects.select_for_update(of=("self",))
            .select_related("template")
            .get(pk=change.pk)
        )
        ticket = Ticket.objects.with_related().get(pk=change.pk)
        locked.ticket = ticket
        if not ticket.is_active:
            raise ServiceError(_("This change is closed."), field="change", code="closed")
        new_type = fields.get("change_type", locked.change_type)
        new_template = fields.get("template", locked.template)
        if new_type != ChangeType.STANDARD:
            new_template = None
            if "template" in fields or locked.template_id:
                fields["template"] = None
        _check_type(new_type, new_template)
        if "questionnaire" in fields:
            fields["questionnaire"] = risk.clean_answers(fields["questionnaire"], risk.questions())
        if "cab" in fields and fields["cab"] is not None and not fields["cab"].is_active:
            raise ServiceError(_("This template is inactive."), field="cab", code="inactive")
        changed = False
        for key, value in fields.items():
            if key in PLAN_FIELDS:
                value = _check_text(key, value)
            old = getattr(locked, key)
            if old == value:
                continue
            setattr(locked, key, value)
            changed = True
            if key == "questionnaire":
                continue  # its effect is the risk, recorded below
            tickets.record_event(
                ticket,
                actor,
                EventAction.FIELD,
                field=f"change_{key}",
                old=_display(key, old),
                new=_display(key, value),
                reason=reason,
                touch=True,
            )
        if changed:
            locked.save()
            assess_risk(actor, locked, record=True)
    return locked


def assess_risk(actor: User | None, change: Change, *, record: bool) -> None:
    """Assess and store the risk (inside the caller's transaction); an event if it moved."""
    assessment = risk.assess(change)
    old = change.risk
    change.risk, change.risk_reasons = assessment.risk, assessment.reasons
    change.save(update_fields=["risk", "risk_reasons"])
    if record and old != change.risk:
        tickets.record_event(
            change.ticket,
            actor,
            EventAction.FIELD,
            field="change_risk",
            old=Risk(old).label if old else "",
            new=Risk(change.risk).label,
        )


def reassess(actor: User | None, change: Change) -> Change:
    """Assess the risk again (the affected items changed)."""
    with transaction.atomic():
        locked = (
            Change.objects.select_for_update(of=("self",))
            .select_related("template")
            .get(pk=change.pk)
        )
        locked.ticket = Ticket.objects.get(pk=change.pk)
        assess_risk(actor, locked, record=True)
    return locked


def board_for(change: Change) -> ApprovalTemplate | None:
    """The advisory board a change asks: the ECAB for an emergency change, else its own
    board or the desk's CAB."""
    settings = ChangeSettings.load()
    if change.change_type == ChangeType.EMERGENCY:
        return settings.ecab
    return change.cab or settings.cab


def request_cab_approval(actor: User | None, change: Change) -> Approval:
    """Ask the change's advisory board: the ticket waits in "Awaiting approval"."""
    _require_agent(actor)
    if change.change_type == ChangeType.STANDARD:
        raise ServiceError(
            _("A standard change from an approved template needs no approval."),
            field="cab",
            code="standard",
        )
    board = board_for(change)
    if board is None:
        message = (
            _("No emergency change advisory board is set: an administrator chooses it.")
            if change.change_type == ChangeType.EMERGENCY
            else _("No change advisory board is set: an administrator chooses it.")
        )
        raise ServiceError(message, field="cab", code="no_board")
    with transaction.atomic():
        approval = approvals.request_approval(actor, change.ticket, board)
        if change.cab_id != board.pk:
            Change.objects.filter(pk=change.pk).update(cab=board)
            change.cab = board
    return approval


def record_outcome(actor: User | None, change: Change, *, outcome: str, notes: str = "") -> Change:
    """How the implementation went; once the change is resolved or closed (not cancelled)."""
    _require_agent(actor)
    if outcome not in Outcome.values:
        raise ServiceError(_("Choose an outcome."), field="outcome", code="required")
    notes = _check_text("outcome_notes", notes)
    with transaction.atomic():
        _require_visible(actor, change.ticket)
        locked = Change.objects.select_for_update().get(pk=change.pk)
        ticket = Ticket.objects.with_related().get(pk=change.pk)
        if ticket.status.key == "cancelled" or ticket.status.category not in (
            StatusCategory.RESOLVED,
            StatusCategory.CLOSED,
        ):
            raise ServiceError(
                _("The outcome is recorded once the change is implemented and resolved."),
                field="outcome",
                code="not_resolved",
            )
        old = locked.outcome
        locked.outcome, locked.outcome_notes = outcome, notes
        locked.save(update_fields=["outcome", "outcome_notes"])
        if old != outcome:
            tickets.record_event(
                ticket,
                actor,
                EventAction.FIELD,
                field="change_outcome",
                old=Outcome(old).label if old else "",
                new=Outcome(outcome).label,
                reason=notes[:200],
                touch=True,
            )
        locked.ticket = ticket
    return locked


def save_review(actor: User, change: Change, *, review: str) -> Change:
    """The post-implementation review: what was learned; who wrote it and when."""
    _require_agent(actor)
    review = _check_text("review", review).strip()
    if not review:
        raise ServiceError(_("Write the review."), field="review", code="required")
    with transaction.atomic():
        _require_visible(actor, change.ticket)
        locked = Change.objects.select_for_update().get(pk=change.pk)
        ticket = Ticket.objects.with_related().get(pk=change.pk)
        if not locked.outcome:
            raise ServiceError(
                _("Record the outcome before the review."), field="review", code="no_outcome"
            )
        old = locked.review
        locked.review, locked.reviewed_by, locked.reviewed_at = review, actor, timezone.now()
        locked.save(update_fields=["review", "reviewed_by", "reviewed_at"])
        tickets.record_event(
            ticket,
            actor,
            EventAction.FIELD,
            field="change_review",
            old=_display("justification", old),
            new=_display("justification", review),
            touch=True,
        )
        locked.ticket = ticket
    return locked


def add_caused_incident(actor: User, change: Change, incident: Ticket) -> TicketLink:
    """The incident was caused by the change (a "caused by" link from the incident)."""
    _require_agent(actor)
    if incident.kind != Kind.INCIDENT:
        raise ServiceError(_("Only an incident is caused by a change."), field="incident")
    return tickets.link_tickets(actor, incident, change.ticket, LinkType.CAUSED_BY)


# --- standard change templates -------------------------------------------------------------

TEMPLATE_FIELDS = (
    "name",
    "description",
    "implementation_plan",
    "backout_plan",
    "test_plan",
    "duration_minutes",
    "group",
    "category",
    "risk",
)
PLAN_OF_TEMPLATE = ("description", "implementation_plan", "backout_plan", "test_plan", "risk")


def _clean_template(values: dict[str, Any], current: ChangeTemplate | None) -> dict[str, Any]:
    if "name" in values or current is None:
        name = str(values.get("name") or "").strip()
        if not name:
            raise ServiceError(_("A name is required."), field="name", code="required")
        if len(name) > 200:
            raise ServiceError(_("At most 200 characters."), field="name", code="max_length")
        same = ChangeTemplate.objects.filter(name__iexact=name)
        if current is not None:
            same = same.exclude(pk=current.pk)
        if same.exists():
            raise ServiceError(_("A template of this name exists."), field="name", code="taken")
        values["name"] = name
    if "risk" in values and values["risk"] not in Risk.values:
        raise ServiceError(_("Choose a risk."), field="risk", code="invalid")
    if "duration_minutes" in values:
        minutes = values["duration_minutes"]
        if not isinstance(minutes, int) or not 1 <= minutes <= 7 * 24 * 60:
            raise ServiceError(
                _("Between 1 minute and a week."), field="duration_minutes", code="invalid"
            )
    for key in ("description", "implementation_plan", "backout_plan", "test_plan"):
        if key in values:
            values[key] = _check_text(key, values[key])
    return values


def create_template(actor: User, **values: Any) -> ChangeTemplate:
    """A draft standard change template; a change manager approves it."""
    _require_agent(actor)
    unknown = set(values) - set(TEMPLATE_FIELDS)
    if unknown:
        raise ServiceError(_("Unknown field."), field=sorted(unknown)[0], code="unknown")
    values = _clean_template(dict(values), None)
    with transaction.atomic():
        return ChangeTemplate.objects.create(**values)


def update_template(actor: User, template: ChangeTemplate, **values: Any) -> ChangeTemplate:
    """Edit a template; changing what it does (plans, risk) returns an approved one to
    draft: it must be approved again."""
    _require_agent(actor)
    unknown = set(values) - set(TEMPLATE_FIELDS)
    if unknown:
        raise ServiceError(_("Unknown field."), field=sorted(unknown)[0], code="unknown")
    values = _clean_template(dict(values), template)
    with transaction.atomic():
        locked = ChangeTemplate.objects.select_for_update().get(pk=template.pk)
        material = any(
            key in values and values[key] != getattr(locked, key) for key in PLAN_OF_TEMPLATE
        )
        for key, value in values.items():
            setattr(locked, key, value)
        if material and locked.state == TemplateState.APPROVED:
            locked.state, locked.approved_by, locked.approved_at = TemplateState.DRAFT, None, None
        locked.updated_at = timezone.now()
        locked.save()
    return locked


def set_template_state(actor: User, template: ChangeTemplate, state: str) -> ChangeTemplate:
    """Approve, retire or return to draft: change managers only."""
    if not access.is_change_manager(actor):
        raise PermissionDenied(_("Only change managers approve standard change templates."))
    if state not in TemplateState.values:
        raise ServiceError(_("Unknown state."), field="state", code="invalid")
    with transaction.atomic():
        locked = ChangeTemplate.objects.select_for_update().get(pk=template.pk)
        if state == TemplateState.APPROVED and not locked.implementation_plan.strip():
            raise ServiceError(
                _("A template needs an implementation plan to be approved."),
                field="implementation_plan",
                code="required",
            )
        locked.state = state
        if state == TemplateState.APPROVED:
            locked.approved_by, locked.approved_at = actor, timezone.now()
        locked.updated_at = timezone.now()
        locked.save()
    return locked


def save_settings(
    actor: User, *, cab: ApprovalTemplate | None, ecab: ApprovalTemplate | None
) -> ChangeSettings:
    """Which approval templates are the CAB and the ECAB: administrators only."""
    if not access.is_admin(actor):
        raise PermissionDenied(_("Only administrators choose the advisory boards."))
    for field, board in (("cab", cab), ("ecab", ecab)):
        if board is not None and not (board.is_active and board.fits(Kind.CHANGE)):
            raise ServiceError(
                _("Choose an active approval template for changes."), field=field, code="invalid"
            )
    with transaction.atomic():
        settings = ChangeSettings.load()
        settings.cab, settings.ecab = cab, ecab
        settings.save()
    return settings
