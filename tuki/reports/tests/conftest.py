"""Reports fixtures: a viewer with the reports permission."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission

from tuki.accounts.models import User
from tuki.conftest import Desk, make_user


@pytest.fixture
def analyst(desk: Desk) -> User:
    """An agent of the service desk granted `reports.view_reports`, who sees all tickets."""
    user = make_user("analyst@tuki.test", "Anna Analyst", is_agent=True, sees_all_tickets=True)
    desk.service_desk.members.add(user)
    user.user_permissions.add(Permission.objects.get(codename="view_reports"))
    return User.objects.get(pk=user.pk)


# The SLA app's calendar, policy and frozen clock (tuki/sla/tests/conftest.py).
from tuki.sla.tests.conftest import frozen, sla  # noqa: E402, F401
