"""Macros: the only way in (render, apply, create, edit, delete).

Other apps call `render_text`, `apply_macro` and `macros_for` (the automation engine's
add_note / public_reply / run_macro actions); their signatures are a contract
(docs/development/brief-automation.md).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from tuki.accounts.models import SupportGroup
from tuki.lib.bounds import parse_id
from tuki.lib.errors import ServiceError
from tuki.macros import access
from tuki.macros.actions import run_action, validate_actions
from tuki.macros.models import Macro, Scope
from tuki.macros.placeholders import substitute, unknown_placeholders
from tuki.tickets import access as ticket_access, services as ticket_services
from tuki.tickets.models import Comment, Kind, Ticket

if TYPE_CHECKING:
    from tuki.accounts.models import User

MAX_BODY = 20_000


# --- text ---------------------------------------------------------------------------------------


def render_text(template: str, ticket: Ticket, user: User | None = None) -> str:
    """The template with its placeholders filled in for this ticket and acting user.

    Unknown `{{…}}` and anything else stay as written: no template engine runs here.
    """
    return substitute(template, ticket, user)


def validate_template(text: str, *, field: str = "body") -> str:
    """The text, or ServiceError naming the first unknown placeholder."""
    unknown = unknown_placeholders(text)
    if unknown:
        raise ServiceError(
            _("Unknown placeholder {{%(name)s}}.") % {"name": unknown[0]},
            field=field,
            code="unknown_placeholder",
        )
    return text


# --- who uses what ------------------------------------------------------------------------------


def macros_for(user: User) -> QuerySet[Macro]:
    """Active macros this agent may use: their personal ones, their groups' and global ones."""
    return (
        Macro.objects.filter(access.usable_q(user), is_active=True)
        .select_related("group", "owner")
        .order_by("name", "id")
    )


def macros_for_ticket(user: User, ticket: Ticket) -> list[Macro]:
    return [m for m in macros_for(user) if m.applies_to(ticket.kind)]


# --- apply --------------------------------------------------------------------------------------


def apply_macro(
    actor: User | None, ticket: Ticket, macro: Macro, *, extra_text: str = ""
) -> Comment | None:
    """Post the macro's text (then `extra_text`) as a reply or note and make its changes.

    All in one transaction: if any action is refused, nothing was written. `actor=None` is
    a rule (inside `acting_as`); a person must be allowed to use the macro, and a macro
    that replies publicly is refused to agents whose groups may not write to requesters.
    Returns the comment, or None when there was no text to post.
    """
    if actor is not None:
        _check_may_use(actor, ticket, macro)
    elif not macro.is_active:
        raise ServiceError(
            _("The macro %(name)s is switched off.") % {"name": macro.name},
            field="macro",
            code="inactive",
        )
    if not macro.applies_to(ticket.kind):
        raise ServiceError(
            _("This macro is not for %(kind)s tickets.")
            % {"kind": Kind(ticket.kind).label.lower()},
            field="macro",
            code="wrong_kind",
        )
    with transaction.atomic():
        comment = None
        text = _text_for(macro, ticket, actor, extra_text)
        if text:
            comment = ticket_services.add_comment(actor, ticket, text, internal=macro.internal)
        for action in macro.actions:
            ticket = Ticket.objects.with_related().get(pk=ticket.pk)
            run_action(actor, ticket, action)
    return comment


def _check_may_use(actor: User, ticket: Ticket, macro: Macro) -> None:
    if not macro.is_active or not macros_for(actor).filter(pk=macro.pk).exists():
        raise PermissionDenied(_("You may not use this macro."))
    if not ticket_access.can_work(actor, ticket):
        raise PermissionDenied(_("Only agents may do this."))
    if macro.body.strip() and not macro.internal:
        if not ticket_access.can_reply_publicly(actor, ticket):
            raise ServiceError(
                _("Your group may not write to requesters; add an internal note instead."),
                field="internal",
                code="no_public_reply",
            )


def preview_text(macro: Macro, ticket: Ticket, user: User | None) -> str:
    """The macro's text as it would be posted on this ticket."""
    # A public reply reads best in the requester's language (status names, priorities).
    language = ticket.requester.language if not macro.internal else translation.get_language()
    with translation.override(language or None):
        return render_text(macro.body, ticket, user).strip()


