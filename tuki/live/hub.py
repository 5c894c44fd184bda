"""The web process's end of the bus on PostgreSQL: one LISTEN connection, many streams.

A thread of the process holds a connection of its own that LISTENs on `tuki_live`
(bus.CHANNEL) and hands every message to the subscriptions of this process whose topics
it names and whose reader may receive it (bus.Reader). Each server-sent-events stream
(views.events) is a subscription with a queue; the stream's thread waits on its queue.

The connection is opened when the first page connects. If it breaks, every subscription
is told `reset` (the pages fetch what they show again, since messages may have been
missed) and the thread connects again after a growing pause.
"""

from __future__ import annotations

import contextlib
import json
import logging
import queue
import threading
import time
from collections import defaultdict
from typing import Any

from django.db import connections

from tuki.live import bus

logger = logging.getLogger(__name__)

IDLE_SECONDS = 5.0


class Subscription:
    def __init__(self, reader: bus.Reader, topics: frozenset[str]) -> None:
        self.reader = reader
        self.topics = topics
        self.queue: queue.SimpleQueue[bus.Message] = queue.SimpleQueue()

    def offer(self, message: bus.Message) -> None:
        if message.topic == "*" or self.reader.may_receive(message):
            self.queue.put(message)


class Hub:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._by_topic: dict[str, set[Subscription]] = defaultdict(set)
        self._all: set[Subscription] = set()
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()
        self.connected = threading.Event()
        self.delivered = 0

    # subscriptions ---------------------------------------------------------------------------

    def subscribe(self, reader: bus.Reader, topics: frozenset[str]) -> Subscription:
        subscription = Subscription(reader, topics)
        with self._lock:
            self._all.add(subscription)
            for topic in topics:
                self._by_topic[topic].add(subscription)
            self._ensure_thread()
        return subscription

    def unsubscribe(self, subscription: Subscription) -> None:
        with self._lock:
            self._all.discard(subscription)
            for topic in subscription.topics:
                subs = self._by_topic.get(topic)
                if subs is not None:
                    subs.discard(subscription)
                    if not subs:
                        del self._by_topic[topic]

    @property
    def count(self) -> int:
        return len(self._all)

    # delivery --------------------------------------------------------------------------------

    def dispatch(self, payload: str) -> None:
        try:
            raw = json.loads(payload)
            messages = [bus.Message.from_json(item) for item in raw]
        except (ValueError, KeyError, TypeError):
            logger.warning("A malformed live payload was ignored")
            return
        with self._lock:
            targets = [(m, list(self._by_topic.get(m.topic, ()))) for m in messages]
        for message, subs in targets:
            for subscription in subs:
                subscription.offer(message)
                self.delivered += 1

    def _broadcast_reset(self) -> None:
        with self._lock:
            subs = list(self._all)
        reset = bus.Message("*", "reset")
        for subscription in subs:
            subscription.offer(reset)

    # the listening thread --------------------------------------------------------------------

    def _ensure_thread(self) -> None:
        if self._thread is not None and self._thread.is_alive():
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="tuki-live", daemon=True)
        self._thread.start()

    def _connect(self) -> Any:
        import psycopg

        params = connections["default"].get_connection_params()
        params.pop("cursor_factory", None)
        params.pop("context", None)
        conn = psycopg.connect(**params, autocommit=True)
        conn.execute(f"LISTEN {bus.CHANNEL}")
        return conn

    def _run(self) -> None:
        import psycopg

        pause = 0.5
        first = True
        while not self._stop.is_set():
            conn = None
            try:
                conn = self._connect()
                self.connected.set()
                if not first:
                    self._broadcast_reset()  # messages may have been missed meanwhile
                first, pause = False, 0.5
                idle_since: float | None = None
                while not self._stop.is_set():
                    for notify in conn.notifies(timeout=1.0):
                        self.dispatch(notify.payload)
                    # Nobody connected for a while: let the connection go (the next
                    # page to connect starts the thread again).
                    if self._all:
                        idle_since = None
                    elif idle_since is None:
                        idle_since = time.monotonic()
                    elif time.monotonic() - idle_since > IDLE_SECONDS:
                        with self._lock:
                            if not self._all:
                                self._thread = None
                                return
            except psycopg.Error as exc:
                self.connected.clear()
                logger.warning("Live updates: the listening connection failed (%s)", exc)
            finally:
                self.connected.clear()
                if conn is not None:
                    with contextlib.suppress(Exception):
                        conn.close()
            if self._stop.wait(pause):
                return
            pause = min(pause * 2, 30.0)

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(5)


hub = Hub()
