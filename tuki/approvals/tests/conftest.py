"""Approval fixtures on top of the shared desk (tuki/conftest.py)."""

from __future__ import annotations

import pytest

from tuki.accounts.models import User
from tuki.conftest import Desk, make_user
from tuki.tickets import services
from tuki.tickets.models import Ticket


@pytest.fixture
def hw_request(desk: Desk) -> Ticket:
    """A service request for new hardware, registered by the operator for the requester."""
    return services.create_ticket(
        desk.operator,
        title="New laptop for Maija",
        description="The old one is five years old.",
        requester=desk.requester,
        kind="request",
    )


@pytest.fixture
def change(desk: Desk) -> Ticket:
    return services.create_ticket(
        desk.operator, title="Upgrade the core switch", requester=desk.lead, kind="change"
    )


@pytest.fixture
def managers(desk: Desk) -> list[User]:
    """Five line managers who are not agents (they approve by link or My approvals)."""
    return [
        make_user(f"boss{n}@acme.fi", f"Boss {n}", organisation=desk.acme, language="fi")
        for n in range(1, 6)
    ]
