"""The availability section of a business service's configuration item page
(tuki/cmdb/panels.py): the last 30 days' figures and its ongoing outages."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

from django.utils import timezone

from tuki.availability import access, compute
from tuki.availability.models import Outage
from tuki.availability.presenting import Row
from tuki.cmdb.panels import Panel

if TYPE_CHECKING:
    from tuki.accounts.models import User
    from tuki.cmdb.models import ConfigurationItem

DAYS = 30


def context(user: User, ci: ConfigurationItem) -> dict[str, Any] | None:
    if ci.service_id is None or ci.service is None or not access.may_read(user):
        return None
    now = timezone.now()
    [line] = compute.report([ci.service], now - timedelta(days=DAYS), now, now=now)
    ongoing = Outage.objects.filter(service_id=ci.service_id, ends_at__isnull=True)
    return {"row": Row(line), "days": DAYS, "ongoing": list(ongoing[:10])}


PANEL = Panel(key="availability", template="availability/partials/ci_panel.html", context=context)
