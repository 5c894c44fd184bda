"""Console fixtures: a staff administrator who is not a superuser, the roles of the permission
tests, and the SLA app's calendar, policy and frozen clock."""

from __future__ import annotations

import pytest

from tuki.accounts.models import User
from tuki.conftest import make_user
from tuki.mail.tests.conftest import dovecot, imap_server  # noqa: F401 - the IMAP server
from tuki.sla.tests.conftest import frozen, sla  # noqa: F401 - fixtures shared with sla

# Who is refused (404) and who may manage (200); anonymous visitors are sent to sign in.
REFUSED = ("requester", "operator", "specialist", "lead")
ALLOWED = ("staff", "admin")


@pytest.fixture
def staff(desk) -> User:
    return make_user("staff@tuki.test", "Stina Staff", is_agent=True, is_staff=True)


@pytest.fixture
def people(desk, staff) -> dict[str, User]:
    """requester, agent (operator), second line, group manager (lead), staff, superuser."""
    return {
        "requester": desk.requester,
        "operator": desk.operator,
        "specialist": desk.specialist,
        "lead": desk.lead,
        "staff": staff,
        "admin": desk.admin,
    }
