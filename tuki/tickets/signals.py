"""How other apps follow tickets without `tickets` knowing them (architecture.md: apps depend downward).

Every TicketEvent the services record is announced twice:

- `event_recorded` at once, inside the service's transaction: for work that must commit or
  roll back with the change itself (SLA clocks recomputed on a status or priority change).
  Receivers must be quick and must not do I/O outside the database.
- `event_committed` after the transaction commits: for side effects (email to the requester,
  webhooks, automation) — usually by enqueueing a task.

Both send `event=<TicketEvent>`; `event.ticket` is the locked, up-to-date ticket.
"""

from django.dispatch import Signal

event_recorded = Signal()
event_committed = Signal()

# Sent by a service just before its transaction commits, when the service's block is the
# whole transaction (sender=Ticket, no arguments): receivers may write into the transaction
# what they collected for the change, e.g. one queued task for all its events, instead of
# a transaction of their own after the commit. Other transactions (a rule's actions, an SLA
# timer) do not send it; what was collected is then handled on commit as before.
committing = Signal()
