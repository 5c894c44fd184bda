"""The reasons Tuki's own code writes on ticket events: stored in English, shown translated
(tuki/lib/storedtext.py says why and how).

An event's `reason` is kept as written: the API and webhooks hand it on as it is, and a
reason a person typed is shown as typed. The code stores `english(TEMPLATE, ...)` of one of
the templates below; the timeline and the notifications show `shown(event.reason)`. Every
such template is listed here, the approvals and routing apps' too (tickets never imports
them; docs/development/architecture.md): the process that shows a reason is not always the
one that wrote it.
"""

from __future__ import annotations

from django.utils.translation import gettext_noop

from tuki.lib.storedtext import StoredTexts

REQUESTER_REPLIED = gettext_noop("The requester replied.")
RESOLUTION_CONFIRMED = gettext_noop("Resolution confirmed.")
ANSWERED_LIVE = gettext_noop(
    "Registered while talking with the requester: this conversation is the first response."
)
KIND_SWITCHED = gettext_noop("The kind was switched: %(old)s has become %(new)s.")
# Swarming (services/thread.py): a person mentioned in the thread who could not see the
# ticket is consulted.
MENTIONED_IN_THREAD = gettext_noop("Mentioned in the consultation thread.")
# The approvals app's.
APPROVAL_REQUESTED = gettext_noop("Approval requested: %(name)s")
APPROVAL_CANCELLED = gettext_noop("Approval cancelled: %(name)s")
APPROVED = gettext_noop("Approved: %(name)s (last decision by %(user)s)")
REJECTED = gettext_noop("Rejected by %(user)s: %(comment)s")
LEFT_STATUS = gettext_noop("The ticket left %(status)s.")
# The routing app's.
ROUTING_RULE = gettext_noop("Routing rule “%(name)s”")
ROUTING_ASSIST = gettext_noop(
    "Routing rule “%(name)s”: Assist's suggestion, %(percent)d percent confident"
)
AUTO_ASSIGNED = gettext_noop("Auto-assigned by the group's mode: %(mode)s")

REASONS = StoredTexts(
    REQUESTER_REPLIED,
    RESOLUTION_CONFIRMED,
    ANSWERED_LIVE,
    KIND_SWITCHED,
    MENTIONED_IN_THREAD,
    APPROVAL_REQUESTED,
    APPROVAL_CANCELLED,
    APPROVED,
    REJECTED,
    LEFT_STATUS,
    ROUTING_ASSIST,  # before ROUTING_RULE: that one's pattern would match it too
    ROUTING_RULE,
    AUTO_ASSIGNED,
)
english = REASONS.english
shown = REASONS.shown
