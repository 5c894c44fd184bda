"""What rules are built from: events, condition fields, operators and actions, each with a
translated label and the type of its value. The rule pages build their pickers from it and
`validation.py` checks a submitted rule against it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast

from django.conf import settings
from django.db.models import Model
from django.utils.functional import Promise, lazy
from django.utils.translation import gettext_lazy

from tuki.accounts.models import Location, Organisation, SupportGroup, User
from tuki.approvals.models import ApprovalTemplate
from tuki.macros.models import Macro
from tuki.surveys.models import Score
from tuki.tickets import fields as custom_fields
from tuki.tickets.models import (
    Category,
    Channel,
    CustomField,
    FieldType,
    Impact,
    Kind,
    LinkType,
    Priority,
    Status,
    StatusCategory,
    Urgency,
)
from tuki.webhooks.models import Webhook

Choices = list[tuple[Any, Any]]

# --- events ------------------------------------------------------------------------------------

EVENTS: dict[str, Promise] = {
    "created": gettext_lazy("Ticket created"),
    "updated": gettext_lazy("Ticket updated"),
    "reply": gettext_lazy("Public reply added"),
    "note": gettext_lazy("Internal note added"),
    "status_changed": gettext_lazy("Status changed"),
    "email_received": gettext_lazy("Email received"),
    "sla_warning": gettext_lazy("SLA warning"),
    "sla_breach": gettext_lazy("SLA breached"),
    "survey_answered": gettext_lazy("Satisfaction survey answered"),
}

# Fields a rule may watch with "changed", "changed_from" and "changed_to" (event triggers),
# named as TicketEvent.field records them.
WAIT_SINCE: dict[str, Promise] = {
    "status_changed": gettext_lazy("the last status change"),
    "created": gettext_lazy("the ticket was created"),
    "updated": gettext_lazy("the last update"),
    "last_reply": gettext_lazy("the last public reply"),
}

# --- operators ----------------------------------------------------------------------------------

OPERATORS: dict[str, Promise] = {
    "eq": gettext_lazy("is"),
    "ne": gettext_lazy("is not"),
    "in": gettext_lazy("is one of"),
    "not_in": gettext_lazy("is none of"),
    "contains": gettext_lazy("contains"),
    "not_contains": gettext_lazy("does not contain"),
    "starts_with": gettext_lazy("starts with"),
    "gt": gettext_lazy("is greater than"),
    "gte": gettext_lazy("is at least"),
    "lt": gettext_lazy("is less than"),
    "lte": gettext_lazy("is at most"),
    "is_set": gettext_lazy("is set"),
    "is_not_set": gettext_lazy("is not set"),
    "changed": gettext_lazy("changed"),
    "changed_from": gettext_lazy("changed from"),
    "changed_to": gettext_lazy("changed to"),
    "more_than": gettext_lazy("more than"),
    "less_than": gettext_lazy("less than"),
    "before": gettext_lazy("is before"),
    "after": gettext_lazy("is after"),
}
LIST_OPS = ("in", "not_in")
NO_VALUE_OPS = ("is_set", "is_not_set", "changed")
CHANGE_OPS = ("changed", "changed_from", "changed_to")

_EQ = ("eq", "ne", "in", "not_in")
_ORDER = ("gt", "gte", "lt", "lte")
_SET = ("is_set", "is_not_set")
_TEXT = ("eq", "ne", "contains", "not_contains", "starts_with", *_SET)


# --- choices (callables: read when needed, so new statuses and groups appear) -----------------


def status_choices() -> Choices:
    return [(s.key, s.label) for s in Status.objects.order_by("order")]


def _languages() -> Choices:
    return [(code, name) for code, name in settings.LANGUAGES]


def _model_choices(model: type[Model], **filters: Any) -> Callable[[], Choices]:
    def load() -> Choices:
        return [(o.pk, str(o)) for o in model._default_manager.filter(**filters)]

    return load


AGENTS = _model_choices(User, is_agent=True, is_active=True)
_GROUPS = _model_choices(SupportGroup, is_active=True)
_CATEGORIES = _model_choices(Category, is_active=True)
_ORGANISATIONS = _model_choices(Organisation, is_active=True)
_LOCATIONS = _model_choices(Location)

# Value types that are the id of a row, with the model the id must name.
REFERENCES: dict[str, type[Model]] = {
    "user": User,
    "group": SupportGroup,
    "category": Category,
    "organisation": Organisation,
    "location": Location,
}


# --- condition fields --------------------------------------------------------------------------


@dataclass(frozen=True)
class FieldSpec:
    """A field conditions may test. `tracked` names the TicketEvent.field a "changed" test
    watches (None: the field cannot be tested for changes)."""

    key: str
    label: Promise
    type: str
    operators: tuple[str, ...]
    choices: Callable[[], Choices] | None = None
    kinds: tuple[str, ...] | None = None
    tracked: str | None = None
    custom: str | None = None  # a custom field's key ("custom.<key>" fields)


def _field(
    key: str,
    label: Promise,
    type_: str,
    operators: tuple[str, ...],
    choices: Callable[[], Choices] | None = None,
    tracked: str | None = None,
) -> FieldSpec:
    if tracked:
        change_ops = ("changed",) if type_ in ("text", "tags") else CHANGE_OPS
        operators = (*operators, *change_ops)
    return FieldSpec(key, label, type_, operators, choices, None, tracked)


_DURATION_OPS = ("more_than", "less_than")

CONDITION_FIELDS: dict[str, FieldSpec] = {
    f.key: f
    for f in (
        _field("kind", gettext_lazy("Kind"), "choice", _EQ, lambda: Kind.choices, "kind"),
        _field("status", gettext_lazy("Status"), "choice", _EQ, status_choices, "status"),
        _field(
            "status_category",
            gettext_lazy("Status category"),
            "choice",
            _EQ,
            lambda: StatusCategory.choices,
        ),
        _field(
            "priority",
            gettext_lazy("Priority"),
            "choice",
            _EQ + _ORDER,
            lambda: Priority.choices,
            "priority",
        ),
        _field(
            "impact",
            gettext_lazy("Impact"),
            "choice",
            _EQ + _ORDER,
            lambda: Impact.choices,
            "impact",
        ),
        _field(
            "urgency",
            gettext_lazy("Urgency"),
            "choice",
            _EQ + _ORDER,
            lambda: Urgency.choices,
            "urgency",
        ),
        _field(
            "category", gettext_lazy("Category"), "category", _EQ + _SET, _CATEGORIES, "category"
        ),
        _field("group", gettext_lazy("Group"), "group", _EQ, _GROUPS, "group"),
        _field("assignee", gettext_lazy("Assignee"), "user", _EQ + _SET, AGENTS, "assignee"),
        _field("owner_group", gettext_lazy("Owning service desk"), "group", _EQ, _GROUPS),
        _field("channel", gettext_lazy("Channel"), "choice", _EQ, lambda: Channel.choices),
        _field("title", gettext_lazy("Title"), "text", _TEXT, None, "title"),
        _field("description", gettext_lazy("Description"), "text", _TEXT, None, "description"),
        _field(
            "tags", gettext_lazy("Tags"), "tags", ("contains", "not_contains", *_SET), None, "tags"
        ),
        _field("restricted", gettext_lazy("Restricted"), "bool", ("eq",)),
        _field(
            "text",
            gettext_lazy("Title, description or last comment"),
            "text",
            ("contains", "not_contains"),
        ),
        _field(
            "organisation", gettext_lazy("Organisation"), "organisation", _EQ + _SET, _ORGANISATIONS
        ),
        _field("organisation.name", gettext_lazy("Organisation name"), "text", _TEXT),
        _field("location", gettext_lazy("Location"), "location", _EQ + _SET, _LOCATIONS),
        _field("requester.email", gettext_lazy("Requester's email"), "text", _TEXT),
        _field(
            "requester.organisation",
            gettext_lazy("Requester's organisation"),
            "organisation",
            _EQ + _SET,
            _ORGANISATIONS,
        ),
        _field(
            "requester.location",
            gettext_lazy("Requester's office"),
            "location",
            _EQ + _SET,
            _LOCATIONS,
        ),
        _field(
            "requester.language", gettext_lazy("Requester's language"), "choice", _EQ, _languages
        ),
        _field("requester.is_agent", gettext_lazy("Requester is an agent"), "bool", ("eq",)),
        _field("time_since.created", gettext_lazy("Time since created"), "duration", _DURATION_OPS),
        _field(
            "time_since.updated", gettext_lazy("Time since last update"), "duration", _DURATION_OPS
        ),
        _field(
            "time_since.status_changed",
            gettext_lazy("Time since the status changed"),
            "duration",
            _DURATION_OPS,
        ),
        _field(
            "time_since.last_reply",
            gettext_lazy("Time since the last public reply"),
            "duration",
            _DURATION_OPS,
        ),
        _field("business_hours", gettext_lazy("Within business hours"), "bool", ("eq",)),
        # The latest answered satisfaction survey of the ticket (tuki/surveys): 1-5.
        _field(
            "survey.score",
            gettext_lazy("Satisfaction score"),
            "choice",
            _EQ + _ORDER + _SET,
            lambda: Score.choices,
        ),
    )
}

# --- custom fields (tuki/tickets/fields.py): "custom.<key>" for every active field -----------

CUSTOM_PREFIX = "custom."
# A custom field's type → (the type conditions give its value, its operators).
_CUSTOM_TESTS: dict[str, tuple[str, tuple[str, ...]]] = {
    FieldType.CHOICE: ("choice", _EQ + _SET + CHANGE_OPS),
    FieldType.MULTI_CHOICE: ("choice", ("contains", "not_contains", *_SET, "changed")),
    FieldType.CHECKBOX: ("bool", ("eq", *CHANGE_OPS)),
    FieldType.TEXT: ("text", (*_TEXT, "changed")),
    FieldType.LONG_TEXT: ("text", ("contains", "not_contains", *_SET, "changed")),
    FieldType.NUMBER: ("number", ("eq", "ne", *_ORDER, *_SET, "changed")),
    FieldType.DATE: ("date", ("eq", "before", "after", *_SET, "changed")),
    FieldType.USER: ("user", ("eq", "ne", *_SET, "changed")),
    FieldType.ORGANISATION: ("organisation", ("eq", "ne", *_SET, "changed")),
    FieldType.CI: ("ci", ("eq", "ne", *_SET, "changed")),
}


def _custom_label(field: CustomField) -> Promise:
    """The field's label in the reader's language, read when shown."""
    return cast(Promise, lazy(custom_fields.label, str)(field))


def _custom_choices(field: CustomField) -> Callable[[], Choices] | None:
    if field.type in (FieldType.CHOICE, FieldType.MULTI_CHOICE):
        return lambda: list(custom_fields.choice_options(field))
    if field.type == FieldType.ORGANISATION:
        return _ORGANISATIONS
    return None  # users and configuration items: an id (there may be thousands)


def custom_spec(field: CustomField) -> FieldSpec:
    type_, operators = _CUSTOM_TESTS.get(field.type, ("text", _SET))
    key = CUSTOM_PREFIX + field.key
    return FieldSpec(
        key,
        _custom_label(field),
        type_,
        operators,
        _custom_choices(field),
        tuple(field.kinds) or None,
        key,  # the timeline's "custom.<key>" events: what "changed" watches
        field.key,
    )


def custom_condition_fields() -> dict[str, FieldSpec]:
    """A condition field per active custom field (read per process: tuki.configcache)."""
    return {
        CUSTOM_PREFIX + f.key: custom_spec(f)
        for f in custom_fields.definitions().fields
        if f.type in _CUSTOM_TESTS
    }


def condition_field(name: str) -> FieldSpec | None:
    """The spec of a condition field: a fixed one or an active custom field's."""
    if name.startswith(CUSTOM_PREFIX):
        found = custom_fields.field_by_key(name[len(CUSTOM_PREFIX) :])
        return custom_spec(found) if found is not None and found.type in _CUSTOM_TESTS else None
    return CONDITION_FIELDS.get(name)


