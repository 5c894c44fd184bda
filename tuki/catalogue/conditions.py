"""The catalogue forms' condition language, evaluated here and in the browser alike.

A condition is {"effect": "show"|"hide"|"require", "all"|"any": [test, ...]}, a test
{"field": "<custom field key>", "op": OP, "value": ...}. static/tuki/catalogue-conditions.js
is the same evaluator in JavaScript; tests/condition_cases.json holds the cases both must
agree on (test_conditions.py here, test_browser_catalogue.py in Chromium).

Rules, identical on both sides:
- empty: None, "", [] and false (an unticked checkbox) are empty;
- a value and an operand that both look like numbers compare as numbers, else as text
  (true/false as "true"/"false"); eq on a list holds if one element is equal;
- in / not_in: the operand is a list; contains: an element of a list, or text within text
  (case-insensitive); gt / lt: numbers, else text (ISO dates order as text);
- `resolve` walks the fields in form order and forgets the value of a field once it is
  hidden, so a question that depends on a hidden one is decided as if it were unanswered.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from tuki.lib.errors import ServiceError

OPS = ("eq", "ne", "in", "not_in", "empty", "not_empty", "gt", "lt", "contains")
EFFECTS = ("show", "hide", "require")
NO_OPERAND = ("empty", "not_empty")
_NUMBER = re.compile(r"^-?\d+(\.\d+)?$")


def is_empty(value: Any) -> bool:
    return value is None or value is False or value == "" or value == []


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str) and _NUMBER.match(value.strip()):
        return float(value.strip())
    return None


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _equal(a: Any, b: Any) -> bool:
    if isinstance(a, list):
        return any(_equal(item, b) for item in a)
    na, nb = _number(a), _number(b)
    if na is not None and nb is not None:
        return na == nb
    return _text(a) == _text(b)


def _order(a: Any, b: Any) -> int | None:
    if is_empty(a) or isinstance(a, list):
        return None
    na, nb = _number(a), _number(b)
    if na is not None and nb is not None:
        return (na > nb) - (na < nb)
    if na is not None or nb is not None:
        return None
    ta, tb = _text(a), _text(b)
    return (ta > tb) - (ta < tb)


def check_rule(rule: Mapping[str, Any], values: Mapping[str, Any]) -> bool:
    actual = values.get(str(rule.get("field")))
    op, operand = rule.get("op"), rule.get("value")
    if op == "empty":
        return is_empty(actual)
    if op == "not_empty":
        return not is_empty(actual)
    if op == "eq":
        return _equal(actual, operand)
    if op == "ne":
        return not _equal(actual, operand)
    if op in ("in", "not_in"):
        operands = operand if isinstance(operand, list) else [operand]
        found = any(_equal(actual, o) for o in operands)
        return found if op == "in" else not found
    if op in ("gt", "lt"):
        order = _order(actual, operand)
        return order is not None and order == (1 if op == "gt" else -1)
    if op == "contains":
        if isinstance(actual, list):
            return _equal(actual, operand)
        if is_empty(actual):
            return False
        return _text(operand).lower() in _text(actual).lower()
    return False


def holds(condition: Mapping[str, Any] | None, values: Mapping[str, Any]) -> bool:
    """Whether the condition's tests hold (a condition without tests holds)."""
    condition = condition or {}
    if "any" in condition:
        return any(check_rule(rule, values) for rule in condition.get("any") or [])
    return all(check_rule(rule, values) for rule in condition.get("all") or [])


@dataclass(frozen=True)
class State:
    shown: bool
    required: bool


def state(condition: Mapping[str, Any] | None, required: bool, values: Mapping[str, Any]) -> State:
    condition = condition or {}
    effect = condition.get("effect") or "show"
    if not (condition.get("all") or condition.get("any")):
        return State(shown=True, required=required)
    result = holds(condition, values)
    if effect == "hide":
        return State(shown=not result, required=required and not result)
    if effect == "require":
        return State(shown=True, required=required or result)
    return State(shown=result, required=required and result)


def resolve(
    fields: Iterable[tuple[str, Mapping[str, Any] | None, bool]], values: Mapping[str, Any]
) -> dict[str, State]:
    """Every field's state ((key, condition, required) in form order); hidden values forgotten."""
    known = dict(values)
    states: dict[str, State] = {}
    for key, condition, required in fields:
        states[key] = state(condition, required, known)
        if not states[key].shown:
            known.pop(key, None)
    return states


def clean_condition(data: Any, keys: Iterable[str], own_key: str = "") -> dict[str, Any]:
    """A condition as stored, or ServiceError(field="condition"): known fields and ops only."""
    if not data:
        return {}
    known = set(keys) - {own_key}
    if not isinstance(data, Mapping):
        raise ServiceError(_("A condition is an object."), field="condition", code="invalid")
    effect = data.get("effect") or "show"
    if effect not in EFFECTS:
        raise ServiceError(_("Unknown effect."), field="condition", code="invalid_effect")
    join = "any" if "any" in data else "all"
    rules = data.get(join)
    if not isinstance(rules, list) or not rules:
        raise ServiceError(
            _("A condition needs at least one test."), field="condition", code="invalid"
        )
    cleaned = []
    for rule in rules:
        if not isinstance(rule, Mapping) or rule.get("field") not in known:
            raise ServiceError(
                _("A condition can only test another field of this form."),
                field="condition",
                code="unknown_field",
            )
        if rule.get("op") not in OPS:
            raise ServiceError(_("Unknown operator."), field="condition", code="invalid_op")
        entry: dict[str, Any] = {"field": rule["field"], "op": rule["op"]}
        if rule["op"] not in NO_OPERAND:
            value = rule.get("value")
            if rule["op"] in ("in", "not_in") and not isinstance(value, list):
                value = [v.strip() for v in str(value or "").split(",") if v.strip()]
            if not isinstance(value, str | int | float | bool | list):
                raise ServiceError(
                    _("The condition's value is not valid."), field="condition", code="invalid"
                )
            entry["value"] = value
        cleaned.append(entry)
    return {"effect": effect, join: cleaned}
