"""The reasons Tuki's own code writes on ticket events: stored in English, shown translated.

An event's `reason` is kept as written: the API and webhooks hand it on as it is, and a
reason a person typed is shown as typed. A reason written by code would be frozen in the
language of whoever happened to cause it (a requester's Finnish, a worker's English), so
the code stores the English text of one of the templates below (`english`) and whoever
shows it calls `shown`, which recognises the template, parameters included, and writes it
again in the reader's language. Every such template is listed here, the approvals and
routing apps' too (tickets never imports them; docs/development/architecture.md): the
process that shows a reason is not always the one that wrote it.
"""

from __future__ import annotations

import re
from functools import cache

from django.utils.translation import gettext, gettext_noop

REQUESTER_REPLIED = gettext_noop("The requester replied.")
RESOLUTION_CONFIRMED = gettext_noop("Resolution confirmed.")
# The approvals app's.
APPROVAL_REQUESTED = gettext_noop("Approval requested: %(name)s")
APPROVAL_CANCELLED = gettext_noop("Approval cancelled: %(name)s")
APPROVED = gettext_noop("Approved: %(name)s (last decision by %(user)s)")
REJECTED = gettext_noop("Rejected by %(user)s: %(comment)s")
LEFT_STATUS = gettext_noop("The ticket left %(status)s.")
# The routing app's.
ROUTING_RULE = gettext_noop("Routing rule “%(name)s”")
AUTO_ASSIGNED = gettext_noop("Auto-assigned by the group's mode: %(mode)s")

TEMPLATES = (
    REQUESTER_REPLIED,
    RESOLUTION_CONFIRMED,
    APPROVAL_REQUESTED,
    APPROVAL_CANCELLED,
    APPROVED,
    REJECTED,
    LEFT_STATUS,
    ROUTING_RULE,
    AUTO_ASSIGNED,
)
_PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def english(template: str, **params: object) -> str:
    """The text to store: `template` (one of the above) with its parameters, in English.

    A parameter that is itself translatable (a status, a mode's label) is passed in English
    too (gettext_noop, or translation.override("en")): `shown` translates it again.
    """
    if template not in TEMPLATES:
        raise ValueError(f"not a reason template of tickets/reasons.py: {template!r}")
    return template % {name: str(value) for name, value in params.items()}


@cache
def _patterns() -> list[tuple[re.Pattern[str], str]]:
    patterns = []
    for template in TEMPLATES:
        parts = _PLACEHOLDER.split(template)
        # Literal text and placeholder names alternate: "a %(x)s b" -> ["a ", "x", " b"].
        regex = "".join(
            re.escape(part) if i % 2 == 0 else f"(?P<{part}>.*?)" for i, part in enumerate(parts)
        )
        patterns.append((re.compile(regex + r"\Z", re.DOTALL), template))
    return patterns


def shown(reason: str) -> str:
    """`reason` in the active language if code wrote it from a template here; else as is."""
    if not reason:
        return ""
    for pattern, template in _patterns():
        match = pattern.match(reason)
        if match:
            params = {name: _translated(value) for name, value in match.groupdict().items()}
            return gettext(template) % params
    return reason


def _translated(value: str) -> str:
    # A name stays a name; a label written in English (a status) is translated.
    return gettext(value) if value else value