def _text_for(macro: Macro, ticket: Ticket, actor: User | None, extra_text: str) -> str:
    body = preview_text(macro, ticket, actor)
    parts = [p for p in (body, (extra_text or "").strip()) if p]
    return "\n\n".join(parts)


# --- create, edit, delete -----------------------------------------------------------------------


def _clean(actor: User, data: dict[str, Any], current: Macro | None = None) -> dict[str, Any]:
    """Validate a macro's fields; ServiceError names the field at fault."""
    clean: dict[str, Any] = {}
    name = str(data.get("name", current.name if current else "") or "").strip()
    if not name:
        raise ServiceError(_("A name is required."), field="name", code="required")
    clean["name"] = name[:120]
    scope = data.get("scope", current.scope if current else Scope.PERSONAL)
    if scope not in Scope.values:
        raise ServiceError(_("Unknown scope."), field="scope", code="invalid")
    clean["scope"] = scope
    group = data.get("group", current.group if current else None)
    if scope == Scope.GROUP:
        group_pk = parse_id(group) if isinstance(group, int | str) else None
        if group_pk is not None:
            group = SupportGroup.objects.filter(pk=group_pk).first()
        if not isinstance(group, SupportGroup):
            raise ServiceError(_("Choose a group."), field="group", code="required")
        if not access.managed_groups(actor).filter(pk=group.pk).exists():
            raise ServiceError(
                _("Only the group's manager or an administrator may share macros with it."),
                field="group",
                code="not_manager",
            )
        clean["group"], clean["owner"] = group, None
    elif scope == Scope.GLOBAL:
        if not access.is_admin(actor):
            raise ServiceError(
                _("Only administrators may share macros with everyone."),
                field="scope",
                code="not_admin",
            )
        clean["group"], clean["owner"] = None, None
    else:
        owner = current.owner if current and current.scope == Scope.PERSONAL else actor
        clean["group"], clean["owner"] = None, owner
    body = str(data.get("body", current.body if current else "") or "")
    if len(body) > MAX_BODY:
        raise ServiceError(_("The text is too long."), field="body", code="too_long")
    clean["body"] = validate_template(body.replace("\r\n", "\n"))
    clean["internal"] = bool(data.get("internal", current.internal if current else False))
    clean["actions"] = validate_actions(data.get("actions", current.actions if current else []))
    if not clean["body"].strip() and not clean["actions"]:
        raise ServiceError(
            _("Write a text or add at least one action."), field="body", code="required"
        )
    clean["kinds"] = _clean_kinds(data.get("kinds", current.kinds if current else []))
    clean["is_active"] = bool(data.get("is_active", current.is_active if current else True))
    return clean


def _clean_kinds(kinds: Iterable[str] | None) -> list[str]:
    if kinds is None or isinstance(kinds, str):
        kinds = [kinds] if kinds else []
    kinds = list(kinds)
    for index, kind in enumerate(kinds):
        if kind not in Kind.values:
            raise ServiceError(_("Unknown ticket kind."), field=f"kinds.{index}", code="invalid")
    return sorted(set(kinds), key=Kind.values.index)


def _require_agent(actor: User) -> None:
    if not (access.is_agent(actor) or access.is_admin(actor)):
        raise PermissionDenied(_("Only agents may do this."))


def create_macro(actor: User, **data: Any) -> Macro:
    _require_agent(actor)
    clean = _clean(actor, data)
    with transaction.atomic():
        return Macro.objects.create(created_by=actor, **clean)


def update_macro(actor: User, macro: Macro, **data: Any) -> Macro:
    _require_agent(actor)
    if not access.can_edit(actor, macro):
        raise PermissionDenied(_("You may not edit this macro."))
    clean = _clean(actor, data, current=macro)
    with transaction.atomic():
        locked = Macro.objects.select_for_update().get(pk=macro.pk)
        for field, value in clean.items():
            setattr(locked, field, value)
        locked.updated_at = timezone.now()
        locked.save()
    return locked


def delete_macro(actor: User, macro: Macro) -> None:
    _require_agent(actor)
    if not access.can_edit(actor, macro):
        raise PermissionDenied(_("You may not delete this macro."))
    Macro.objects.filter(pk=macro.pk).delete()
