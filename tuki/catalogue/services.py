"""Writing the catalogue: administrators shape items and their forms; anybody orders what
they may (an agent for a caller); agents tick the fulfilment tasks off (docs/catalogue.md).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tuki.accounts.models import SupportGroup
from tuki.approvals import services as approvals
from tuki.catalogue import access, conditions
from tuki.catalogue.models import (
    CatalogueCategory,
    CatalogueItem,
    CatalogueOrder,
    FulfilmentTask,
    FulfilmentTaskTemplate,
    ItemField,
    ItemKind,
)
from tuki.lib.errors import ServiceError, ServiceErrors
from tuki.tickets import fields as custom_fields, services as tickets
from tuki.tickets.models import Channel, CustomField, EventAction, Ticket

if TYPE_CHECKING:
    from tuki.accounts.models import User

CATEGORY_FIELDS = ("name", "translations", "description", "icon", "position")
ITEM_FIELDS = (
    "name",
    "short_description",
    "description",
    "translations",
    "category",
    "kind",
    "ticket_category",
    "approval_template",
    "fulfilment_group",
    "is_active",
    "position",
)


def _require_admin(actor: User) -> None:
    if not access.is_admin(actor):
        raise PermissionDenied(_("Only administrators manage the catalogue."))


def _required_name(value: Any) -> str:
    name = str(value or "").strip()
    if not name:
        raise ServiceError(_("A name is required."), field="name", code="required")
    return name


def save_category(
    actor: User, category: CatalogueCategory | None, data: Mapping[str, Any]
) -> CatalogueCategory:
    _require_admin(actor)
    category = category or CatalogueCategory()
    name = _required_name(data.get("name"))
    clash = CatalogueCategory.objects.filter(name__iexact=name).exclude(pk=category.pk)
    if clash.exists():
        raise ServiceError(_("Another category has this name."), field="name", code="taken")
    for attribute in CATEGORY_FIELDS:
        if attribute in data:
            setattr(category, attribute, data[attribute])
    category.name = name
    category.save()
    return category


def save_item(actor: User, item: CatalogueItem | None, data: Mapping[str, Any]) -> CatalogueItem:
    """Create or change an item; `organisations` and `groups` (if given) set its audience."""
    _require_admin(actor)
    item = item or CatalogueItem()
    name = _required_name(data.get("name", item.name))
    category = data.get("category", getattr(item, "category", None))
    if category is None:
        raise ServiceError(_("Choose a category."), field="category", code="required")
    kind = data.get("kind", item.kind)
    if kind not in ItemKind.values:
        raise ServiceError(_("Unknown ticket kind."), field="kind", code="invalid_kind")
    template = data.get("approval_template", item.approval_template)
    if template is not None and kind != ItemKind.REQUEST:
        raise ServiceError(
            _("Only service requests wait for an approval."),
            field="approval_template",
            code="kind_not_approvable",
        )
    clash = CatalogueItem.objects.filter(category=category, name__iexact=name).exclude(pk=item.pk)
    if clash.exists():
        raise ServiceError(
            _("Another item of this category has this name."), field="name", code="taken"
        )
    with transaction.atomic():
        for attribute in ITEM_FIELDS:
            if attribute in data:
                setattr(item, attribute, data[attribute])
        item.name, item.updated_at = name, timezone.now()
        item.save()
        if "organisations" in data:
            item.organisations.set(data["organisations"])
        if "groups" in data:
            item.groups.set(data["groups"])
    return item


def set_form(actor: User, item: CatalogueItem, rows: Sequence[Mapping[str, Any]]) -> None:
    """Replace the item's form: rows of {"field": CustomField, "section", "section_translations",
    "required", "condition"} in order. A condition may only test another field of the form."""
    _require_admin(actor)
    keys = [row["field"].key for row in rows if isinstance(row.get("field"), CustomField)]
    if len(keys) != len(rows):
        raise ServiceError(_("Choose a field."), field="fields", code="required")
    if len(set(keys)) != len(keys):
        raise ServiceError(
            _("A field can only be asked once per form."), field="fields", code="duplicate"
        )
    built = []
    for position, row in enumerate(rows, start=1):
        field = row["field"]
        condition = conditions.clean_condition(row.get("condition"), keys, field.key)
        built.append(
            ItemField(
                item=item,
                field=field,
                section=str(row.get("section") or "").strip()[:120],
                section_translations=dict(row.get("section_translations") or {}),
                required=bool(row.get("required")),
                condition=condition,
                position=position,
            )
        )
    with transaction.atomic():
        item.fields.all().delete()
        for question in built:
            question.save()  # one by one: the audit trail records each


def set_tasks(actor: User, item: CatalogueItem, rows: Sequence[Mapping[str, Any]]) -> None:
    """Replace the item's fulfilment checklist: rows of {"title", "group"} in order."""
    _require_admin(actor)
    built = []
    for position, row in enumerate(rows, start=1):
        title = str(row.get("title") or "").strip()
        if not title:
            raise ServiceError(_("A task needs a title."), field="tasks", code="required")
        group = row.get("group")
        if group is not None and not isinstance(group, SupportGroup):
            raise ServiceError(_("Unknown group."), field="tasks", code="invalid")
        built.append(
            FulfilmentTaskTemplate(item=item, title=title[:200], group=group, position=position)
        )
    with transaction.atomic():
        item.tasks.all().delete()
        for line in built:
            line.save()


