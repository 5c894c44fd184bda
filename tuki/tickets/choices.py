"""The fixed vocabularies of tickets: kinds and their number prefixes, status categories,
impact, urgency and priority, channels, resolution codes, link types, who acted and what an
event records. Re-exported by tuki.tickets.models, where most code imports them from."""

from __future__ import annotations

import re

from django.db import models
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    INCIDENT = "incident", _("Incident")
    REQUEST = "request", _("Service request")
    PROBLEM = "problem", _("Problem")
    CHANGE = "change", _("Change")
    RELEASE = "release", _("Release")


KIND_PREFIX = {
    Kind.INCIDENT: "INC",
    Kind.REQUEST: "REQ",
    Kind.PROBLEM: "PRB",
    Kind.CHANGE: "CHG",
    Kind.RELEASE: "REL",
}


PREFIX_KIND = {prefix: kind for kind, prefix in KIND_PREFIX.items()}


NUMBER_RE = re.compile(r"^\s*\[?(?P<prefix>[A-Za-z]{3})-(?P<id>[0-9]{1,12})\]?\s*$")


class StatusCategory(models.TextChoices):
    NEW = "new", _("New")
    OPEN = "open", _("Open")
    PENDING = "pending", _("Pending")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Closed")


ACTIVE_CATEGORIES = (StatusCategory.NEW, StatusCategory.OPEN, StatusCategory.PENDING)


class Impact(models.IntegerChoices):
    HIGH = 1, _("1 - High")
    MEDIUM = 2, _("2 - Medium")
    LOW = 3, _("3 - Low")


class Urgency(models.IntegerChoices):
    HIGH = 1, _("1 - High")
    MEDIUM = 2, _("2 - Medium")
    LOW = 3, _("3 - Low")


class Priority(models.IntegerChoices):
    CRITICAL = 1, _("1 - Critical")
    HIGH = 2, _("2 - High")
    MODERATE = 3, _("3 - Moderate")
    LOW = 4, _("4 - Low")
    PLANNING = 5, _("5 - Planning")


class Channel(models.TextChoices):
    PHONE = "phone", _("Phone")
    EMAIL = "email", _("Email")
    WEB = "web", _("Web portal")
    CHAT = "chat", _("Chat")
    API = "api", _("API")


# Channels on which the agent registering a ticket is talking with the requester (Log a
# call): that conversation is the first response (docs/sla.md, "Answered on the call").
LIVE_CHANNELS = (Channel.PHONE,)


class ResolutionCode(models.TextChoices):
    SOLVED = "solved", _("Solved (permanently)")
    WORKAROUND = "workaround", _("Solved (work-around)")
    FIRST_CONTACT = "first_contact", _("Solved at first contact")
    NOT_REPRODUCIBLE = "not_reproducible", _("Not reproducible")
    DUPLICATE = "duplicate", _("Duplicate")
    USER_ERROR = "user_error", _("User instruction")
    CANCELLED = "cancelled", _("Cancelled by requester")


class LinkType(models.TextChoices):
    DUPLICATE_OF = "duplicate_of", _("duplicate of")
    RELATED = "related", _("related to")
    CAUSED_BY = "caused_by", _("caused by")
    PARENT_OF = "parent_of", _("parent of")


LINK_INVERSE_LABEL = {
    LinkType.DUPLICATE_OF: _("duplicated by"),
    LinkType.RELATED: _("related to"),
    LinkType.CAUSED_BY: _("causes"),
    LinkType.PARENT_OF: _("child of"),
}


class ActorKind(models.TextChoices):
    USER = "user", _("user")
    RULE = "rule", _("rule")
    EMAIL = "email", _("email")
    SLA = "sla", _("SLA")
    SYSTEM = "system", _("system")


