"""The catalogue rules are built from and checked against: events, condition fields,
operators and actions, each with a translated label (the rule pages build their pickers
from it), and `validate_rule`, which refuses an invalid rule when it is saved, naming the
field at fault as a path ("conditions.items.2.value", "actions.0.group").
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tuki.lib.errors import ServiceError
from tuki.tickets.models import (
    Channel,
    Impact,
    Kind,
    LinkType,
    Priority,
    StatusCategory,
    Urgency,
)

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
}
LIST_OPS = ("in", "not_in")
NO_VALUE_OPS = ("is_set", "is_not_set", "changed")
CHANGE_OPS = ("changed", "changed_from", "changed_to")

_EQ = ("eq", "ne", "in", "not_in")
_ORDER = ("gt", "gte", "lt", "lte")
_SET = ("is_set", "is_not_set")
_TEXT = ("eq", "ne", "contains", "not_contains", "starts_with", *_SET)


# --- choices (callables: read when needed, so new statuses and groups appear) -----------------


def _statuses() -> Choices:
    from tuki.tickets.models import Status

    return [(s.key, s.label) for s in Status.objects.order_by("order")]


def _languages() -> Choices:
    return [(code, name) for code, name in settings.LANGUAGES]


def _model_choices(path: str, **filters: Any) -> Callable[[], Choices]:
    def load() -> Choices:
        module, name = path.rsplit(".", 1)
        model = getattr(importlib.import_module(module), name)
        return [(o.pk, str(o)) for o in model.objects.filter(**filters)]

    return load


_USERS = _model_choices("tuki.accounts.models.User", is_agent=True, is_active=True)
_GROUPS = _model_choices("tuki.accounts.models.SupportGroup", is_active=True)
_CATEGORIES = _model_choices("tuki.tickets.models.Category", is_active=True)
_ORGANISATIONS = _model_choices("tuki.accounts.models.Organisation", is_active=True)
_LOCATIONS = _model_choices("tuki.accounts.models.Location")

# type → (model path for id checks, choices)
_REFERENCES: dict[str, str] = {
    "user": "tuki.accounts.models.User",
    "group": "tuki.accounts.models.SupportGroup",
    "category": "tuki.tickets.models.Category",
    "organisation": "tuki.accounts.models.Organisation",
    "location": "tuki.accounts.models.Location",
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
        _field("status", gettext_lazy("Status"), "choice", _EQ, _statuses, "status"),
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
        _field("assignee", gettext_lazy("Assignee"), "user", _EQ + _SET, _USERS, "assignee"),
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
    )
}

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
    # settable_field, field_value
    required: bool = True
    choices: Callable[[], Choices] | None = None


@dataclass(frozen=True)
class ActionSpec:
    key: str
    label: Promise
    params: tuple[ParamSpec, ...]
    kinds: tuple[str, ...] | None = None
    # The other app's service this action calls: it must be on main to save such a rule.
    needs: tuple[str, str] | None = None


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
            "set_status",
            gettext_lazy("Set the status"),
            (
                _p("status", gettext_lazy("Status"), "status", choices=_statuses),
                _p("reason", gettext_lazy("Reason"), "template", required=False),
            ),
        ),
        ActionSpec(
            "assign",
            gettext_lazy("Assign to a group or agent"),
            (
                _p("group", gettext_lazy("Group"), "group", required=False, choices=_GROUPS),
                _p("assignee", gettext_lazy("Agent"), "user", required=False, choices=_USERS),
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
            needs=("tuki.notifications.services", "notify"),
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
            needs=("tuki.webhooks.services", "queue_delivery"),
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
            needs=("tuki.macros.services", "apply_macro"),
        ),
        ActionSpec("escalate_to_manager", gettext_lazy("Escalate to the group's manager"), ()),
        ActionSpec(
            "request_approval",
            gettext_lazy("Request approval"),
            (_p("template", gettext_lazy("Approval template"), "approval_template"),),
            kinds=(Kind.REQUEST, Kind.CHANGE),
            needs=("tuki.approvals.services", "request_approval"),
        ),
    )
}

# Other apps' models the id params point at.
_PLUGGED_MODELS = {
    "webhook": ("tuki.webhooks.models", "Webhook"),
    "macro": ("tuki.macros.models", "Macro"),
    "approval_template": ("tuki.approvals.models", "ApprovalTemplate"),
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


def available(spec: ActionSpec) -> bool:
    """Whether the other app this action calls is on main (its service exists)."""
    if spec.needs is None:
        return True
    module, name = spec.needs
    try:
        return hasattr(importlib.import_module(module), name)
    except ImportError:
        return False


# --- validation --------------------------------------------------------------------------------


class _Refused(Exception):
    def __init__(self, path: str, message: str, code: str = "invalid") -> None:
        self.path, self.message, self.code = path, message, code


def validate_rule(data: dict[str, Any]) -> dict[str, Any]:
    """A cleaned copy of a rule's definition, or ServiceError naming the field at fault."""
    try:
        return _Validator(data).clean()
    except _Refused as refused:
        raise ServiceError(refused.message, field=refused.path, code=refused.code) from None


