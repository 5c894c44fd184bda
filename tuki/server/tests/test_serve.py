import socket
import subprocess
import sys
import threading

import pytest

from tuki.lib.testing import query_budget
from tuki.server import serving


def test_serve_help_lists_its_options():
    result = subprocess.run(
        [sys.executable, "-m", "tuki", "serve", "--help"],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    for option in ("--host", "--port", "--with-worker"):
        assert option in result.stdout


def test_demo_and_worker_commands_exist():
    for command in ("demo", "worker"):
        result = subprocess.run(
            [sys.executable, "-m", "tuki", command, "--help"],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert result.returncode == 0, result.stderr


@pytest.fixture
def worker_events(monkeypatch):
    """uvicorn 'serves' until the worker loop has started; the loop records its stop."""
    started, stopped = threading.Event(), threading.Event()

    def run_worker(worker: serving.TukiWorker) -> None:
        started.set()
        while worker.running:
            threading.Event().wait(0.01)
        stopped.set()

    class FakeServer:
        def __init__(self, config: object) -> None:
            self.config = config

        def run(self) -> None:
            assert started.wait(5), "the worker thread did not start"

    monkeypatch.setattr(serving.TukiWorker, "run", run_worker)
    monkeypatch.setattr(serving.uvicorn, "Server", FakeServer)
    return started, stopped


def test_with_worker_the_worker_runs_beside_the_server_and_stops_with_it(worker_events):
    started, stopped = worker_events
    serving.serve("127.0.0.1", 0, with_worker=True)
    assert started.is_set() and stopped.is_set()
    assert not any(t.name == "tuki-worker" and t.is_alive() for t in threading.enumerate())


def test_the_worker_thread_starts_its_loop_again_when_it_dies(monkeypatch):
    """Supervised: a loop that ends with an error (not a stop) is started again."""
    runs: list[str] = []
    again = threading.Event()

    def run_worker(worker: serving.TukiWorker) -> None:
        runs.append(worker.worker_id)
        if len(runs) == 1:
            raise RuntimeError("the loop broke")
        again.set()
        while worker.running:
            threading.Event().wait(0.01)

    monkeypatch.setattr(serving.TukiWorker, "run", run_worker)
    thread = serving.WorkerThread()
    thread.start()
    try:
        assert again.wait(30), "the worker was not restarted"
        assert thread.alive and thread.restarts == 1
        assert runs == [thread.worker_id, thread.worker_id]  # one identity, one heartbeat
    finally:
        thread.stop()
    assert not thread.is_alive()


def test_without_worker_no_thread_is_started(worker_events):
    started, _stopped = worker_events
    started.set()  # lets the fake server return at once
    before = threading.active_count()
    serving.serve("127.0.0.1", 0)
    assert threading.active_count() == before


def test_the_server_socket_says_it_is_tcp_so_keep_alive_gets_no_nagle_delay():
    sock = serving.bind_tcp("127.0.0.1", 0)
    try:
        assert sock.proto == socket.IPPROTO_TCP
    finally:
        sock.close()


@pytest.mark.django_db
def test_the_floor_view_touches_no_database(client):
    with query_budget(0):
        response = client.get("/healthz")
    assert response.status_code == 200 and response.json() == {"status": "ok"}
