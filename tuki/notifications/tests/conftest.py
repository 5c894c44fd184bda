"""Notification test helpers: run the on-commit work of a service call, read who was told."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tuki.accounts.models import User
from tuki.notifications import receivers
from tuki.notifications.models import Notification


def told(kind: str | None = None, ticket: Any = None) -> dict[str, str]:
    """{email: kind} of every notification (each person is told once per change)."""
    qs = Notification.objects.select_related("recipient").order_by("id")
    if kind:
        qs = qs.filter(kind=kind)
    if ticket is not None:
        qs = qs.filter(ticket=ticket)
    return {n.recipient.email: n.kind for n in qs}


@pytest.fixture
def committed(django_capture_on_commit_callbacks: Any) -> Callable[..., Any]:
    """committed(fn, *args) runs a service call and then its after-commit work (the task)."""

    def run(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        receivers.forget_pending()
        with django_capture_on_commit_callbacks(execute=True):
            return fn(*args, **kwargs)

    return run


@pytest.fixture
def tell(committed: Callable[..., Any]) -> Callable[..., dict[str, str]]:
    """tell(fn, *args) runs a service call with its after-commit work and returns who was
    told what by it, {email: kind}; nobody may be told twice about one change."""

    def run(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> dict[str, str]:
        last = Notification.objects.order_by("-id").values_list("id", flat=True).first() or 0
        committed(fn, *args, **kwargs)
        new = list(
            Notification.objects.filter(id__gt=last).select_related("recipient").order_by("id")
        )
        emails = [n.recipient.email for n in new]
        assert len(emails) == len(set(emails)), f"told twice: {emails}"
        return {n.recipient.email: n.kind for n in new}

    return run


def agent(email: str, name: str, **extra: Any) -> User:
    return User.objects.create_user(email, "x", full_name=name, is_agent=True, **extra)
