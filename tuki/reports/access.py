"""Who may read reports, and over which tickets.

Reports are for agents given the `reports.view_reports` permission (directly or through a
permission group), managers of a service desk group, and administrators (superusers).
Their figures count only tickets the viewer may see: the tickets' own rule
(`visibility_q`) applied to the facts, whose columns carry the ticket's names
(tuki/reports/queries.py, `facts`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import Http404

from tuki.accounts.models import SupportGroup

if TYPE_CHECKING:
    from tuki.accounts.models import User

PERMISSION = "reports.view_reports"


def is_desk_manager(user: User) -> bool:
    return SupportGroup.objects.filter(
        manager=user, tier=SupportGroup.Tier.SERVICE_DESK, is_active=True
    ).exists()


def may_view_reports(user: User) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    if not user.is_agent:
        return False
    return user.has_perm(PERMISSION) or is_desk_manager(user)


def check_may_view_reports(user: User) -> None:
    """A 404 for whoever may not read reports (nothing says they exist)."""
    if not may_view_reports(user):
        raise Http404