def condition_fields() -> dict[str, FieldSpec]:
    """Every condition field: the fixed ones, then the active custom fields in their order."""
    return {**CONDITION_FIELDS, **custom_condition_fields()}


def custom_field_choices() -> Choices:
    """Active custom fields for the "set a custom field" action: (key, label)."""
    return [(f.key, custom_fields.label(f)) for f in custom_fields.definitions().fields]


# --- actions -----------------------------------------------------------------------------------

RECIPIENTS: dict[str, Promise] = {
    "assignee": gettext_lazy("the assignee"),
    "group": gettext_lazy("the group's members"),
    "owner": gettext_lazy("the owning agent"),
    "owner_group": gettext_lazy("the owning service desk"),
    "group_manager": gettext_lazy("the group's manager"),
    "watchers": gettext_lazy("the watchers"),
}
EMAIL_RECIPIENTS: dict[str, Promise] = {
    "requester": gettext_lazy("the requester"),
    "assignee": gettext_lazy("the assignee"),
    "group_manager": gettext_lazy("the group's manager"),
    "address": gettext_lazy("an address"),
}
# Fields set_field may set, with the type of their value.
SETTABLE_FIELDS: dict[str, tuple[Promise, str, Callable[[], Choices] | None]] = {
    "impact": (gettext_lazy("Impact"), "choice", lambda: Impact.choices),
    "urgency": (gettext_lazy("Urgency"), "choice", lambda: Urgency.choices),
    "category": (gettext_lazy("Category"), "category", _CATEGORIES),
    "restricted": (gettext_lazy("Restricted"), "bool", None),
    "title": (gettext_lazy("Title"), "template", None),
}


