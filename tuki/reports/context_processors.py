"""The navigation's "Reports" entry, for those who may view reports.

Whether one may (a permission, or managing a service desk group) takes queries that no
other page should pay for on every request: the answer is kept in the session for ten
minutes, asked only for agents. A permission granted or taken away shows in the navigation
within that time; the report pages themselves check it on every request (views/common.py).
"""

from __future__ import annotations

import time

from django.http import HttpRequest

from tuki.reports.access import may_view_reports

SESSION_KEY = "tuki_reports_nav"
KEEP_SECONDS = 600


def reports_nav(request: HttpRequest) -> dict[str, bool]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not (user.is_agent or user.is_superuser):
        return {}
    if user.is_superuser:
        return {"reports_nav": True}
    session = getattr(request, "session", None)
    if session is None:
        return {"reports_nav": may_view_reports(user)}
    now = time.time()
    kept = session.get(SESSION_KEY)
    if (
        not isinstance(kept, list)
        or len(kept) != 3
        or kept[0] != user.pk
        or not 0 <= now - kept[2] < KEEP_SECONDS
    ):
        kept = [user.pk, may_view_reports(user), now]
        session[SESSION_KEY] = kept
    return {"reports_nav": bool(kept[1])}
