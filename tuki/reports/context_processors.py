"""The navigation's "Reports" entry, for those who may view reports.

Whether one may (a permission, or managing a service desk group) takes queries that no
other page should pay for on every request: the answer is kept in the session, asked once
per sign-in and only for agents. A permission granted later shows the entry after the next
sign-in; the report pages themselves check it on every request (views/common.py).
"""

from __future__ import annotations

from django.http import HttpRequest

from tuki.reports.access import may_view_reports

SESSION_KEY = "tuki_reports_nav"


def reports_nav(request: HttpRequest) -> dict[str, bool]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not (user.is_agent or user.is_superuser):
        return {}
    if user.is_superuser:
        return {"reports_nav": True}
    session = getattr(request, "session", None)
    if session is None:
        return {"reports_nav": may_view_reports(user)}
    cached = session.get(SESSION_KEY)
    if cached is None:
        cached = may_view_reports(user)
        session[SESSION_KEY] = cached
    return {"reports_nav": bool(cached)}
