"""Live pages: the delay from a change to its message reaching 200 connected pages.

A real `tuki serve` (its web processes, the database's NOTIFY, each process's listening
connection) with 200 event streams open, as 200 browser tabs of the agents who may see one
ticket (each signed in with a session of their own; a desk with fewer agents has some open
it in several tabs). Each change is a `PATCH /api/v1/tickets/<n>` over HTTP, so the delay
is the whole path a change takes: the request, its transaction and commit, the NOTIFY, the
hand-over to the streams and the bytes on each socket. For each change the bench notes
when every page had it; the figure is the median over the changes of the time until the
*last* of the pages had it (its p95 beside), the note gives the median page's delay.
"""

from __future__ import annotations

import asyncio
import json
import statistics
import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.test import Client as DjangoClient

from tuki.bench.clients import Client, served
from tuki.bench.options import Figure, Run

NAME = "live"
PAGES = 200
CHANGES = 20
PAUSE = 0.25  # seconds between changes: a busy desk, and room for the stragglers


def _scene() -> tuple[Any, list[str], str]:
    """The ticket, 200 session keys of agents who may see it, and an API token."""
    from tuki.accounts.models import ApiToken, User
    from tuki.tickets.models import ACTIVE_CATEGORIES, Ticket

    ticket = (
        Ticket.objects.filter(status__category__in=ACTIVE_CATEGORIES, restricted=False)
        .exclude(group=None)
        .order_by("-pk")
        .first()
    )
    assert ticket is not None, "no open ticket in the benchmark data"
    agents = [
        user
        for user in User.objects.filter(is_agent=True, is_active=True).order_by("pk")[:1000]
        if Ticket.objects.visible_to(user).filter(pk=ticket.pk).exists()
    ][:PAGES]
    assert agents, "no agent may see the bench's ticket"
    keys: list[str] = []
    for index in range(PAGES):
        client = DjangoClient()
        client.force_login(agents[index % len(agents)])
        keys.append(client.cookies[settings.SESSION_COOKIE_NAME].value)
    _token, raw = ApiToken.mint(agents[0])
    return ticket, keys, raw


class Page:
    """One connected page: a raw HTTP/1.1 event stream on a socket of its own."""

    def __init__(self, index: int) -> None:
        self.index = index
        self.hello = asyncio.Event()
        self.seen: dict[str, float] = {}  # marker -> when it arrived (perf_counter)
        self.arrived = asyncio.Event()
        self.error = ""

    async def run(self, port: int, path: str, session: str) -> None:
        try:
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
        except OSError as exc:
            self.error = str(exc)
            self.hello.set()
            return
        writer.write(
            (
                f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n"
                f"Cookie: {settings.SESSION_COOKIE_NAME}={session}\r\n\r\n"
            ).encode()
        )
        await writer.drain()
        status = await reader.readline()
        if b" 200 " not in status:
            self.error = status.decode(errors="replace").strip()
            self.hello.set()
            writer.close()
            return
        try:
            while line := await reader.readline():
                if not line.startswith(b"data: "):
                    continue
                message = json.loads(line[6:])
                if message.get("kind") == "hello":
                    self.hello.set()
                    continue
                marker = str((message.get("data") or {}).get("version") or message.get("at"))
                if message.get("topic", "").startswith("ticket.") and marker not in self.seen:
                    self.seen[marker] = time.perf_counter()
                    self.arrived.set()
        except (ConnectionError, ValueError) as exc:
            self.error = self.error or str(exc)
        finally:
            writer.close()


async def _measure(
    port: int, ticket: Any, keys: list[str], token: str, say: Callable[[str], None]
) -> tuple[list[float], list[float], int]:
    path = f"/live/events/?topics=ticket.{ticket.pk}"
    pages = [Page(i) for i in range(PAGES)]
    tasks = [asyncio.create_task(p.run(port, path, keys[p.index])) for p in pages]
    await asyncio.wait_for(asyncio.gather(*(p.hello.wait() for p in pages)), 120)
    failed = [p for p in pages if p.error]
    if failed:
        raise RuntimeError(f"{len(failed)} of {PAGES} streams failed: {failed[0].error}")
    say(f"  {PAGES} pages connected")
    api = Client(port, {"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    last_delays: list[float] = []
    page_delays: list[float] = []
    missing = 0
    try:
        for n in range(CHANGES):
            for p in pages:
                p.arrived.clear()
            before = {p.index: set(p.seen) for p in pages}
            body = json.dumps({"title": f"{ticket.title[:150]} (live {n})"}).encode()
            started = time.perf_counter()
            status = await asyncio.to_thread(
                api.send, "PATCH", f"/api/v1/tickets/{ticket.number}", body
            )
            if status != 200:
                raise RuntimeError(f"the bench's change was refused ({status})")
            try:
                await asyncio.wait_for(asyncio.gather(*(p.arrived.wait() for p in pages)), 10)
            except TimeoutError:
                pass
            arrivals = []
            for p in pages:
                new = [t for m, t in p.seen.items() if m not in before[p.index]]
                if new:
                    arrivals.append(min(new) - started)
                else:
                    missing += 1
            if arrivals:
                last_delays.append(max(arrivals))
                page_delays.append(statistics.median(arrivals))
            await asyncio.sleep(PAUSE)
    finally:
        api.close()
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    return last_delays, page_delays, missing


def measure(run: Run, url: str, say: Callable[[str], None]) -> None:
    from django.db import connection

    options = run.options
    if connection.vendor != "postgresql":
        say("  live: not measured on SQLite (its pages poll once a second, no event stream)")
        return
    ticket, keys, token = _scene()
    with served(url, options, say) as tuki:
        last, median_page, missing = asyncio.run(_measure(tuki.port, ticket, keys, token, say))
    if not last:
        raise RuntimeError("no live message reached the pages")
    ms = [d * 1000 for d in last]
    page_ms = [d * 1000 for d in median_page]
    ordered = sorted(ms)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    note = (
        f"{CHANGES} changes by PATCH /api/v1/tickets over HTTP, {PAGES} event streams on "
        f"{options.workers} web processes; median page {statistics.median(page_ms):.0f} ms"
        + (f"; {missing} page-changes never arrived" if missing else "")
    )
    figure = Figure(
        NAME,
        f"change → its message on all {PAGES} connected pages",
        "ms",
        statistics.median(ms),
        p95=p95,
        samples=len(ms),
        errors=missing,
        note=note,
    )
    run.figures.append(figure)
    say(
        f"  {'live: change to 200 pages (last page)':<48} {figure.value:10,.1f} ms  "
        f"(p95 {p95:.0f} ms; median page {statistics.median(page_ms):.0f} ms"
        + (f", {missing} missed" if missing else "")
        + ")"
    )
