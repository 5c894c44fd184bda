"""A real HTTP endpoint for tests: http.server in a thread on 127.0.0.1, any free port."""

from __future__ import annotations

import hashlib
import hmac
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Receiver:
    """Records each POST; answers with the next status of `statuses` (then 200)."""

    url: str = ""
    secret: str = ""
    statuses: list[int] = field(default_factory=list)
    hang_seconds: float = 0.0
    requests: list[Received] = field(default_factory=list)

    def verified(self, request: Received) -> bool:
        """What an endpoint does with the documented recipe (docs/webhooks.md)."""
        timestamp = request.headers["X-Tuki-Timestamp"]
        expected = hmac.new(
            self.secret.encode(), timestamp.encode() + b"." + request.body, hashlib.sha256
        ).hexdigest()
        return hmac.compare_digest("sha256=" + expected, request.headers["X-Tuki-Signature"])


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    state = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            body = self.rfile.read(length)
            state.requests.append(Received(self.path, dict(self.headers.items()), body))
            if state.hang_seconds:
                time.sleep(state.hang_seconds)
            status = state.statuses.pop(0) if state.statuses else 200
            answer = b"ok" if status < 400 else b"x" * 10_000
            try:
                self.send_response(status)
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)
            except OSError:
                pass  # the client gave up (timeout test)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}/hooks/tuki"
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()


def closed_port_url() -> str:
    """A URL nothing listens on: a port the system gave us, then closed."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/gone"
