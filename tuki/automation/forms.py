"""The rule editor's form: plain fields, plus the condition tree and the action list.

The condition builder and the action list are not Django form fields: they are read from the
POST into the rule's JSON shape (`read_conditions`, `read_actions`) and drawn back from that
shape (`condition_rows`, `action_rows`). Input names carry each row's position in the tree
(`node` = "1.0" is the first item of the root's second item), so what the user typed comes
back unchanged after an htmx re-render or a refused save. Values that do not parse stay as
typed: `validation.validate_rule` then names the row at fault and the user sees their own input.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.http import QueryDict
from django.utils.translation import gettext, gettext_lazy as _, ngettext

from tuki.automation import catalogue
from tuki.automation.models import Rule
from tuki.lib.bounds import parse_id
from tuki.lib.forms import BootstrapMixin, field_of
from tuki.tickets import fields as custom_fields
from tuki.tickets.models import FieldType, Kind

NO_VALUE_OPS = set(catalogue.NO_VALUE_OPS)
MULTI_OPS = set(catalogue.LIST_OPS)
DURATION_OPS = {"more_than", "less_than"}
MAX_DEPTH = catalogue.MAX_DEPTH  # the root group is depth 1
REFERENCE_TYPES = set(catalogue.REFERENCES) | {"ci"}  # "ci": a custom field's
PLUGGED_TYPES = set(catalogue.PLUGGED_MODELS)
TEXTAREA_PARAMS = {"body", "text", "description"}
# Duration units shown to people; stored as minutes. A business day is 8 business hours,
# which is how "5 business days" becomes 2400 minutes (docs/automation.md).
UNITS = {"minutes": 1, "hours": 60, "days": 1440}
BUSINESS_DAY = 480

WAIT_SINCE = list(catalogue.WAIT_SINCE.items())
UNIT_CHOICES = [("minutes", _("minutes")), ("hours", _("hours")), ("days", _("days"))]


class RuleForm(BootstrapMixin, forms.Form):
    """The rule's own fields; conditions, actions and the wait are read beside it."""

    name = forms.CharField(label=_("Name"), max_length=120)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    is_active = forms.BooleanField(label=_("Active"), required=False)
    trigger = forms.ChoiceField(
        label=_("Runs"), choices=Rule.Trigger.choices, widget=forms.RadioSelect
    )
    events = forms.MultipleChoiceField(
        label=_("When"), required=False, widget=forms.CheckboxSelectMultiple
    )
    kinds = forms.MultipleChoiceField(
        label=_("Ticket kinds"),
        required=False,
        choices=Kind.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: every kind."),
    )
    stop_processing = forms.BooleanField(
        label=_("Stop processing further rules after this one acts"), required=False
    )
    wait_amount = forms.IntegerField(label=_("For"), required=False, min_value=1)
    wait_unit = forms.ChoiceField(label=_("Unit"), choices=UNIT_CHOICES, required=False)
    wait_business = forms.BooleanField(
        label=_("business time (the ticket's calendar; a day is 8 hours)"), required=False
    )
    wait_since = forms.ChoiceField(label=_("Since"), choices=WAIT_SINCE, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field_of(self, "events", forms.ChoiceField).choices = [
            (k, v) for k, v in catalogue.EVENTS.items()
        ]
        for name in ("wait_amount", "wait_unit", "wait_since"):
            self.fields[name].widget.attrs["class"] += " form-control-sm"

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if data.get("trigger") == Rule.Trigger.SCHEDULED and not data.get("wait_amount"):
            self.add_error("wait_amount", _("How long must the ticket match before it acts?"))
        return data

    def wait(self) -> dict[str, Any]:
        data = self.cleaned_data
        if data.get("trigger") != Rule.Trigger.SCHEDULED:
            return {}
        business = bool(data.get("wait_business"))
        unit = data.get("wait_unit") or "minutes"
        per = BUSINESS_DAY if business and unit == "days" else UNITS[unit]
        return {
            "minutes": (data.get("wait_amount") or 0) * per,
            "business": business,
            "since": data.get("wait_since") or "status_changed",
        }


def initial_for(rule: Rule | None) -> dict[str, Any]:
    """The RuleForm's initial values for an existing rule (or a new one)."""
    if rule is None:
        return {"trigger": Rule.Trigger.EVENT, "is_active": True, "events": ["created"]}
    wait = rule.wait or {}
    amount, unit = split_minutes(int(wait.get("minutes") or 0), bool(wait.get("business")))
    return {
        "name": rule.name,
        "description": rule.description,
        "is_active": rule.is_active,
        "trigger": rule.trigger,
        "events": rule.events,
        "kinds": rule.kinds,
        "stop_processing": rule.stop_processing,
        "wait_amount": amount or None,
        "wait_unit": unit,
        "wait_business": bool(wait.get("business")),
        "wait_since": wait.get("since") or "status_changed",
    }


def split_minutes(minutes: int, business: bool) -> tuple[int, str]:
    """The largest unit that divides the minutes: 2400 business minutes are 5 days."""
    day = BUSINESS_DAY if business else UNITS["days"]
    for unit, size in (("days", day), ("hours", 60)):
        if minutes and minutes % size == 0:
            return minutes // size, unit
    return minutes, "minutes"


# --- reading the builder's inputs ----------------------------------------------------------


def _parent(path: str) -> str:
    return path.rpartition(".")[0]


def read_conditions(post: QueryDict) -> dict[str, Any]:
    """The condition tree from the builder's inputs, in the order the page shows them."""
    root: dict[str, Any] = {"match": post.get("match") or "all", "items": []}
    groups: dict[str, dict[str, Any]] = {"": root}
    for path in post.getlist("node"):
        parent = groups.get(_parent(path))
        if parent is None:  # a row whose group was removed in the same request
            continue
        prefix = f"node-{path}-"
        if post.get(prefix + "kind") == "group":
            node: dict[str, Any] = {"match": post.get(prefix + "match") or "all", "items": []}
            groups[path] = node
        else:
            node = _read_condition(post, prefix)
        parent["items"].append(node)
    return root


def _read_condition(post: QueryDict, prefix: str) -> dict[str, Any]:
    key = post.get(prefix + "field") or ""
    spec = catalogue.condition_field(key)
    ops = list(spec.operators) if spec else []
    op = post.get(prefix + "op") or ""
    if op not in ops:
        op = ops[0] if ops else op
    node: dict[str, Any] = {"field": key, "op": op}
    if op in NO_VALUE_OPS or post.get(prefix + "was", key) != key:
        return node  # no value, or a value meant for the field picked before
    if spec is not None and (spec.type == "duration" or op in DURATION_OPS):
        node["value"] = _read_duration(post, prefix)
        return node
    raw = [v for v in post.getlist(prefix + "value") if v != ""]
    if op in MULTI_OPS:
        node["value"] = [coerce(spec, v) for v in raw]
    else:
        node["value"] = coerce(spec, raw[0]) if raw else ""
    return node


def _read_duration(post: QueryDict, prefix: str) -> dict[str, Any] | str:
    amount = (post.get(prefix + "amount") or "").strip()
    business = post.get(prefix + "business") == "on"
    unit = post.get(prefix + "unit") or "minutes"
    if parse_id(amount) is None or unit not in UNITS:
        return amount  # kept as typed; validation names the row
    per = BUSINESS_DAY if business and unit == "days" else UNITS[unit]
    return {"minutes": int(amount) * per, "business": business}


def coerce(spec: Any, raw: str) -> Any:
    """A posted condition value as the JSON value the field holds."""
    if spec is None:
        return raw.strip()
    if spec.type in ("text", "tags"):
        return raw
    return _typed(spec.type, spec.choices, raw.strip())


def read_actions(post: QueryDict) -> list[dict[str, Any]]:
    """The action list from its inputs: `action` = row ids in page order."""
    actions = []
    for row in post.getlist("action"):
        prefix = f"action-{row}-"
        key = post.get(prefix + "type") or ""
        action: dict[str, Any] = {"type": key}
        spec = catalogue.ACTIONS.get(key)
        for param in spec.params if spec else ():
            value = _read_param(post, prefix + param.key, param, action)
            if value is not None:
                action[param.key] = value
        actions.append(action)
    return actions


def _read_param(post: QueryDict, name: str, param: Any, action: dict[str, Any]) -> Any:
    kind = param.type
    if kind == "tags":
        return [t.strip() for t in (post.get(name) or "").split(",") if t.strip()]
    if kind == "recipients":
        return [v for v in post.getlist(name) if v]
    custom = _custom_field_of(action) if kind == "custom_value" else None
    if custom is not None and custom.type == FieldType.MULTI_CHOICE:
        return [v for v in post.getlist(name) if v] or None
    if custom is not None and custom.type == FieldType.LONG_TEXT:
        return post.get(name) or None
    raw = (post.get(name) or "").strip()
    if raw == "":
        return None
    if kind == "field_value":
        settable = catalogue.SETTABLE_FIELDS.get(action.get("field") or "")
        if settable is None:
            return raw
        _label, type_, choices = settable
        return _typed(type_, choices, raw)
    if kind in ("template", "address", "email_recipient"):
        return post.get(name) if kind == "template" else raw
    if kind == "custom_value":
        if custom is None:
            return raw
        spec = catalogue.custom_spec(custom)
        return raw if spec.type == "text" else _typed(spec.type, None, raw)
    return _typed(kind, param.choices, raw)


def _custom_field_of(action: dict[str, Any]) -> Any:
    key = action.get("field")
    return custom_fields.field_by_key(key) if isinstance(key, str) and key else None


def _typed(kind: str, choices: Any, raw: str) -> Any:
    """A posted string as the JSON value of a type; left as typed when it does not fit."""
    if kind == "bool":
        return {"true": True, "false": False}.get(raw, raw)
    if choices is not None:
        for value, _label in _call(choices):
            if str(value) == raw:
                return value
        return raw
    if kind in REFERENCE_TYPES or kind in PLUGGED_TYPES or kind == "number":
        try:
            return int(raw)
        except ValueError:
            return raw
    return raw


def _call(choices: Any) -> Iterable[tuple[Any, Any]]:
    return choices() if callable(choices) else choices


# --- drawing the builder back --------------------------------------------------------------


@dataclass
class Row:
    """One condition or group as the template draws it."""

    path: str
    error_key: str  # "conditions.items.1.items.0", as validation.validate_rule names it
    depth: int  # 0 for the root group's items
    node: dict[str, Any]
    is_group: bool = False
    spec: Any = None
    operators: list[tuple[str, Any]] = field(default_factory=list)
    widget: str = "text"
    choices: list[tuple[str, str]] = field(default_factory=list)
    selected: list[str] = field(default_factory=list)
    amount: str = ""
    unit: str = "minutes"
    business: bool = False
    errors: list[str] = field(default_factory=list)
    children: list[Row] = field(default_factory=list)

    @property
    def slug(self) -> str:
        """The path as it may appear in an HTML id (and a CSS selector)."""
        return self.path.replace(".", "-")

    @property
    def can_nest(self) -> bool:
        """Whether a group may go inside this group (the root counts as depth 1)."""
        return self.depth + 3 <= MAX_DEPTH


class Choices:
    """Options of a picker as (text value, label): loaded once per picker per page."""

    def __init__(self) -> None:
        self._cache: dict[Any, list[tuple[str, str]]] = {}

    def __call__(self, kind: str, spec_choices: Any = None) -> list[tuple[str, str]]:
        key = kind if spec_choices is None else spec_choices
        if key not in self._cache:
            if spec_choices is not None:
                found = [(_as_text(v), str(label)) for v, label in _call(spec_choices)]
            else:
                found = plugged_choices(kind)
            self._cache[key] = found
        return self._cache[key]


def plugged_choices(kind: str) -> list[tuple[str, str]]:
    """Webhooks, macros, approval templates: other apps' rows."""
    model = catalogue.PLUGGED_MODELS.get(kind)
    if model is None:
        return []
    return [(str(o.pk), str(o)) for o in model._default_manager.all()[:500]]


def condition_rows(
    conditions: dict[str, Any], errors: dict[str, str], choices: Choices, *, scheduled: bool = False
) -> list[Row]:
    rows = _rows(conditions.get("items") or [], "", "conditions", 0, errors, choices)
    if scheduled:  # "changed" tests need an event; a scheduled rule has none
        _without_change_ops(rows)
    return rows


def _without_change_ops(rows: list[Row]) -> None:
    for row in rows:
        keep = [
            o
            for o in row.operators
            if o[0] not in catalogue.CHANGE_OPS or o[0] == row.node.get("op")
        ]
        row.operators = keep
        _without_change_ops(row.children)


def _rows(
    items: list[Any], path: str, key: str, depth: int, errors: dict[str, str], choices: Choices
) -> list[Row]:
    rows = []
    for n, node in enumerate(items):
        here = f"{path}.{n}" if path else str(n)
        error_key = f"{key}.items.{n}"
        if isinstance(node, dict) and "items" in node:
            row = Row(here, error_key, depth, node, is_group=True)
            row.children = _rows(node["items"], here, error_key, depth + 1, errors, choices)
        else:
            row = _condition_row(here, error_key, depth, node, choices)
        row.errors = errors_under(errors, error_key, exact=row.is_group)
        rows.append(row)
    return rows


def _condition_row(path: str, key: str, depth: int, node: dict[str, Any], choices: Choices) -> Row:
    row = Row(path, key, depth, node)
    row.spec = spec = catalogue.condition_field(node.get("field") or "")
    if spec is None:
        return row
    row.operators = [(op, catalogue.OPERATORS.get(op, op)) for op in spec.operators]
    op = node.get("op")
    value = node.get("value")
    if op in NO_VALUE_OPS:
        row.widget = "none"
    elif spec.type == "duration" or op in DURATION_OPS:
        row.widget = "duration"
        _fill_duration(row, value)
    elif spec.type == "bool":
        row.widget, row.choices = "select", yes_no()
        row.selected = [_as_text(value)]
    elif spec.choices is not None:
        row.widget = "multi" if op in MULTI_OPS else "select"
        row.choices = choices(spec.type, spec.choices)
        values = value if isinstance(value, list) else [value]
        row.selected = [_as_text(v) for v in values if v not in (None, "")]
    else:
        row.widget = spec.type if spec.type in ("number", "date") else "text"
        row.selected = [_as_text(value)]
    return row


def yes_no() -> list[tuple[str, str]]:
    return [("true", str(_("yes"))), ("false", str(_("no")))]


def _fill_duration(row: Row, value: Any) -> None:
    if isinstance(value, dict):
        row.business = bool(value.get("business"))
        minutes = value.get("minutes")
        amount, row.unit = split_minutes(minutes if isinstance(minutes, int) else 0, row.business)
        row.amount = str(amount) if amount else ""
    elif value not in (None, ""):
        row.amount = str(value)


def _as_text(value: Any) -> str:
    if value is True:
        return "true"
    if value is False:
        return "false"
    return "" if value is None else str(value)


def errors_under(errors: dict[str, str], key: str, *, exact: bool = False) -> list[str]:
    """Messages for this row: its own key and (for a condition) its field/op/value keys;
    for a group only its own key and its match."""
    found = []
    for where, message in errors.items():
        if where == key or where in (key + ".match", key + ".items"):
            found.append(message)
        elif not exact and where.startswith(key + "."):
            found.append(message)
    return found


@dataclass
class ActionRow:
    index: int
    action: dict[str, Any]
    spec: Any = None
    params: list[dict[str, Any]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def action_rows(
    actions: list[dict[str, Any]], errors: dict[str, str], choices: Choices
) -> list[ActionRow]:
    rows = []
    for n, action in enumerate(actions):
        row = ActionRow(n, action, catalogue.ACTIONS.get(action.get("type") or ""))
        for param in row.spec.params if row.spec else ():
            widget = _param_widget(param, action.get(param.key), action, choices)
            widget["name"] = f"action-{n}-{param.key}"
            widget["errors"] = errors_under(errors, f"actions.{n}.{param.key}")
            row.params.append(widget)
        claimed = {f"actions.{n}.{p['key']}" for p in row.params}
        row.errors = [
            message
            for where, message in errors.items()
            if (where == f"actions.{n}" or where.startswith(f"actions.{n}."))
            and not any(where == c or where.startswith(c + ".") for c in claimed)
        ]
        rows.append(row)
    return rows


def _param_widget(
    param: Any, value: Any, action: dict[str, Any], choices: Choices
) -> dict[str, Any]:
    kind, options = param.type, param.choices
    if kind == "field_value":
        _label, kind, options = catalogue.SETTABLE_FIELDS.get(
            action.get("field") or "", ("", "template", None)
        )
    if kind == "custom_value":
        return _custom_value_widget(param, value, _custom_field_of(action), choices)
    widget: dict[str, Any] = {
        "key": param.key,
        "label": param.label,
        "type": kind,
        "required": param.required,
        "value": _as_text(value),
        "selected": [],
        "choices": [],
    }
    if kind == "tags" and isinstance(value, list):
        widget["value"] = ", ".join(str(v) for v in value)
    if kind == "recipients":
        widget["widget"] = "multi"
        widget["choices"] = choices(kind, options) + [
            (f"user:{pk}", label) for pk, label in choices("user", catalogue.AGENTS)
        ]
        widget["selected"] = [str(v) for v in value] if isinstance(value, list) else []
    elif kind == "bool":
        widget["widget"], widget["choices"] = "select", yes_no()
    elif options is not None or kind in PLUGGED_TYPES:
        widget["widget"] = "select"
        widget["choices"] = choices(kind, options)
    elif kind == "template" and param.key in TEXTAREA_PARAMS:
        widget["widget"] = "textarea"
    else:
        widget["widget"] = "email" if kind == "address" else "text"
    return widget


def _custom_value_widget(param: Any, value: Any, custom: Any, choices: Choices) -> dict[str, Any]:
    """The value of "set a custom field": a picker the field's type asks for."""
    widget: dict[str, Any] = {
        "key": param.key,
        "label": param.label,
        "type": "custom_value",
        "required": param.required,
        "value": _as_text(value),
        "selected": [_as_text(v) for v in value] if isinstance(value, list) else [],
        "choices": [],
        "widget": "text",
    }
    if custom is None:
        return widget
    spec = catalogue.custom_spec(custom)
    if custom.type == FieldType.MULTI_CHOICE:
        widget["widget"] = "multi"
    elif custom.type == FieldType.CHECKBOX:
        widget["widget"] = "select"
        widget["choices"] = yes_no()
        return widget
    elif custom.type == FieldType.LONG_TEXT:
        widget["widget"] = "textarea"
    elif spec.type in ("number", "date"):
        widget["widget"] = spec.type
    if spec.choices is not None:
        widget["widget"] = "multi" if custom.type == FieldType.MULTI_CHOICE else "select"
        widget["choices"] = choices(spec.type, spec.choices)
    return widget


FIELD_SECTIONS = [
    ("requester.", _("Requester")),
    ("organisation", _("Organisation and office")),
    ("location", _("Organisation and office")),
    ("time_since.", _("Time")),
    ("business_hours", _("Time")),
    (catalogue.CUSTOM_PREFIX, _("Custom fields")),
    ("", _("Ticket")),
]


def field_options(kinds: list[str]) -> list[tuple[Any, list[tuple[str, Any, bool]]]]:
    """The field picker in sections: (section, [(key, label, fits)]). A field fits when it
    applies to every ticked kind (or to all, when none is ticked); others show disabled."""
    sections: dict[Any, list[tuple[str, Any, bool]]] = {}
    for _prefix, title in FIELD_SECTIONS:
        sections.setdefault(title, [])
    for key, spec in catalogue.condition_fields().items():
        fits = spec.kinds is None or not kinds or set(kinds) <= set(spec.kinds)
        title = next(t for prefix, t in FIELD_SECTIONS if key.startswith(prefix))
        sections[title].append((key, spec.label, fits))
    order = [
        _("Ticket"),
        _("Custom fields"),
        _("Requester"),
        _("Organisation and office"),
        _("Time"),
    ]
    return [(title, sections[title]) for title in order if sections.get(title)]


def action_options(kinds: list[str]) -> list[tuple[str, Any, bool]]:
    """The action picker: (key, label, usable); an action is unusable when it applies to fewer
    kinds than the rule's."""
    options = []
    for key, spec in catalogue.ACTIONS.items():
        fits = spec.kinds is None or bool(kinds) and set(kinds) <= set(spec.kinds)
        options.append((key, spec.label, fits))
    return options


# --- builder changes -----------------------------------------------------------------------


def _node_at(root: dict[str, Any], path: str) -> dict[str, Any] | None:
    node: Any = root
    for part in path.split(".") if path else []:
        items = node.get("items") if isinstance(node, dict) else None
        if parse_id(part) is None or not items or int(part) >= len(items):
            return None
        node = items[int(part)]
    return node if isinstance(node, dict) else None


def new_condition() -> dict[str, Any]:
    key = next(iter(catalogue.CONDITION_FIELDS))
    return {"field": key, "op": catalogue.CONDITION_FIELDS[key].operators[0]}


def apply_change(
    conditions: dict[str, Any], actions: list[dict[str, Any]], do: str, at: str
) -> None:
    """One builder button: add a condition or a group to a group, remove a row, add or
    remove an action. Unknown paths change nothing (a stale page)."""
    if do in ("add-condition", "add-group"):
        group = _node_at(conditions, at)
        if group is None or "items" not in group:
            return
        depth = len(at.split(".")) + 1 if at else 1  # the root group is depth 1
        if do == "add-group" and depth < MAX_DEPTH:
            group["items"].append({"match": "any", "items": [new_condition()]})
        elif do == "add-condition":
            group["items"].append(new_condition())
    elif do == "remove" and at:
        parent = _node_at(conditions, _parent(at))
        index = at.rpartition(".")[2]
        if parent is not None and parse_id(index) is not None and int(index) < len(parent["items"]):
            del parent["items"][int(index)]
    elif do == "add-action":
        actions.append({"type": ""})
    elif do == "remove-action" and parse_id(at) is not None and int(at) < len(actions):
        del actions[int(at)]


def describe_path(conditions: dict[str, Any], where: str) -> str:
    """The label of the condition an error path names ("conditions.items.1.value" → Title)."""
    node: Any = conditions
    parts = where.split(".")[1:] if where.startswith("conditions") else []
    while len(parts) >= 2 and parts[0] == "items" and parse_id(parts[1]) is not None:
        items = node.get("items") if isinstance(node, dict) else None
        if not items or int(parts[1]) >= len(items):
            return ""
        node, parts = items[int(parts[1])], parts[2:]
    spec = catalogue.condition_field(node.get("field", "")) if isinstance(node, dict) else None
    return str(spec.label) if spec else ""


def describe_when(rule: Rule) -> str:
    """The list's summary of when a rule runs: its events, or its wait."""
    if rule.trigger != Rule.Trigger.SCHEDULED:
        return ", ".join(str(catalogue.EVENTS.get(e, e)) for e in rule.events)
    wait = rule.wait or {}
    business = bool(wait.get("business"))
    amount, unit = split_minutes(int(wait.get("minutes") or 0), business)
    units = {
        "minutes": ngettext("%(n)d minute", "%(n)d minutes", amount),
        "hours": ngettext("%(n)d hour", "%(n)d hours", amount),
        "days": ngettext("%(n)d business day", "%(n)d business days", amount)
        if business
        else ngettext("%(n)d day", "%(n)d days", amount),
    }
    text = units[unit] % {"n": amount}
    if business and unit != "days":
        text = gettext("%(time)s of business time") % {"time": text}
    since = catalogue.WAIT_SINCE.get(wait.get("since") or "status_changed", "")
    return gettext("after %(time)s since %(since)s") % {"time": text, "since": since}


def describe_kinds(rule: Rule) -> str:
    return ", ".join(str(Kind(k).label) for k in rule.kinds if k in Kind.values)
