"""The rules that decide a step (any, all, majority), step definitions and approval
templates (staff).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django.utils.translation import gettext as _

from tuki.accounts.models import SupportGroup, User
from tuki.approvals.models import (
    APPROVABLE_KINDS,
    ApprovalTemplate,
    Rule,
    StepState,
)
from tuki.lib.bounds import parse_id
from tuki.lib.errors import ServiceError

MAX_STEPS = 10


def needed(rule: str, voters: int) -> int:
    """How many approvals pass a step of this many voters."""
    if rule == Rule.ALL:
        return voters
    if rule == Rule.MAJORITY:
        return voters // 2 + 1  # more than half: 2 of 3, 3 of 4
    return 1


def step_outcome(rule: str, voters: int, approvals: int, rejections: int) -> str:
    """APPROVED when the rule is met, REJECTED when it can no longer be met, else ""."""
    if voters <= 0:
        return ""
    target = needed(rule, voters)
    if approvals >= target:
        return StepState.APPROVED
    if voters - rejections < target:
        return StepState.REJECTED
    return ""


@dataclass(frozen=True)
class StepSpec:
    """One step as asked for: its rule, named approvers and group; `voters` resolved."""

    rule: str
    users: tuple[User, ...]
    group: SupportGroup | None
    voters: tuple[User, ...]

    def as_json(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "users": [u.pk for u in self.users],
            "group": self.group.pk if self.group else None,
        }


def _ids(value: Any, field: str) -> list[int]:
    items = value if isinstance(value, list | tuple) else [value] if value else []
    ids = []
    for item in items:
        pk: object = getattr(item, "pk", item)
        number = parse_id(pk)
        if number is None:
            raise ServiceError(_("Give people by their id."), field=field, code="invalid")
        ids.append(number)
    return list(dict.fromkeys(ids))


def clean_step(data: Any, index: int) -> StepSpec:
    prefix = f"steps.{index}"
    if not isinstance(data, dict):
        raise ServiceError(_("Each step needs a rule and approvers."), field=prefix)
    rule = data.get("rule") or Rule.ANY
    if rule not in Rule.values:
        raise ServiceError(
            _("Choose any, all or majority."), field=f"{prefix}.rule", code="invalid_rule"
        )
    user_ids = _ids(data.get("users") or [], f"{prefix}.users")
    users = list(User.objects.filter(pk__in=user_ids, is_active=True))
    if len(users) != len(user_ids):
        raise ServiceError(
            _("Some of these people do not exist or are inactive."),
            field=f"{prefix}.users",
            code="unknown_user",
        )
    group = None
    group_value = data.get("group")
    if group_value not in (None, ""):
        group_id = _ids(group_value, f"{prefix}.group")[0]
        group = SupportGroup.objects.filter(pk=group_id, is_active=True).first()
        if group is None:
            raise ServiceError(
                _("This group does not exist or is inactive."),
                field=f"{prefix}.group",
                code="unknown_group",
            )
    voters = {u.pk: u for u in users}
    if group is not None:
        voters.update({u.pk: u for u in group.members.filter(is_active=True)})
    if not voters:
        raise ServiceError(
            _("Name at least one approver, or a group with active members."),
            field=f"{prefix}.users",
            code="no_approvers",
        )
    ordered = tuple(sorted(voters.values(), key=lambda u: (u.full_name, u.pk)))
    return StepSpec(rule, tuple(users), group, ordered)


def clean_steps(steps: Any) -> list[StepSpec]:
    """Validate a steps definition (list of {"rule", "users", "group"}); errors name the step."""
    if not isinstance(steps, list | tuple) or not steps:
        raise ServiceError(_("Add at least one step."), field="steps", code="required")
    if len(steps) > MAX_STEPS:
        raise ServiceError(
            _("At most %(count)d steps.") % {"count": MAX_STEPS}, field="steps", code="too_many"
        )
    return [clean_step(step, index) for index, step in enumerate(steps)]


def _require_staff(actor: User) -> None:
    if not (actor.is_staff or actor.is_superuser):
        raise PermissionDenied(_("Only administrators manage approval templates."))


def _clean_template(name: str, kinds: Iterable[str], steps: Any) -> tuple[str, list[str], list]:
    name = (name or "").strip()
    if not name:
        raise ServiceError(_("A name is required."), field="name", code="required")
    if len(name) > 120:
        raise ServiceError(_("At most 120 characters."), field="name", code="too_long")
    kinds = list(dict.fromkeys(kinds or []))
    if any(kind not in APPROVABLE_KINDS for kind in kinds):
        raise ServiceError(
            _("Only service requests, changes and releases wait for approval."),
            field="kinds",
            code="invalid_kind",
        )
    return name, kinds, [spec.as_json() for spec in clean_steps(steps)]


def create_template(
    actor: User,
    *,
    name: str,
    steps: Any,
    kinds: Iterable[str] = (),
    description: str = "",
    is_active: bool = True,
) -> ApprovalTemplate:
    _require_staff(actor)
    name, kinds, cleaned = _clean_template(name, kinds, steps)
    if ApprovalTemplate.objects.filter(name__iexact=name).exists():
        raise ServiceError(_("This name is taken."), field="name", code="duplicate")
    return ApprovalTemplate.objects.create(
        name=name,
        kinds=kinds,
        steps=cleaned,
        description=description or "",
        is_active=is_active,
        created_by=actor,
    )


def update_template(
    actor: User,
    template: ApprovalTemplate,
    *,
    name: str,
    steps: Any,
    kinds: Iterable[str] = (),
    description: str = "",
    is_active: bool = True,
) -> ApprovalTemplate:
    """Edits apply to approvals requested from now on; running ones keep their steps."""
    _require_staff(actor)
    name, kinds, cleaned = _clean_template(name, kinds, steps)
    taken = ApprovalTemplate.objects.filter(name__iexact=name).exclude(pk=template.pk)
    if taken.exists():
        raise ServiceError(_("This name is taken."), field="name", code="duplicate")
    template.name, template.kinds, template.steps = name, kinds, cleaned
    template.description, template.is_active = description or "", is_active
    template.updated_at = timezone.now()
    template.save()
    return template


def delete_template(actor: User, template: ApprovalTemplate) -> None:
    """Past approvals keep their name and steps; the template link becomes empty."""
    _require_staff(actor)
    template.delete()
