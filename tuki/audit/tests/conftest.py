"""Audit fixtures: a staff administrator who is not a superuser, and a role table."""

from __future__ import annotations

import pytest
from django.test import Client

from tuki.conftest import make_user

# Who may read the audit trail: superusers and staff administrators only.
ROLES = {
    "anonymous": False,
    "requester": False,
    "colleague": False,
    "outsider": False,
    "operator": False,
    "specialist": False,
    "lead": False,
    "other_agent": False,
    "staff": True,
    "admin": True,
}


@pytest.fixture
def staff(desk):
    return make_user("config@tuki.test", "Cora Config", is_agent=True, is_staff=True)


@pytest.fixture
def client_as(desk, staff):
    def make(role: str) -> Client:
        if role == "anonymous":
            return Client()
        return desk.client_for(staff if role == "staff" else getattr(desk, role))

    return make