# --- ordering --------------------------------------------------------------------------------


def form_of(item: CatalogueItem) -> list[ItemField]:
    """The item's questions in order, active custom fields only (one query)."""
    return [
        f
        for f in item.fields.select_related("field").order_by("position", "id")
        if f.field.is_active
    ]


def resolve_form(
    form: Sequence[ItemField], values: Mapping[str, Any]
) -> dict[str, conditions.State]:
    return conditions.resolve([(f.field.key, f.condition, f.required) for f in form], values)


def clean_answers(item: CatalogueItem, values: Mapping[str, Any]) -> dict[str, Any]:
    """The answers to store: hidden questions dropped, every shown one checked by the custom
    fields' own rules (tuki/tickets/fields.py) and required-when-shown enforced. Raises
    ServiceErrors naming each field ("custom.<key>")."""
    form = form_of(item)
    by_key = {f.field.key: f for f in form}
    errors: list[ServiceError] = [
        ServiceError(_("This form has no such field."), field=f"custom.{key}", code="unknown")
        for key in values
        if key not in by_key
    ]
    states = resolve_form(form, values)
    cleaned: dict[str, Any] = {}
    for key, question in by_key.items():
        if not states[key].shown:
            continue
        try:
            value = custom_fields.clean_value(question.field, values.get(key))
        except ServiceError as exc:
            errors.append(exc)
            continue
        if conditions.is_empty(value) and question.field.type == "checkbox":
            value = False if value is False else None
        if value is None or value == []:
            if states[key].required:
                errors.append(
                    ServiceError(
                        _("This field is required."), field=f"custom.{key}", code="required"
                    )
                )
            continue
        cleaned[key] = value
    if errors:
        raise ServiceErrors(errors)
    return cleaned


def _answers_text(item: CatalogueItem, answers: Mapping[str, Any]) -> str:
    """The answers in plain words, in the form's order (the ticket's description)."""
    lines = [_("Ordered from the catalogue: %(item)s") % {"item": item.name}, ""]
    for question in form_of(item):
        key = question.field.key
        if key in answers:
            value = custom_fields.event_display(question.field, answers[key])
            lines.append(f"{custom_fields.label(question.field)}: {value}")
    return "\n".join(lines).strip()


def order_item(
    actor: User,
    item: CatalogueItem,
    requester: User,
    values: Mapping[str, Any],
    channel: str = Channel.WEB,
) -> Ticket:
    """File an order: the ticket (with the answers in its custom fields), its fulfilment
    tasks and the item's approval, all or nothing. An agent may order for a caller."""
    if requester.pk != actor.pk and not access.is_agent(actor):
        raise PermissionDenied(_("You can only order for yourself."))
    if not access.may_order(requester, item):
        raise ServiceError(
            _("%(person)s may not order this item.") % {"person": requester},
            field="requester",
            code="not_in_audience",
        )
    answers = clean_answers(item, dict(values))
    description = _answers_text(item, answers)
    with transaction.atomic():
        ticket = tickets.create_ticket(
            actor,
            title=item.name,
            requester=requester,
            description=description,
            kind=item.kind,
            category=item.ticket_category,
            channel=channel,
            group=item.fulfilment_group,
            custom=answers,
            custom_form=[f.field.key for f in item.fields.select_related("field")],
        )
        if item.fulfilment_group is not None and ticket.group_id != item.fulfilment_group.pk:
            # A requester's own ticket starts at the desk (create_ticket); the item decides.
            ticket = tickets.escalate_ticket(None, ticket, group=item.fulfilment_group)
        CatalogueOrder.objects.create(ticket=ticket, item=item, ordered_by=actor)
        FulfilmentTask.objects.bulk_create(
            FulfilmentTask(ticket=ticket, title=t.title, group=t.group, position=t.position)
            for t in item.tasks.all()
        )
        if item.approval_template is not None and item.approval_template.is_active:
            approvals.request_approval(None, ticket, item.approval_template)
    return ticket


# --- fulfilment ------------------------------------------------------------------------------


def _tick(actor: User, task: FulfilmentTask, done: bool) -> FulfilmentTask:
    if not Ticket.objects.visible_to(actor).filter(pk=task.ticket_id).exists():
        raise PermissionDenied(_("You cannot see this ticket."))
    with transaction.atomic():
        ticket = Ticket.objects.select_for_update().get(pk=task.ticket_id)
        if not access.can_tick(actor, ticket):
            raise PermissionDenied(_("You cannot work on this ticket."))
        task = FulfilmentTask.objects.select_for_update().get(pk=task.pk)
        if (task.done_at is not None) == done:
            return task
        task.done_at, task.done_by = (timezone.now(), actor) if done else (None, None)
        task.save(update_fields=["done_at", "done_by"])
        tickets.record_event(
            ticket,
            actor,
            EventAction.FIELD,
            field="fulfilment",
            old="" if done else task.title,
            new=task.title if done else "",
        )
    return task


def complete_task(actor: User, task: FulfilmentTask) -> FulfilmentTask:
    return _tick(actor, task, True)


def reopen_task(actor: User, task: FulfilmentTask) -> FulfilmentTask:
    return _tick(actor, task, False)
