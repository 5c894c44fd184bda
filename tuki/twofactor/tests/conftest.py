"""Second factors' fixtures: a person with an authenticator app of a known secret, and the
clock frozen so that codes are computed for a known time step."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pyotp
import pytest
import time_machine
from django.utils import timezone

from tuki.accounts.models import User
from tuki.twofactor import services
from tuki.twofactor.models import TotpDevice

SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
NOON = "2026-03-04T12:00:00+00:00"


@pytest.fixture
def frozen() -> Iterator[time_machine.Coordinates]:
    with time_machine.travel(NOON, tick=False) as clock:
        yield clock


def code(secret: str = SECRET, shift: int = 0) -> str:
    """The code the app shows now (+ `shift` 30-second steps)."""
    return pyotp.TOTP(secret).at(timezone.now() + timedelta(seconds=30 * shift))


def enrol(user: User, secret: str = SECRET) -> tuple[TotpDevice, list[str]]:
    """Add an authenticator app to `user` as the page does, with a right first code."""
    return services.add_totp(user, secret=secret, code=code(secret), name="Phone")


def next_step(clock: time_machine.Coordinates) -> None:
    clock.shift(timedelta(seconds=30))
