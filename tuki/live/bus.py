"""The live layer's bus: what changed, told to the pages that show it (docs/chat.md, "Live pages").

    bus.publish("ticket.12", "changed", {"id": 12, "version": 7})

A message is a topic, a kind and a little JSON. Inside a transaction it waits for the commit
(a rolled-back change tells nobody); all messages of one transaction leave together, after
the commit, in as few deliveries as fit:

- **PostgreSQL**: `NOTIFY tuki_live` with the messages as its payload. Every web process
  LISTENs on one connection of its own (hub.py) and hands each message to the streams of
  its subscribers, so any number of web processes on any number of machines see every
  change; nothing lives in one process's memory but who is connected to it.
- **SQLite** (development, tests): a `LiveEvent` row per message, which the pages poll
  (`/live/poll/`) every second. Old rows are forgotten by a periodic job.

Messages say *that* something changed, never what a reader may not see: the page fetches
the part that changed again, through its own access-checked view. `audience` (not sent to
browsers) lets the delivery skip readers who may not see the ticket at all (the `tickets`
topic, which every internal agent's queue follows).

Who may subscribe to a topic is decided per prefix (`register_topic`), when a page
connects; `may_subscribe` is the only door.
"""

from __future__ import annotations

import functools
import json
import logging
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db import connection, transaction
from django.utils import timezone

if TYPE_CHECKING:
    from tuki.accounts.models import User

logger = logging.getLogger(__name__)

CHANNEL = "tuki_live"
# PostgreSQL refuses a NOTIFY payload of 8,000 bytes or more; messages are packed below it.
PAYLOAD_LIMIT = 7000
# Kinds a browser may send itself (views.signal): ephemeral, nothing stored.
SIGNALS = frozenset({"typing", "stopped", "viewing", "writing", "left"})


@dataclass(frozen=True)
class Audience:
    """Who may see the ticket a message is about, as the visibility rule reads it
    (tickets.models.visibility_q), for agents: its two groups, the people it names, and
    whether it is restricted to its groups."""

    groups: tuple[int, ...] = ()
    users: tuple[int, ...] = ()
    restricted: bool = False

    def as_json(self) -> dict[str, Any]:
        return {"g": list(self.groups), "u": list(self.users), "r": self.restricted}

    @classmethod
    def from_json(cls, raw: dict[str, Any] | None) -> Audience | None:
        if not raw:
            return None
        return cls(tuple(raw.get("g", ())), tuple(raw.get("u", ())), bool(raw.get("r")))


@dataclass(frozen=True)
class Message:
    topic: str
    kind: str
    data: dict[str, Any] = field(default_factory=dict)
    at: str = ""  # ISO time of publishing
    audience: Audience | None = None
    id: int = 0  # the LiveEvent row (SQLite); 0 on PostgreSQL

    def as_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"t": self.topic, "k": self.kind, "d": self.data, "at": self.at}
        if self.audience is not None:
            out["a"] = self.audience.as_json()
        return out

    @classmethod
    def from_json(cls, raw: dict[str, Any], id: int = 0) -> Message:
        return cls(
            raw["t"],
            raw["k"],
            raw.get("d") or {},
            raw.get("at", ""),
            Audience.from_json(raw.get("a")),
            id,
        )

    def for_browser(self) -> dict[str, Any]:
        return {"topic": self.topic, "kind": self.kind, "data": self.data, "at": self.at}


# --- who may subscribe -----------------------------------------------------------------------

Rule = Callable[["User", str], bool]
_rules: dict[str, Rule] = {}


def register_topic(prefix: str, rule: Rule) -> None:
    """`rule(user, topic)`: whether `user` may follow `topic` (`prefix` or `prefix.<rest>`)."""
    _rules[prefix] = rule


def prefix_of(topic: str) -> str:
    return topic.split(".", 1)[0]


