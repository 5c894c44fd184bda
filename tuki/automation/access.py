"""Who may see and change automation rules, and the catalogue as plain data for clients."""

from __future__ import annotations

from typing import Any

from django.http import Http404

from tuki.accounts.models import User
from tuki.automation.catalogue import ACTIONS, EVENTS, OPERATORS, WAIT_SINCE, condition_fields
from tuki.automation.models import Rule
from tuki.lib.bounds import parse_id


def may_manage_rules(user: User | None) -> bool:
    """Rules are shared settings: administrators (staff) only."""
    return bool(user is not None and user.is_active and (user.is_staff or user.is_superuser))


def get_rule_for_user(user: User, pk: int | str) -> Rule:
    """The rule, or 404 for anyone who may not manage rules (they learn nothing)."""
    if not may_manage_rules(user):
        raise Http404
    number = parse_id(pk)
    found = Rule.objects.filter(pk=number).first() if number is not None else None
    if found is None:
        raise Http404
    return found


def _choices(spec: Any) -> list[dict[str, Any]] | None:
    if spec.choices is None:
        return None
    return [{"value": value, "label": str(label)} for value, label in spec.choices()]


def catalogue() -> dict[str, Any]:
    """catalogue.py's catalogue with labels in the caller's language and choices read now."""
    return {
        "events": [{"key": k, "label": str(v)} for k, v in EVENTS.items()],
        "operators": [{"key": k, "label": str(v)} for k, v in OPERATORS.items()],
        "fields": [
            {
                "key": f.key,
                "label": str(f.label),
                "type": f.type,
                "operators": list(f.operators),
                "choices": _choices(f),
                "kinds": list(f.kinds) if f.kinds else None,
            }
            for f in condition_fields().values()
        ],
        "actions": [
            {
                "key": a.key,
                "label": str(a.label),
                "kinds": list(a.kinds) if a.kinds else None,
                "params": [
                    {
                        "key": p.key,
                        "label": str(p.label),
                        "type": p.type,
                        "required": p.required,
                        "choices": _choices(p),
                    }
                    for p in a.params
                ],
            }
            for a in ACTIONS.values()
        ],
        "wait_since": [{"key": k, "label": str(v)} for k, v in WAIT_SINCE.items()],
    }
