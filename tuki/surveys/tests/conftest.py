"""Fixtures for the survey tests: a resolved incident and the links of the mail it sent."""

from __future__ import annotations

import email
import email.policy
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from django.db import connection

from tuki.automation.engine import Batch
from tuki.conftest import Desk
from tuki.mail.models import OutboundMessage
from tuki.surveys.models import SurveyResponse
from tuki.tickets import services as tickets
from tuki.tickets.models import ResolutionCode, Ticket


@pytest.fixture
def committed(django_capture_on_commit_callbacks: Any) -> Callable[[], Any]:
    """Run what a service call left for after commit (the rules' pass), as a real commit would."""

    @contextmanager
    def run() -> Iterator[None]:
        for _sids, func, _robust in connection.run_on_commit:
            if isinstance(func, Batch):
                func.started = True
        with django_capture_on_commit_callbacks(execute=True):
            yield

    return run


def resolve(desk: Desk, ticket: Ticket, text: str = "Replaced the VPN profile.") -> Ticket:
    return tickets.resolve_ticket(
        desk.operator, ticket, code=ResolutionCode.SOLVED, resolution=text
    )


@pytest.fixture
def resolved(desk: Desk, incident: Ticket) -> Ticket:
    return resolve(desk, incident)


@pytest.fixture
def survey(resolved: Ticket) -> SurveyResponse:
    return SurveyResponse.objects.get(ticket=resolved)


def survey_mail(ticket: Ticket) -> email.message.EmailMessage:
    outbound = OutboundMessage.objects.get(ticket=ticket, what="survey")
    parsed = email.message_from_bytes(bytes(outbound.raw), policy=email.policy.default)
    assert isinstance(parsed, email.message.EmailMessage)
    return parsed


def mail_text(message: email.message.EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain",))
    assert part is not None
    return str(part.get_content())


def links_in(text: str) -> list[str]:
    """The survey links of a mail, as paths of this desk (the answer page's)."""
    return re.findall(r"https?://[^/\s]+(/surveys/[^\s\"<>]+)", text)
