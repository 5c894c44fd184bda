"""Who may read how well Assist does, and who may change its settings.

The accuracy page and its API are for whoever may read reports (reports/access.py's rule:
agents given `reports.view_reports`, managers of a service desk group) and for
administrators (staff or superusers): the people who decide whether routing may follow a
suggestion. The page is linked from the reports overview, which only they reach. The routing
threshold is a desk-wide setting: administrators only. Anyone else gets a 404, as for
anything they may not see (docs/development/testing.md).

The figures are desk-wide counts; the table of recent decisions lists only tickets the
viewer may see (`ticket_visible`), since a manager need not see every restricted ticket.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import TYPE_CHECKING, Any

from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest
from django.http.response import HttpResponseBase

from tuki.accounts.models import SupportGroup, User

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

View = Callable[..., HttpResponseBase]
# The reports app's permission, named rather than imported (reports sits above assist).
REPORTS_PERMISSION = "reports.view_reports"


def is_admin(user: User | AnonymousUser | None) -> bool:
    return bool(
        user is not None
        and user.is_authenticated
        and user.is_active
        and (user.is_staff or user.is_superuser)
    )


def is_desk_manager(user: User) -> bool:
    """Manages an active service desk group (the same rule as reports/access.py's)."""
    return SupportGroup.objects.filter(
        manager=user, tier=SupportGroup.Tier.SERVICE_DESK, is_active=True
    ).exists()


def may_view_accuracy(user: User | AnonymousUser | None) -> bool:
    if is_admin(user):
        return True
    if not isinstance(user, User) or not user.is_active:
        return False
    return user.is_agent and (user.has_perm(REPORTS_PERMISSION) or is_desk_manager(user))


def may_change_settings(user: User | AnonymousUser | None) -> bool:
    return is_admin(user)


def accuracy_required(view: View) -> View:
    """Anonymous visitors sign in; whoever may not read the figures gets a 404."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not may_view_accuracy(request.user):
            raise Http404("May not read Assist's accuracy")
        return view(request, *args, **kwargs)

    return wrapper