class EventAction(models.TextChoices):
    """What a TicketEvent records; the label is how the timeline and notifications say it."""

    CREATED = "created", _("registered the ticket")
    FIELD = "field", _("changed a field")  # `field` names which one (FIELD_LABELS)
    STATUS = "status", _("changed the status")
    ASSIGNED = "assigned", _("changed the assignee")
    GROUP = "group", _("moved the ticket to another group")
    ESCALATED = "escalated", _("escalated the ticket")
    ESCALATED_MANAGER = "escalated_manager", _("escalated to the manager")
    RESOLUTION = "resolution", _("recorded the resolution")
    REPLY = "reply", _("replied")
    NOTE = "note", _("added a note")
    ATTACHMENT = "attachment", _("attached")
    LINKED = "linked", _("linked this ticket")
    LINKED_FROM = "linked_from", _("linked another ticket to this one")
    UNLINKED = "unlinked", _("removed a link")
    MERGED = "merged", _("merged this ticket into another")
    MERGED_FROM = "merged_from", _("merged another ticket into this one")
    # Swarming (services/thread.py): `new_value` names who was consulted; messages of the
    # thread are notes (NOTE) on a comment marked `thread`.
    CONSULTED = "consulted", _("asked for help")
    CONSULTATION_CLOSED = "consultation_closed", _("closed the consultation")
    # The sla app records these (tickets never imports it); `field` names the metric.
    SLA_WARNING = "sla_warning", _("SLA warning")
    SLA_BREACHED = "sla_breached", _("SLA breached")
    # The approvals app records these (tickets never imports it).
    APPROVAL_REQUESTED = "approval_requested", _("asked for approval")
    APPROVAL_APPROVED = "approval_approved", _("approved")
    APPROVAL_REJECTED = "approval_rejected", _("rejected")
    APPROVAL_CANCELLED = "approval_cancelled", _("cancelled the approval")
    # The surveys app records this (tickets never imports it); new_value is the score 1-5.
    SURVEY_ANSWERED = "survey_answered", _("answered the satisfaction survey")
    # The majors app records these (tickets never imports it).
    MAJOR_PROPOSED = "major_proposed", _("proposed a major incident")
    MAJOR_DECLARED = "major_declared", _("declared a major incident")
    MAJOR_REJECTED = "major_rejected", _("rejected the major incident proposal")
    MAJOR_UPDATE = "major_update", _("posted a major incident update")
    MAJOR_REVIEWED = "major_reviewed", _("reviewed the major incident")


def action_label(action: str) -> str:
    """How an event's action reads; an action no longer known reads as its code."""
    try:
        return str(EventAction(action).label)  # in the active language
    except ValueError:
        return action.replace("_", " ")


# What the `field` of an event names, as a person reads it.
FIELD_LABELS = {
    "title": _("title"),
    "description": _("description"),
    "impact": _("impact"),
    "urgency": _("urgency"),
    "category": _("category"),
    "kind": _("kind"),
    "restricted": _("restricted"),
    "tags": _("tags"),
    "requester": _("requester"),
    "priority": _("priority"),
    "status": _("status"),
    "assignee": _("assignee"),
    "group": _("group"),
    "watchers": _("watchers"),
    # The cmdb app records this (tickets never imports it): the services and items named.
    "affected_items": _("affected items"),
    # The changes app records these (tickets never imports it): a change's detail.
    "change_type": _("change type"),
    "change_template": _("standard change template"),
    "change_justification": _("reason for the change"),
    "change_implementation_plan": _("implementation plan"),
    "change_backout_plan": _("back-out plan"),
    "change_test_plan": _("test plan"),
    "change_risk": _("risk"),
    "change_outcome": _("outcome"),
    "change_review": _("post-implementation review"),
    # The changes app's window (scheduling.py) and the problems app's detail.
    "planned_start": _("planned start"),
    "planned_end": _("planned end"),
    "implementer": _("implementer"),
    "root_cause": _("root cause"),
    "root_cause_category": _("root cause category"),
    "workaround": _("workaround"),
    "quiet_days": _("quiet period (days)"),
    "known_error": _("known error"),
}