@dataclass(frozen=True)
class ParamSpec:
    key: str
    label: Promise
    type: str  # choice, text, template, user, group, category, tags, bool, recipients,
    # email_recipient, address, webhook, macro, approval_template, link_type, kind, status,
    # settable_field, field_value, custom_field, custom_value
    required: bool = True
    choices: Callable[[], Choices] | None = None


@dataclass(frozen=True)
class ActionSpec:
    key: str
    label: Promise
    params: tuple[ParamSpec, ...]
    kinds: tuple[str, ...] | None = None


def _p(
    key: str, label: Promise, type_: str, required: bool = True, choices: Any = None
) -> ParamSpec:
    return ParamSpec(key, label, type_, required, choices)


ACTIONS: dict[str, ActionSpec] = {
    a.key: a
    for a in (
        ActionSpec(
            "set_field",
            gettext_lazy("Set a field"),
            (
                _p(
                    "field",
                    gettext_lazy("Field"),
                    "settable_field",
                    choices=lambda: [(k, v[0]) for k, v in SETTABLE_FIELDS.items()],
                ),
                _p("value", gettext_lazy("Value"), "field_value"),
            ),
        ),
        ActionSpec(
            "set_custom_field",
            gettext_lazy("Set a custom field"),
            (
                _p(
                    "field",
                    gettext_lazy("Custom field"),
                    "custom_field",
                    choices=custom_field_choices,
                ),
                _p("value", gettext_lazy("Value"), "custom_value"),
            ),
        ),
        ActionSpec(
            "set_status",
            gettext_lazy("Set the status"),
            (
                _p("status", gettext_lazy("Status"), "status", choices=status_choices),
                _p("reason", gettext_lazy("Reason"), "template", required=False),
            ),
        ),
        ActionSpec(
            "assign",
            gettext_lazy("Assign to a group or agent"),
            (
                _p("group", gettext_lazy("Group"), "group", required=False, choices=_GROUPS),
                _p("assignee", gettext_lazy("Agent"), "user", required=False, choices=AGENTS),
            ),
        ),
        ActionSpec(
            "add_tags", gettext_lazy("Add tags"), (_p("tags", gettext_lazy("Tags"), "tags"),)
        ),
        ActionSpec(
            "remove_tags", gettext_lazy("Remove tags"), (_p("tags", gettext_lazy("Tags"), "tags"),)
        ),
        ActionSpec(
            "add_note",
            gettext_lazy("Add an internal note"),
            (_p("body", gettext_lazy("Text"), "template"),),
        ),
        ActionSpec(
            "public_reply",
            gettext_lazy("Reply to the requester"),
            (_p("body", gettext_lazy("Text"), "template"),),
        ),
        ActionSpec(
            "notify",
            gettext_lazy("Send a notification"),
            (
                _p(
                    "to", gettext_lazy("To"), "recipients", choices=lambda: list(RECIPIENTS.items())
                ),
                _p("text", gettext_lazy("Text"), "template"),
            ),
        ),
        ActionSpec(
            "send_email",
            gettext_lazy("Send an email"),
            (
                _p(
                    "to",
                    gettext_lazy("To"),
                    "email_recipient",
                    choices=lambda: list(EMAIL_RECIPIENTS.items()),
                ),
                _p("address", gettext_lazy("Address"), "address", required=False),
                _p("subject", gettext_lazy("Subject"), "template"),
                _p("body", gettext_lazy("Text"), "template"),
            ),
        ),
        ActionSpec(
            "webhook",
            gettext_lazy("Call a webhook"),
            (_p("webhook", gettext_lazy("Webhook"), "webhook"),),
        ),
        ActionSpec(
            "create_ticket",
            gettext_lazy("Create a linked ticket"),
            (
                _p("kind", gettext_lazy("Kind"), "kind", choices=lambda: Kind.choices),
                _p("title", gettext_lazy("Title"), "template"),
                _p("description", gettext_lazy("Description"), "template", required=False),
                _p("group", gettext_lazy("Group"), "group", required=False, choices=_GROUPS),
                _p(
                    "link_type",
                    gettext_lazy("Link"),
                    "link_type",
                    required=False,
                    choices=lambda: LinkType.choices,
                ),
            ),
        ),
        ActionSpec(
            "run_macro",
            gettext_lazy("Run a macro"),
            (_p("macro", gettext_lazy("Macro"), "macro"),),
        ),
        ActionSpec("escalate_to_manager", gettext_lazy("Escalate to the group's manager"), ()),
        ActionSpec(
            "declare_major",
            gettext_lazy("Declare a major incident"),
            (_p("summary", gettext_lazy("Public summary"), "template", required=False),),
            kinds=(Kind.INCIDENT,),
        ),
        ActionSpec(
            "request_approval",
            gettext_lazy("Request approval"),
            (_p("template", gettext_lazy("Approval template"), "approval_template"),),
            kinds=(Kind.REQUEST, Kind.CHANGE),
        ),
    )
}

# Other apps' models the id params point at.
PLUGGED_MODELS: dict[str, type[Model]] = {
    "webhook": Webhook,
    "macro": Macro,
    "approval_template": ApprovalTemplate,
}

MAX_DEPTH = 3  # nesting of condition groups
MAX_ITEMS = 50
PLACEHOLDERS = (
    "ticket.number",
    "ticket.title",
    "ticket.status",
    "ticket.priority",
    "ticket.group",
    "ticket.assignee",
    "ticket.url",
    "requester.name",
    "requester.first_name",
    "requester.email",
    "agent.name",
    "organisation.name",
)
PLACEHOLDER_RE = re.compile(r"\{\{\s*([a-z_.]+)\s*\}\}")