def validate_conditions(
    conditions: Any, kinds: Any = (), trigger: str = "event"
) -> tuple[dict[str, Any], list[str]]:
    """Cleaned conditions and kinds alone (the rule editor's preview), or ServiceError."""
    try:
        validator = _Validator({})
        cleaned_kinds = validator._kinds(list(kinds or []))
        validator.kinds = cleaned_kinds or list(Kind.values)
        validator.trigger = trigger
        tree = conditions or {"match": "all", "items": []}
        return validator._group(tree, "conditions", 1), cleaned_kinds
    except _Refused as refused:
        raise ServiceError(refused.message, field=refused.path, code=refused.code) from None


class _Validator:
    kinds: list[str]
    trigger: str

    def __init__(self, data: dict[str, Any]) -> None:
        self.data = data

    def clean(self) -> dict[str, Any]:
        data = self.data
        out: dict[str, Any] = {}
        name = data.get("name")
        if not isinstance(name, str) or not name.strip():
            raise _Refused("name", _("A name is required."), "required")
        if len(name.strip()) > 120:
            raise _Refused("name", _("At most 120 characters."))
        out["name"] = name.strip()
        out["description"] = self._text(data.get("description", ""), "description")
        out["is_active"] = self._bool(data.get("is_active", True), "is_active")
        out["stop_processing"] = self._bool(data.get("stop_processing", False), "stop_processing")
        position = data.get("position", 100)
        if (
            not isinstance(position, int)
            or isinstance(position, bool)
            or not 0 <= position <= 1_000_000
        ):
            raise _Refused("position", _("Give a whole number from 0 to 1000000."))
        out["position"] = position
        trigger = data.get("trigger", "event")
        if trigger not in ("event", "scheduled"):
            raise _Refused("trigger", _("Choose when the rule runs."))
        out["trigger"] = trigger
        out["kinds"] = self._kinds(data.get("kinds", []))
        self.kinds = out["kinds"] or list(Kind.values)
        self.trigger = trigger
        if trigger == "event":
            out["events"] = self._events(data.get("events", []))
            out["wait"] = {}
        else:
            out["events"] = []
            out["wait"] = self._wait(data.get("wait"))
        out["conditions"] = self._group(
            data.get("conditions") or {"match": "all", "items": []}, "conditions", 1
        )
        out["actions"] = self._actions(data.get("actions", []))
        return out

    # -- scalars
    def _text(self, value: Any, path: str) -> str:
        if value is None:
            return ""
        if not isinstance(value, str):
            raise _Refused(path, _("Give text."))
        return value

    def _bool(self, value: Any, path: str) -> bool:
        if not isinstance(value, bool):
            raise _Refused(path, _("Give true or false."))
        return value

    def _kinds(self, value: Any) -> list[str]:
        if not isinstance(value, list):
            raise _Refused("kinds", _("Give a list of ticket kinds."))
        for i, kind in enumerate(value):
            if kind not in Kind.values:
                raise _Refused(f"kinds.{i}", _("Unknown ticket kind."))
        return list(dict.fromkeys(value))

    def _events(self, value: Any) -> list[str]:
        if not isinstance(value, list) or not value:
            raise _Refused("events", _("Choose at least one event."), "required")
        for i, name in enumerate(value):
            if name not in EVENTS:
                raise _Refused(f"events.{i}", _("Unknown event."))
        return list(dict.fromkeys(value))

    def _wait(self, value: Any) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise _Refused("wait", _("A scheduled rule needs a wait."), "required")
        minutes = value.get("minutes")
        if not isinstance(minutes, int) or isinstance(minutes, bool) or not 1 <= minutes <= 525_600:
            raise _Refused(
                "wait.minutes", _("Give a whole number of minutes, at least 1 and at most a year.")
            )
        business = value.get("business", False)
        if not isinstance(business, bool):
            raise _Refused("wait.business", _("Give true or false."))
        since = value.get("since", "status_changed")
        if since not in WAIT_SINCE:
            raise _Refused("wait.since", _("Choose what the wait counts from."))
        return {"minutes": minutes, "business": business, "since": since}

    # -- conditions
    def _group(self, node: Any, path: str, depth: int) -> dict[str, Any]:
        if not isinstance(node, dict):
            raise _Refused(path, _("A condition group must be an object with match and items."))
        match = node.get("match", "all")
        if match not in ("all", "any"):
            raise _Refused(f"{path}.match", _("Choose all or any."))
        items = node.get("items", [])
        if not isinstance(items, list):
            raise _Refused(f"{path}.items", _("Give a list of conditions."))
        if len(items) > MAX_ITEMS:
            raise _Refused(
                f"{path}.items", _("At most %(n)d conditions in a group.") % {"n": MAX_ITEMS}
            )
        cleaned = []
        for i, item in enumerate(items):
            item_path = f"{path}.items.{i}"
            if isinstance(item, dict) and "items" in item:
                if depth >= MAX_DEPTH:
                    raise _Refused(
                        item_path, _("Groups nest at most %(n)d deep.") % {"n": MAX_DEPTH}
                    )
                cleaned.append(self._group(item, item_path, depth + 1))
            else:
                cleaned.append(self._condition(item, item_path))
        return {"match": match, "items": cleaned}

    def _condition(self, item: Any, path: str) -> dict[str, Any]:
        if not isinstance(item, dict):
            raise _Refused(path, _("A condition must be an object with field, op and value."))
        spec = CONDITION_FIELDS.get(item.get("field"))  # type: ignore[arg-type]
        if spec is None:
            raise _Refused(f"{path}.field", _("Unknown field."), "unknown_field")
        if spec.kinds is not None and not set(self.kinds) & set(spec.kinds):
            raise _Refused(
                f"{path}.field", _("Tickets of these kinds have no such field."), "kind_lacks_field"
            )
        op = item.get("op")
        if op not in spec.operators:
            raise _Refused(
                f"{path}.op",
                _("This operator does not apply to %(field)s.") % {"field": spec.label},
                "invalid_operator",
            )
        if op in CHANGE_OPS and self.trigger != "event":
            raise _Refused(
                f"{path}.op",
                _("Only rules run by events can test for changes."),
                "invalid_operator",
            )
        if op in NO_VALUE_OPS:
            return {"field": spec.key, "op": op}
        value = item.get("value")
        value_path = f"{path}.value"
        if spec.type == "duration":
            return {"field": spec.key, "op": op, "value": self._duration(value, value_path)}
        if op in LIST_OPS:
            if not isinstance(value, list) or not value:
                raise _Refused(value_path, _("Choose at least one value."), "required")
            cleaned = [
                self._value(spec.type, spec.choices, v, f"{value_path}.{i}", any_kind=True)
                for i, v in enumerate(value)
            ]
            return {"field": spec.key, "op": op, "value": cleaned}
        if op in ("gt", "gte", "lt", "lte") and (
            not isinstance(value, int) or isinstance(value, bool)
        ):
            raise _Refused(value_path, _("Give a number."), "wrong_type")
        if spec.type == "tags":
            return {"field": spec.key, "op": op, "value": self._tag(value, value_path)}
        cleaned_value = self._value(spec.type, spec.choices, value, value_path, any_kind=True)
        if (
            spec.type == "text"
            and not cleaned_value
            and op in ("contains", "not_contains", "starts_with")
        ):
            raise _Refused(value_path, _("Give some text."), "required")
        return {"field": spec.key, "op": op, "value": cleaned_value}

    def _duration(self, value: Any, path: str) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise _Refused(path, _("Give a duration in minutes."), "wrong_type")
        minutes = value.get("minutes")
        if not isinstance(minutes, int) or isinstance(minutes, bool) or minutes < 0:
            raise _Refused(f"{path}.minutes", _("Give a whole number of minutes."), "wrong_type")
        business = value.get("business", False)
        if not isinstance(business, bool):
            raise _Refused(f"{path}.business", _("Give true or false."), "wrong_type")
        return {"minutes": minutes, "business": business}

    def _tag(self, value: Any, path: str) -> str:
        if not isinstance(value, str) or not value.strip():
            raise _Refused(path, _("Give a tag."), "wrong_type")
        return value.strip().lower()[:50]

    def _value(
        self,
        type_: str,
        choices: Callable[[], Choices] | None,
        value: Any,
        path: str,
        *,
        any_kind: bool,
    ) -> Any:
        """One scalar of a field's type; ids must name existing rows."""
        if type_ == "text":
            if not isinstance(value, str):
                raise _Refused(path, _("Give text."), "wrong_type")
            return value
        if type_ == "bool":
            if not isinstance(value, bool):
                raise _Refused(path, _("Give true or false."), "wrong_type")
            return value
        if type_ in _REFERENCES:
            self._exists(type_, value, path)
            return value
        if type_ in ("choice", "status", "kind"):
            assert choices is not None
            values = [c[0] for c in choices()]
            if isinstance(value, bool) or value not in values:
                raise _Refused(path, _("Not one of the choices."), "invalid_choice")
            if type_ == "status" or choices is _statuses:
                self._status_in_workflow(value, path, any_kind=any_kind)
            return value
        raise _Refused(path, _("Unknown value type."))

    def _exists(self, type_: str, value: Any, path: str) -> None:
        if not isinstance(value, int) or isinstance(value, bool):
            raise _Refused(path, _("Give the id of a %(what)s.") % {"what": type_}, "wrong_type")
        module, name = _REFERENCES[type_].rsplit(".", 1)
        model = getattr(importlib.import_module(module), name)
        if not model.objects.filter(pk=value).exists():
            raise _Refused(path, _("No %(what)s has this id.") % {"what": type_}, "not_found")

    def _status_in_workflow(self, key: str, path: str, *, any_kind: bool) -> None:
        """A status the rule's kinds never reach is a mistake: for conditions in any of the
        kinds' workflows, for actions in each of them."""
        from tuki.tickets.models import StatusTransition

        kinds_with = set(
            StatusTransition.objects.filter(to_status__key=key).values_list("kind", flat=True)
        ) | set(
            StatusTransition.objects.filter(from_status__key=key).values_list("kind", flat=True)
        )
        lacking = [k for k in self.kinds if k not in kinds_with]
        if (any_kind and len(lacking) == len(self.kinds)) or (not any_kind and lacking):
            raise _Refused(
                path,
                _("%(kind)s tickets never have this status.") % {"kind": Kind(lacking[0]).label},
                "kind_lacks_status",
            )

    # -- actions
    def _actions(self, value: Any) -> list[dict[str, Any]]:
        if not isinstance(value, list) or not value:
            raise _Refused("actions", _("Add at least one action."), "required")
        if len(value) > MAX_ITEMS:
            raise _Refused("actions", _("At most %(n)d actions.") % {"n": MAX_ITEMS})
        return [self._action(a, f"actions.{i}") for i, a in enumerate(value)]

    def _action(self, action: Any, path: str) -> dict[str, Any]:
        if not isinstance(action, dict):
            raise _Refused(path, _("An action must be an object with a type."))
        spec = ACTIONS.get(action.get("type"))  # type: ignore[arg-type]
        if spec is None:
            raise _Refused(f"{path}.type", _("Unknown action."), "unknown_action")
        if not available(spec):
            raise _Refused(
                f"{path}.type",
                _("%(action)s is not available: its app is not installed yet.")
                % {"action": spec.label},
                "unavailable",
            )
        if spec.kinds is not None and set(self.kinds) - set(spec.kinds):
            raise _Refused(
                f"{path}.type",
                _("This action applies only to: %(kinds)s. Limit the rule's kinds.")
                % {"kinds": ", ".join(str(Kind(k).label) for k in spec.kinds)},
                "kind_lacks_action",
            )
        known = {p.key for p in spec.params} | {"type"}
        for key in action:
            if key not in known:
                raise _Refused(f"{path}.{key}", _("Unknown parameter."), "unknown_param")
        out: dict[str, Any] = {"type": spec.key}
        for param in spec.params:
            raw = action.get(param.key)
            if raw is None or raw == "" or raw == []:
                if param.required:
                    raise _Refused(f"{path}.{param.key}", _("This is required."), "required")
                continue
            out[param.key] = self._param(param, raw, f"{path}.{param.key}", out)
        self._action_rules(spec.key, out, path)
        return out

    def _param(self, param: ParamSpec, raw: Any, path: str, so_far: dict[str, Any]) -> Any:
        t = param.type
        if t == "template":
            return self._template(raw, path)
        if t in ("group", "user", "category"):
            return self._value(t, None, raw, path, any_kind=False)
        if t in ("status", "kind", "link_type", "settable_field"):
            return self._value(
                "status" if t == "status" else "choice", param.choices, raw, path, any_kind=False
            )
        if t == "tags":
            if not isinstance(raw, list) or not raw:
                raise _Refused(path, _("Give a list of tags."), "wrong_type")
            return sorted({self._tag(v, f"{path}.{i}") for i, v in enumerate(raw)})
        if t == "field_value":
            field = so_far.get("field")
            if field is None:
                raise _Refused(path, _("Choose the field first."), "required")
            _label, type_, choices = SETTABLE_FIELDS[field]
            if type_ == "template":
                text = self._template(raw, path)
                if not text.strip():
                    raise _Refused(path, _("This is required."), "required")
                return text
            return self._value(type_, choices, raw, path, any_kind=False)
        if t == "recipients":
            if not isinstance(raw, list) or not raw:
                raise _Refused(path, _("Choose at least one recipient."), "required")
            for i, who in enumerate(raw):
                self._recipient(who, f"{path}.{i}")
            return list(dict.fromkeys(raw))
        if t == "email_recipient":
            if raw not in EMAIL_RECIPIENTS:
                raise _Refused(path, _("Not one of the choices."), "invalid_choice")
            return raw
        if t == "address":
            try:
                validate_email(raw)
            except (ValidationError, TypeError):
                raise _Refused(path, _("Enter a valid email address."), "invalid_email") from None
            return raw.strip().lower()
        if t in _PLUGGED_MODELS:
            return self._plugged(t, raw, path)
        raise _Refused(path, _("Unknown parameter."))

    def _recipient(self, who: Any, path: str) -> None:
        if isinstance(who, str) and who.startswith("user:"):
            ident = who[5:]
            if not ident.isdigit():
                raise _Refused(path, _("Give the id of a user."), "wrong_type")
            self._exists("user", int(ident), path)
            return
        if who not in RECIPIENTS:
            raise _Refused(path, _("Not one of the choices."), "invalid_choice")

    def _template(self, raw: Any, path: str) -> str:
        if not isinstance(raw, str):
            raise _Refused(path, _("Give text."), "wrong_type")
        try:
            from tuki.macros.services import validate_template
        except ImportError:
            validate_template = None
        if validate_template is not None:
            try:
                return validate_template(raw, field=path)
            except ServiceError as exc:
                raise _Refused(path, exc.message, exc.code) from None
        for name in PLACEHOLDER_RE.findall(raw):
            if name not in PLACEHOLDERS:
                raise _Refused(
                    path,
                    _("Unknown placeholder {{%(name)s}}.") % {"name": name},
                    "unknown_placeholder",
                )
        return raw

    def _plugged(self, type_: str, raw: Any, path: str) -> int:
        if not isinstance(raw, int) or isinstance(raw, bool):
            raise _Refused(path, _("Give an id."), "wrong_type")
        module, name = _PLUGGED_MODELS[type_]
        try:
            model = getattr(importlib.import_module(module), name)
        except (ImportError, AttributeError):
            raise _Refused(path, _("This app is not installed yet."), "unavailable") from None
        found = model.objects.filter(pk=raw).first()
        if found is None:
            raise _Refused(path, _("Nothing with this id exists."), "not_found")
        template_kinds = getattr(found, "kinds", None) if type_ == "approval_template" else None
        if template_kinds and set(self.kinds) - set(template_kinds):
            raise _Refused(
                path,
                _("This approval template is not for every kind this rule applies to."),
                "kind_lacks_template",
            )
        return raw

    def _action_rules(self, key: str, out: dict[str, Any], path: str) -> None:
        """Checks across an action's params."""
        if key == "assign":
            if "group" not in out and "assignee" not in out:
                raise _Refused(f"{path}.group", _("Choose a group, an agent or both."), "required")
            if "group" in out and "assignee" in out:
                from tuki.accounts.models import SupportGroup

                if not SupportGroup.objects.filter(
                    pk=out["group"], members=out["assignee"]
                ).exists():
                    raise _Refused(
                        f"{path}.assignee",
                        _("This agent is not a member of the group."),
                        "not_member",
                    )
        if key == "send_email" and out["to"] == "address" and "address" not in out:
            raise _Refused(f"{path}.address", _("Enter the address to write to."), "required")
        if key == "create_ticket" and out.get("title", "").strip() == "":
            raise _Refused(f"{path}.title", _("This is required."), "required")
