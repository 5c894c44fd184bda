"""Approvals: the only way to write them (docs/development/architecture.md: services are
the only way in).

request_approval puts a service request or change on hold ("Awaiting approval") and asks the
first step's voters; decide records one voter's approve or reject and, when a step's rule is
met or can no longer be met (models.py explains the rules), starts the next step, or moves
the ticket on (approved) or cancels it (rejected); cancel_approval withdraws it.

Ticket changes go through tuki/tickets/services/. Approvers need not be agents (a requester's
line manager approves new hardware), so the moves that follow a decision are made by the
system on the approval's behalf, with the decision named as the reason.

The package re-exports every public name of its modules (templates, requesting, notices,
decisions); callers use `from tuki.approvals import services`.
"""

from tuki.approvals.services.decisions import (
    MAX_COMMENT,
    cancel_approval,
    closed_message,
    decide,
    ticket_left_waiting,
)
from tuki.approvals.services.notices import (
    APPROVED_TEXT,
    LINK_MAX_AGE,
    LINK_SALT,
    REJECTED_TEXT,
    REQUESTED_TEXT,
    link_token,
    link_url,
    read_link_token,
)
from tuki.approvals.services.requesting import AWAITING, request_approval
from tuki.approvals.services.templates import (
    MAX_STEPS,
    StepSpec,
    clean_step,
    clean_steps,
    create_template,
    delete_template,
    needed,
    step_outcome,
    update_template,
)

__all__ = [
    "APPROVED_TEXT",
    "AWAITING",
    "LINK_MAX_AGE",
    "LINK_SALT",
    "MAX_COMMENT",
    "MAX_STEPS",
    "REJECTED_TEXT",
    "REQUESTED_TEXT",
    "StepSpec",
    "cancel_approval",
    "clean_step",
    "clean_steps",
    "closed_message",
    "create_template",
    "decide",
    "delete_template",
    "link_token",
    "link_url",
    "needed",
    "read_link_token",
    "request_approval",
    "step_outcome",
    "ticket_left_waiting",
    "update_template",
]
