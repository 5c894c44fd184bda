"""What a workflow transition may ask (docs/workflows.md): who may make it and the fields it
needs. Read by the status services and the workflow editor."""

from __future__ import annotations

from django.utils.translation import gettext, gettext_lazy as _

TRANSITION_ROLES = {
    "agent": _("any agent"),
    "group": _("the assigned group"),
    "manager": _("the group's manager"),
    "requester": _("the requester (portal)"),
    "automation": _("automation"),
}

REQUIRED_FIELDS = {
    "resolution": _("resolution"),
    "resolution_code": _("resolution code"),
    "category": _("category"),
    "assignee": _("assignee"),
}


def required_field_label(field: str) -> str:
    if field.startswith("custom."):
        return gettext("custom field %(key)s") % {"key": field.removeprefix("custom.")}
    return str(REQUIRED_FIELDS.get(field, field))
