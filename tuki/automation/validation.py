"""Checks a rule against the catalogue (`catalogue.py`) when it is saved: `validate_rule` turns
the submitted JSON into a cleaned copy or refuses it with ServiceError, naming the field at
fault as a path ("conditions.items.2.value", "actions.0.group").
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

from tuki.accounts.models import SupportGroup
from tuki.automation.catalogue import (
    ACTIONS,
    CHANGE_OPS,
    EMAIL_RECIPIENTS,
    EVENTS,
    LIST_OPS,
    MAX_DEPTH,
    MAX_ITEMS,
    NO_VALUE_OPS,
    PLUGGED_MODELS,
    RECIPIENTS,
    REFERENCES,
    SETTABLE_FIELDS,
    WAIT_SINCE,
    Choices,
    FieldSpec,
    ParamSpec,
    condition_field,
    status_choices,
)
from tuki.lib.bounds import parse_id
from tuki.lib.errors import ServiceError
from tuki.macros.services import validate_template
from tuki.tickets import fields as custom_fields
from tuki.tickets.models import CustomField, FieldType, Kind, StatusTransition


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
        name = item.get("field")
        spec = condition_field(name) if isinstance(name, str) else None
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
        if spec.custom is not None:
            return {
                "field": spec.key,
                "op": op,
                "value": self._custom_test(spec, op, value, value_path),
            }
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

    def _custom_test(self, spec: FieldSpec, op: str, value: Any, path: str) -> Any:
        """The value a custom field's condition compares with: one the field itself accepts
        (tuki.tickets.fields.clean_value); text to look for is any text."""
        assert spec.custom is not None
        field = custom_fields.field_by_key(spec.custom)
        assert field is not None  # condition_field found it active
        if op in LIST_OPS:
            if not isinstance(value, list) or not value:
                raise _Refused(path, _("Choose at least one value."), "required")
            return [self._custom_value(field, v, f"{path}.{i}") for i, v in enumerate(value)]
        if field.type == FieldType.MULTI_CHOICE:
            if not isinstance(value, str) or value not in custom_fields.choice_values(field):
                raise _Refused(path, _("Not one of the choices."), "invalid_choice")
            return value
        if field.type == FieldType.CHECKBOX:
            if not isinstance(value, bool):
                raise _Refused(path, _("Give true or false."), "wrong_type")
            return value
        if spec.type == "text" and op in ("contains", "not_contains", "starts_with"):
            if not isinstance(value, str):
                raise _Refused(path, _("Give text."), "wrong_type")
            if not value.strip():
                raise _Refused(path, _("Give some text."), "required")
            return value
        return self._custom_value(field, value, path)

    def _custom_value(self, field: CustomField, value: Any, path: str) -> Any:
        """A value as the field stores it, or the field's own message at `path`."""
        if field.type in (FieldType.TEXT, FieldType.LONG_TEXT) and not isinstance(value, str):
            raise _Refused(path, _("Give text."), "wrong_type")
        if field.type in custom_fields.REFERENCE_TYPES and (
            not isinstance(value, int) or isinstance(value, bool)
        ):
            raise _Refused(path, _("Give an id."), "wrong_type")
        try:
            cleaned = custom_fields.clean_value(field, value)
        except ServiceError as exc:
            raise _Refused(path, exc.message, exc.code) from None
        if cleaned is None:
            raise _Refused(path, _("This is required."), "required")
        return cleaned

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
        if type_ in REFERENCES:
            self._exists(type_, value, path)
            return value
        if type_ in ("choice", "status", "kind"):
            assert choices is not None
            values = [c[0] for c in choices()]
            if isinstance(value, bool) or value not in values:
                raise _Refused(path, _("Not one of the choices."), "invalid_choice")
            if type_ == "status" or choices is status_choices:
                self._status_in_workflow(value, path, any_kind=any_kind)
            return value
        raise _Refused(path, _("Unknown value type."))

    def _exists(self, type_: str, value: Any, path: str) -> None:
        if not isinstance(value, int) or isinstance(value, bool):
            raise _Refused(path, _("Give the id of a %(what)s.") % {"what": type_}, "wrong_type")
        if not REFERENCES[type_]._default_manager.filter(pk=value).exists():
            raise _Refused(path, _("No %(what)s has this id.") % {"what": type_}, "not_found")

    def _status_in_workflow(self, key: str, path: str, *, any_kind: bool) -> None:
        """A status the rule's kinds never reach is a mistake: for conditions in any of the
        kinds' workflows, for actions in each of them."""
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
        kind = action.get("type")
        spec = ACTIONS.get(kind) if isinstance(kind, str) else None
        if spec is None:
            raise _Refused(f"{path}.type", _("Unknown action."), "unknown_action")
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
        if t == "custom_field":
            found = custom_fields.field_by_key(raw) if isinstance(raw, str) else None
            if found is None:
                raise _Refused(path, _("No active custom field has this key."), "unknown_field")
            if found.kinds and set(self.kinds) - set(found.kinds):
                raise _Refused(
                    path,
                    _("This field applies only to: %(kinds)s. Limit the rule's kinds.")
                    % {"kinds": ", ".join(str(Kind(k).label) for k in found.kinds)},
                    "kind_lacks_field",
                )
            return found.key
        if t == "custom_value":
            key = so_far.get("field")
            found = custom_fields.field_by_key(key) if key else None
            if found is None:
                raise _Refused(path, _("Choose the field first."), "required")
            return self._custom_value(found, raw, path)
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
        if t in PLUGGED_MODELS:
            return self._plugged(t, raw, path)
        raise _Refused(path, _("Unknown parameter."))

    def _recipient(self, who: Any, path: str) -> None:
        if isinstance(who, str) and who.startswith("user:"):
            ident = who[5:]
            number = parse_id(ident)
            if number is None:
                raise _Refused(path, _("Give the id of a user."), "wrong_type")
            self._exists("user", number, path)
            return
        if who not in RECIPIENTS:
            raise _Refused(path, _("Not one of the choices."), "invalid_choice")

    def _template(self, raw: Any, path: str) -> str:
        if not isinstance(raw, str):
            raise _Refused(path, _("Give text."), "wrong_type")
        try:
            return validate_template(raw, field=path)
        except ServiceError as exc:
            raise _Refused(path, exc.message, exc.code) from None

    def _plugged(self, type_: str, raw: Any, path: str) -> int:
        if not isinstance(raw, int) or isinstance(raw, bool):
            raise _Refused(path, _("Give an id."), "wrong_type")
        found = PLUGGED_MODELS[type_]._default_manager.filter(pk=raw).first()
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
