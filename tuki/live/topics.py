"""The topics every page may follow; other apps register theirs in their ready()."""

from __future__ import annotations

from tuki.accounts.models import User
from tuki.live import bus
from tuki.tickets import access


def _ticket(user: User, topic: str) -> bool:
    """The agents' side of a ticket: every change, internal notes included."""
    return (user.is_agent or user.is_superuser) and access.may_see(user, bus.topic_id(topic))


def _request(user: User, topic: str) -> bool:
    """The requester's side of a ticket (the portal): only what they see changes."""
    return access.may_see(user, bus.topic_id(topic))


def _tickets(user: User, topic: str) -> bool:
    return topic == "tickets" and (user.is_agent or user.is_superuser)


def _user(user: User, topic: str) -> bool:
    return bus.topic_id(topic) == user.pk


def register_builtin() -> None:
    bus.register_topic("ticket", _ticket)
    bus.register_topic("request", _request)
    bus.register_topic("tickets", _tickets)
    bus.register_topic("user", _user)
