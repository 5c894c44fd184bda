"""One process for a small desk: the ASGI web server, optionally with the task worker."""

from __future__ import annotations

import logging
import signal
import socket
import threading
from pathlib import Path
from types import FrameType

import uvicorn
from django.conf import settings
from django.db import connections
from django.utils.crypto import get_random_string
from uvicorn.supervisors import Multiprocess

from tuki.server.worker import TukiWorker

logger = logging.getLogger(__name__)


class WorkerThread(threading.Thread):
    """The task worker (tuki/server/worker.py) in a thread of the server, supervised: if
    its loop ever dies it is started again after a growing pause (1 s up to a minute).
    `stop()` lets the running task finish. Its liveness is its heartbeat row (/readyz)."""

    def __init__(self, interval: float = 1.0) -> None:
        super().__init__(name="tuki-worker", daemon=True)
        self.interval = interval
        self.worker_id = f"serve-{get_random_string(12)}"
        self.worker = self._new_worker()
        self.restarts = 0
        self._stopping = threading.Event()

    def _new_worker(self) -> TukiWorker:
        return TukiWorker(worker_id=self.worker_id, interval=self.interval)

    @property
    def alive(self) -> bool:
        return self.is_alive() and not self._stopping.is_set()

    def run(self) -> None:
        # Signals belong to the main thread (uvicorn's), so the worker never installs any.
        pause = 1.0
        while not self._stopping.is_set():
            try:
                self.worker.run()
            except Exception:
                logger.exception("The task worker stopped with an error; restarting")
            finally:
                connections.close_all()
            if self._stopping.wait(pause):
                return
            self.restarts += 1
            pause = min(pause * 2, 60.0)
            self.worker = self._new_worker()

    def stop(self, timeout: float = 30.0) -> None:
        self._stopping.set()
        self.worker.stop()
        self.join(timeout)


def bind_tcp(host: str, port: int) -> socket.socket:
    """A listening TCP socket that says it is TCP (IPPROTO_TCP), shareable with workers."""
    family, kind, proto, _name, address = socket.getaddrinfo(
        host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP
    )[0]
    sock = socket.socket(family, kind, proto)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(address)
    sock.listen(2048)
    sock.set_inheritable(True)
    return sock


def serve(
    host: str,
    port: int,
    *,
    with_worker: bool = False,
    log_level: str = "info",
    workers: int = 1,
) -> None:
    """Serve tuki.asgi until Ctrl-C or SIGTERM, then stop the worker cleanly.

    With `workers` > 1 uvicorn runs that many processes behind one socket (its own
    supervisor restarts them); the task worker then runs apart (`tuki worker`).
    """
    # whitenoise serves from the finders (WHITENOISE_USE_FINDERS) and only warns when the
    # collectstatic folder is missing; an empty one keeps the log clean.
    Path(settings.STATIC_ROOT).mkdir(parents=True, exist_ok=True)
    if workers > 1:
        if with_worker:
            raise ValueError("--with-worker needs a single web process; run `tuki worker` apart")
        config = uvicorn.Config(
            "tuki.asgi:application",
            host=host,
            port=port,
            workers=workers,
            log_level=log_level,
            lifespan="off",
        )
        # uvicorn.run(workers=N) would bind with proto 0, and asyncio only sets TCP_NODELAY
        # on accepted sockets whose proto is IPPROTO_TCP: every keep-alive request after the
        # first then waits ~40 ms for a delayed ACK (Kludex/uvicorn#3149). Bind it ourselves.
        sock = bind_tcp(host, port)
        Multiprocess(config, sockets=[sock]).run()
        return
    worker = WorkerThread() if with_worker else None
    server = uvicorn.Server(
        uvicorn.Config(
            "tuki.asgi:application",
            host=host,
            port=port,
            log_level=log_level,
            lifespan="off",  # Django has no lifespan events
        )
    )
    # uvicorn restores these handlers on shutdown and re-raises the signal it caught; ours
    # swallow it so that the worker can still be stopped and joined below.
    previous = {sig: signal.signal(sig, _ignore) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        if worker is not None:
            worker.start()
        server.run()
    finally:
        # A second Ctrl-C while the worker finishes its task interrupts as usual.
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        if worker is not None:
            logger.info("Stopping the task worker")
            worker.stop()


def _ignore(signum: int, frame: FrameType | None) -> None:
    logger.debug("Received %s after shutdown", signal.strsignal(signum))