def may_subscribe(user: User, topic: str) -> bool:
    """The door to every topic: signed-in, active people only, by the prefix's rule. An
    unknown prefix or a malformed topic is refused."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if len(topic) > 100 or not topic.replace(".", "").replace("-", "").replace("_", "").isalnum():
        return False
    rule = _rules.get(prefix_of(topic))
    if rule is None:
        return False
    try:
        return bool(rule(user, topic))
    except (ValueError, LookupError):
        return False


def topic_id(topic: str) -> int:
    """The number after the prefix (`ticket.12` → 12); ValueError otherwise."""
    _, _, rest = topic.partition(".")
    if not rest.isdigit() or len(rest) > 12:
        raise ValueError(topic)
    return int(rest)


# --- publishing ------------------------------------------------------------------------------


@dataclass(eq=False)
class _Batch:
    messages: list[Message] = field(default_factory=list)
    callback: Callable[[], None] | None = None


class _Pending(threading.local):
    """The messages waiting for their transaction's commit, per savepoint level: a batch
    joins the commit of the block it was published in, and a rolled-back savepoint drops
    its batch with its on-commit callback (Django forgets callbacks of rolled-back
    savepoints)."""

    batches: dict[tuple[str, ...], _Batch]

    def __init__(self) -> None:
        self.batches = {}


_pending = _Pending()
_captured: list[list[Message]] = []  # capture() in tests


def publish(
    topic: str, kind: str, data: dict[str, Any] | None = None, *, audience: Audience | None = None
) -> None:
    """Tell the subscribers of `topic`; inside a transaction, once it commits."""
    message = Message(topic, kind, dict(data or {}), timezone.now().isoformat(), audience)
    conn = transaction.get_connection()
    if not conn.in_atomic_block:
        _deliver([message])
        return
    key = tuple(conn.savepoint_ids)
    queued = {id(entry[1]) for entry in conn.run_on_commit}
    batch = _pending.batches.get(key)
    if batch is None or id(batch.callback) not in queued:
        # A new transaction or savepoint (the last batch's callback ran or was dropped).
        _pending.batches = {k: b for k, b in _pending.batches.items() if id(b.callback) in queued}
        batch = _pending.batches[key] = _Batch()
        batch.callback = functools.partial(_flush, batch)
        transaction.on_commit(batch.callback, robust=True)
    batch.messages.append(message)


def _flush(batch: _Batch) -> None:
    messages, batch.messages = batch.messages, []
    if messages:
        _deliver(_dedupe(messages))


def _dedupe(messages: list[Message]) -> list[Message]:
    """One message per topic, kind and data: a change of three events is one refresh."""
    seen: dict[str, Message] = {}
    for message in messages:
        key = json.dumps([message.topic, message.kind, message.data], sort_keys=True, default=str)
        seen[key] = message
    return list(seen.values())


def _deliver(messages: list[Message]) -> None:
    for capture in _captured:
        capture.extend(messages)
    try:
        if connection.vendor == "postgresql":
            _notify(messages)
        else:
            _store(messages)
    except Exception:
        # The change is committed; a page that misses it catches up on its next refresh.
        logger.exception("Could not publish %d live message(s)", len(messages))


def packed(messages: list[Message]) -> Iterator[str]:
    """The messages as JSON arrays, each under PostgreSQL's payload limit."""
    batch: list[str] = []
    size = 2
    for message in messages:
        text = json.dumps(message.as_json(), separators=(",", ":"), default=str)
        if len(text) + 2 > PAYLOAD_LIMIT:
            logger.warning(
                "Live message on %s too large (%d bytes); dropped", message.topic, len(text)
            )
            continue
        if batch and size + len(text) + 1 > PAYLOAD_LIMIT:
            yield "[" + ",".join(batch) + "]"
            batch, size = [], 2
        batch.append(text)
        size += len(text) + 1
    if batch:
        yield "[" + ",".join(batch) + "]"


def _notify(messages: list[Message]) -> None:
    with connection.cursor() as cursor:
        for payload in packed(messages):
            cursor.execute("SELECT pg_notify(%s, %s)", [CHANNEL, payload])


def _store(messages: list[Message]) -> None:
    from django.db import OperationalError

    from tuki.live.models import LiveEvent

    rows = [
        LiveEvent(
            topic=m.topic,
            kind=m.kind,
            data=m.data,
            audience=m.audience.as_json() if m.audience else None,
        )
        for m in messages
    ]
    # SQLite: a poll reading the table at this instant on the same connection (the test
    # server's threads share one in-memory database) makes the insert fail "locked"; the
    # poll is over in a millisecond, so try again shortly.
    for attempt in range(5):
        try:
            LiveEvent.objects.bulk_create(rows)
            return
        except OperationalError:
            if attempt == 4:
                raise
            time.sleep(0.02 * (attempt + 1))


@contextmanager
def capture() -> Iterator[list[Message]]:
    """Tests: the messages delivered meanwhile (after their transaction committed)."""
    box: list[Message] = []
    _captured.append(box)
    try:
        yield box
    finally:
        _captured.remove(box)


# --- who receives what -----------------------------------------------------------------------


@dataclass(frozen=True)
class Reader:
    """What the delivery needs to know of a subscriber, read once when it connects."""

    user_id: int
    is_superuser: bool
    is_agent: bool
    sees_all: bool
    groups: frozenset[int]

    @classmethod
    def of(cls, user: User) -> Reader:
        return cls(
            user.pk,
            user.is_superuser,
            user.is_agent,
            user.sees_all_tickets,
            frozenset(user.group_ids) if user.is_agent else frozenset(),
        )

    def may_receive(self, message: Message) -> bool:
        """The ticket rule (visibility_q) for agents, on the message's audience."""
        audience = message.audience
        if audience is None or self.is_superuser:
            return True
        if self.user_id in audience.users:
            return True
        if not self.is_agent:
            return False
        if self.groups.intersection(audience.groups):
            return True
        return self.sees_all and not audience.restricted
