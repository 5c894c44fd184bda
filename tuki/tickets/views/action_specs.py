"""The ticket actions offered on the ticket page: what they are and when they apply."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy

from tuki.accounts.models import SupportGroup, User
from tuki.tickets import forms as f, services
from tuki.tickets.models import LINK_INVERSE_LABEL, LinkType, Status, StatusCategory, Ticket


@dataclass(frozen=True)
class Staff:
    """What the assign and escalate forms offer: the active groups (by tier and name) and,
    by group name, the ids and names of their active members."""

    groups: list[SupportGroup]
    members: f.Members


def staff() -> Staff:
    """Active members as plain (id, name) rows: the assign form lists every agent, and
    building a user and a membership object per row took longer than the SQL."""
    groups = list(SupportGroup.objects.filter(is_active=True))
    rows = (
        SupportGroup.members.through.objects.filter(
            supportgroup__in=[g.pk for g in groups], user__is_active=True
        )
        .order_by("user__full_name")
        .values_list("supportgroup_id", "user_id", "user__full_name")
    )
    people: dict[int, list[tuple[int, str]]] = {}
    for group_id, user_id, name in rows:
        people.setdefault(group_id, []).append((user_id, name))
    return Staff(groups, [(g.name, people[g.pk]) for g in groups if g.pk in people])


@dataclass(frozen=True)
class Action:
    name: str
    title: Promise
    submit: Promise
    icon: str
    form: type[f.ActionForm]
    style: str = "primary"

    @property
    def url_name(self) -> str:
        return f"tickets:{self.name}"


ACTIONS = {
    a.name: a
    for a in [
        Action(
            "take", gettext_lazy("Take"), gettext_lazy("Assign to me"), "bi-hand-index", f.TakeForm
        ),
        Action(
            "assign",
            gettext_lazy("Assign"),
            gettext_lazy("Assign"),
            "bi-person-check",
            f.AssignForm,
        ),
        Action(
            "escalate",
            gettext_lazy("Escalate"),
            gettext_lazy("Escalate"),
            "bi-arrow-up-right-circle",
            f.EscalateForm,
            "warning",
        ),
        Action(
            "set_status",
            gettext_lazy("Change status"),
            gettext_lazy("Change status"),
            "bi-arrow-left-right",
            f.StatusForm,
        ),
        Action(
            "resolve",
            gettext_lazy("Resolve"),
            gettext_lazy("Resolve"),
            "bi-check2-circle",
            f.ResolveForm,
            "success",
        ),
        Action(
            "reopen",
            gettext_lazy("Reopen"),
            gettext_lazy("Reopen"),
            "bi-arrow-counterclockwise",
            f.ReopenForm,
            "warning",
        ),
        Action(
            "close",
            gettext_lazy("Close"),
            gettext_lazy("Close the ticket"),
            "bi-archive",
            f.CloseForm,
            "secondary",
        ),
        Action("link", gettext_lazy("Link"), gettext_lazy("Link"), "bi-link-45deg", f.LinkForm),
        Action(
            "merge", gettext_lazy("Merge"), gettext_lazy("Merge"), "bi-union", f.MergeForm, "danger"
        ),
    ]
}


def inverse_label(link_type: str) -> str:
    return str(LINK_INVERSE_LABEL.get(LinkType(link_type), link_type))


def available(user: User, ticket: Ticket, statuses: list[Status]) -> list[str]:
    """The actions that make sense for this ticket now, in toolbar order."""
    targets = {s.category for s in statuses}
    resolved = ticket.status.category == StatusCategory.RESOLVED
    checks = {
        # Taking assigns within the ticket's group, so only its members can.
        "take": ticket.is_active
        and ticket.assignee_id != user.pk
        and ticket.group_id in user.group_ids,
        "assign": ticket.is_active,
        "escalate": ticket.is_active,
        "set_status": bool(targets - {StatusCategory.RESOLVED}),
        "resolve": StatusCategory.RESOLVED in targets,
        "reopen": resolved,
        "close": resolved and StatusCategory.CLOSED in targets,
        "link": True,
        "merge": ticket.is_active and not ticket.merged_into_id,
    }
    return [name for name, ok in checks.items() if ok]


def make_form(
    name: str,
    ticket: Ticket,
    user: User,
    data: Any = None,
    statuses: list[Status] | None = None,
) -> f.ActionForm:
    # Several action forms share field names on one page: give each its own ids.
    kwargs: dict[str, Any] = {"ticket": ticket, "user": user, "auto_id": f"id_{name}_%s"}
    if name == "set_status":
        kwargs["statuses"] = statuses if statuses is not None else services.allowed_statuses(ticket)
    if name == "assign":
        people = staff()
        kwargs["members"], kwargs["groups"] = people.members, people.groups
    return ACTIONS[name].form(data, **kwargs)
