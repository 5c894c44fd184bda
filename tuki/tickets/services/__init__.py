"""The only way in: every write to a ticket goes through one function here
(docs/development/architecture.md).

Each function checks permission and workflow, writes in one transaction, records events
and schedules follow-up work (notifications) on commit. Errors are `ServiceError`s that
name the field at fault, so forms and the API can show them next to it.

Callers use the package (`from tuki.tickets import services; services.create_ticket(...)`);
the modules split it by concern. Names with a leading underscore are shared between these
modules only. A test that replaces a service replaces it here, where callers look it up;
a service calling another inside the package is not affected by that.
"""

from tuki.lib.errors import ServiceError
from tuki.lib.uploads import Upload
from tuki.tickets.services.assignment import assign_ticket, escalate_ticket, take_ticket
from tuki.tickets.services.attachments import add_attachments
from tuki.tickets.services.bulk import bulk_apply
from tuki.tickets.services.common import StaleTicket, changed_since
from tuki.tickets.services.conversation import add_comment
from tuki.tickets.services.creation import EDITABLE_FIELDS, create_ticket, update_ticket
from tuki.tickets.services.events import (
    Acting,
    acting_as,
    changed_after_commit,
    current_acting,
    record_event,
    record_sla_event,
)
from tuki.tickets.services.links import link_tickets, merge_tickets, unlink_tickets
from tuki.tickets.services.status import change_status, close_ticket, reopen_ticket, resolve_ticket
from tuki.tickets.services.thread import close_consultation, consult, post_thread_message
from tuki.tickets.services.watchers import add_watchers, remove_watcher
from tuki.tickets.services.workflow import (
    allowed_statuses,
    compute_priority,
    default_service_desk,
    status_by_key,
)

__all__ = [
    "EDITABLE_FIELDS",
    "Acting",
    "ServiceError",
    "StaleTicket",
    "Upload",
    "acting_as",
    "add_attachments",
    "add_comment",
    "add_watchers",
    "allowed_statuses",
    "assign_ticket",
    "bulk_apply",
    "change_status",
    "changed_after_commit",
    "changed_since",
    "close_consultation",
    "close_ticket",
    "compute_priority",
    "consult",
    "create_ticket",
    "current_acting",
    "default_service_desk",
    "escalate_ticket",
    "link_tickets",
    "merge_tickets",
    "post_thread_message",
    "record_event",
    "record_sla_event",
    "remove_watcher",
    "reopen_ticket",
    "resolve_ticket",
    "status_by_key",
    "take_ticket",
    "unlink_tickets",
    "update_ticket",
]
