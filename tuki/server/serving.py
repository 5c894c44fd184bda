"""`tuki serve`: the web server (granian, WSGI), optionally with the task worker.

Chosen by measurement (docs/performance.md, "Serving stack"): granian's Rust HTTP/1.1
server in front of Django's WSGI handler served the trivial view several times faster than
uvicorn with the ASGI handler on the same two cores, at or above a plain Django project
under gunicorn. Each granian worker process listens on its own socket (SO_REUSEPORT), so
the kernel spreads new connections over the workers instead of the first one to wake up
taking them all. tuki.asgi stays for the live pages (server-sent events) to come.
"""

from __future__ import annotations

import logging
import multiprocessing
import threading
from pathlib import Path

from django.conf import settings
from django.db import connections
from django.utils.crypto import get_random_string
from granian.constants import Interfaces
from granian.log import LogLevels
from granian.server import MPServer

from tuki.server.lanes import VIEWS_AT_ONCE
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
        # Signals belong to the main thread (granian's), so the worker never installs any.
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


# Views running at once per web process. One halved the queue page's throughput (its
# database waits are not overlapped; 15/s against 34/s with granian's default of hundreds);
# 4 overlap them and stay below the database pool's size (TUKI_DATABASE_POOL_SIZE, 8) so
# that no view waits for a connection. Since live pages, the server has a thread for each
# live event stream besides (each waits on its queue, without the database), and
# tuki/server/application.py's Lanes keep the views to THREADS at once.
THREADS = VIEWS_AT_ONCE


def serve(
    host: str,
    port: int,
    *,
    with_worker: bool = False,
    log_level: str = "info",
    workers: int = 1,
) -> None:
    """Serve tuki.wsgi until Ctrl-C or SIGTERM, then stop the worker cleanly.

    granian restarts a web process that dies. With `workers` > 1 the task worker runs apart
    (`tuki worker`); with one, `with_worker` runs it in a thread of the supervising process.
    """
    # whitenoise serves from the finders (WHITENOISE_USE_FINDERS) and only warns when the
    # collectstatic folder is missing; an empty one keeps the log clean.
    Path(settings.STATIC_ROOT).mkdir(parents=True, exist_ok=True)
    if workers > 1 and with_worker:
        raise ValueError("--with-worker needs a single web process; run `tuki worker` apart")
    # Web processes are spawned, not forked: a fork copies a process with threads (granian's
    # own, the task worker's) and its locks, and a worker hung at start in some runs.
    multiprocessing.set_start_method("spawn", force=True)
    server = MPServer(
        "tuki.server.application:application",
        address=host,
        port=port,
        interface=Interfaces.WSGI,
        workers=workers,
        blocking_threads=THREADS + settings.LIVE_STREAMS,
        backpressure=THREADS + settings.LIVE_STREAMS,
        websockets=False,
        log_level=LogLevels(log_level),
        respawn_failed_workers=True,
    )
    worker = WorkerThread() if with_worker else None
    try:
        if worker is not None:
            worker.start()
        server.serve()
    finally:
        if worker is not None:
            logger.info("Stopping the task worker")
            worker.stop()
