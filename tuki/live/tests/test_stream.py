"""The event stream on PostgreSQL: a change committed anywhere reaches the open streams of
those who may see it, through NOTIFY and the process's listening connection."""

from __future__ import annotations

import json
import queue
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection

from tuki.conftest import Desk, ensure_workflow
from tuki.live.hub import hub
from tuki.tickets import services
from tuki.tickets.models import Channel

pytestmark = pytest.mark.postgres


@pytest.fixture
def pg(transactional_db: None) -> Iterator[None]:
    if connection.vendor != "postgresql":
        pytest.skip("the stream needs PostgreSQL's LISTEN/NOTIFY")
    ensure_workflow()
    yield
    hub.stop()  # its connection would keep the test database from being dropped


class Reader:
    """Reads a streaming response in a thread, message by message."""

    def __init__(self, response: Any) -> None:
        assert response.status_code == 200, response.content
        assert response["Content-Type"] == "text/event-stream"
        self.messages: queue.Queue[dict[str, Any]] = queue.Queue()
        self.response = response
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _read(self) -> None:
        for chunk in self.response.streaming_content:
            text = chunk.decode() if isinstance(chunk, bytes) else chunk
            for line in text.splitlines():
                if line.startswith("data: "):
                    self.messages.put(json.loads(line[6:]))

    def next(self, timeout: float = 10.0) -> dict[str, Any]:
        return self.messages.get(timeout=timeout)

    def drain(self, wait: float) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        deadline = time.monotonic() + wait
        while (left := deadline - time.monotonic()) > 0:
            try:
                out.append(self.messages.get(timeout=left))
            except queue.Empty:
                break
        return out


def _open(desk: Desk, user: Any, topics: str) -> Reader:
    return Reader(desk.client_for(user).get(f"/live/events/?topics={topics}"))


@pytest.fixture
def short_streams(settings: Any) -> Iterator[None]:
    settings.LIVE_STREAM_SECONDS = 8.0
    yield


def test_a_committed_change_reaches_the_streams_of_those_who_may_see_it(
    pg: None, desk: Desk, short_streams: None
) -> None:
    ticket = services.create_ticket(
        desk.operator, title="Printer jams", requester=desk.requester, channel=Channel.PHONE
    )
    topic = f"ticket.{ticket.pk}"
    mine = _open(desk, desk.operator, f"{topic},tickets")
    hello = mine.next()
    assert hello["kind"] == "hello" and hello["topics"] == [topic, "tickets"]
    theirs = _open(desk, desk.other_agent, f"{topic},tickets")
    hello = theirs.next()
    assert hello["topics"] == ["tickets"] and hello["refused"] == [topic]

    services.add_comment(desk.operator, ticket, "Looking at it", internal=True)

    got = [mine.next(), mine.next()]
    assert {(m["topic"], m["kind"]) for m in got} == {(topic, "changed"), ("tickets", "changed")}
    assert all(m["data"]["id"] == ticket.pk for m in got)
    assert theirs.drain(1.0) == []  # Applications' agent may not see the desk's ticket


def test_a_rolled_back_change_reaches_no_stream(pg: None, desk: Desk, short_streams: None) -> None:
    from django.db import transaction

    ticket = services.create_ticket(desk.operator, title="Mouse", requester=desk.requester)
    stream = _open(desk, desk.operator, f"ticket.{ticket.pk}")
    assert stream.next()["kind"] == "hello"
    with pytest.raises(RuntimeError), transaction.atomic():
        services.add_comment(desk.operator, ticket, "never said", internal=True)
        raise RuntimeError
    assert stream.drain(1.0) == []


def test_streams_end_so_a_stale_permission_is_read_again(
    pg: None, desk: Desk, settings: Any
) -> None:
    settings.LIVE_STREAM_SECONDS = 1.0
    before = hub.count
    stream = _open(desk, desk.operator, "tickets")
    assert stream.next()["kind"] == "hello"
    stream.thread.join(5)
    assert not stream.thread.is_alive()
    deadline = time.monotonic() + 2
    while hub.count > before and time.monotonic() < deadline:
        time.sleep(0.05)
    assert hub.count <= before  # the subscription went with the stream
