import contextlib
import http.client
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from tuki.bench.clients import listeners
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
    """granian 'serves' until the worker loop has started; the loop records its stop."""
    started, stopped = threading.Event(), threading.Event()

    def run_worker(worker: serving.TukiWorker) -> None:
        started.set()
        while worker.running:
            threading.Event().wait(0.01)
        stopped.set()

    def fake_serve(self: serving.MPServer) -> None:
        assert started.wait(5), "the worker thread did not start"

    monkeypatch.setattr(serving.TukiWorker, "run", run_worker)
    monkeypatch.setattr(serving.MPServer, "serve", fake_serve)
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


@pytest.mark.django_db
def test_the_floor_view_touches_no_database(client):
    with query_budget(0):
        response = client.get("/healthz")
    assert response.status_code == 200 and response.json() == {"status": "ok"}


# --- a real `tuki serve --workers 2` ----------------------------------------------------------


@pytest.fixture
def two_workers(subprocess_env):
    """`tuki serve --workers 2` on a free port: (port, the main process's pid)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    command = [sys.executable, "-m", "tuki", "serve", "--port", str(port), "--workers", "2"]
    process = subprocess.Popen([*command, "--log-level", "warning"], env=subprocess_env)
    try:
        deadline = time.monotonic() + 60
        while listeners(port) < 2 or not _answers(port):  # both web processes are up
            assert process.poll() is None, "tuki serve stopped"
            assert time.monotonic() < deadline, "tuki serve did not start"
            time.sleep(0.2)
        yield port, process.pid
    finally:
        process.terminate()
        assert process.wait(30) == 0  # SIGTERM: a clean stop


def _answers(port: int) -> bool:
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        conn.request("GET", "/healthz")
        return conn.getresponse().status == 200
    except OSError:
        return False


def _children(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            if int(stat.read_text().rsplit(")", 1)[1].split()[1]) != pid:
                continue
            if b"resource_tracker" not in (stat.parent / "cmdline").read_bytes():
                found.append(int(stat.parent.name))  # a web process, not multiprocessing's
        except (OSError, ValueError):
            continue
    return found


def _serving_process(conn: http.client.HTTPConnection, port: int, workers: list[int]) -> int:
    """Which worker process holds the server's end of this client connection."""
    assert conn.sock is not None
    client_port = conn.sock.getsockname()[1]
    wanted = f"0100007F:{port:04X} 0100007F:{client_port:04X}"
    (inode,) = [
        line.split()[9]
        for line in Path("/proc/net/tcp").read_text().splitlines()[1:]
        if " ".join(line.split()[1:3]) == wanted
    ]
    for pid in workers:
        for fd in Path(f"/proc/{pid}/fd").iterdir():
            with contextlib.suppress(OSError):
                if os.readlink(fd) == f"socket:[{inode}]":
                    return pid
    raise AssertionError(f"no worker holds the connection from port {client_port}")


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/net/tcp").exists(), reason="reads /proc (Linux)")
def test_two_workers_share_keep_alive_connections_and_answer_without_a_nagle_delay(two_workers):
    """Each web process listens on its own socket (SO_REUSEPORT) and the kernel hashes new
    connections over them; with one shared socket (uvicorn's supervisor) one process took
    every keep-alive connection in most runs. The chance that twenty connections all land
    on one of two workers by the hash is one in half a million."""
    port, pid = two_workers
    workers = _children(pid)
    conns = [http.client.HTTPConnection("127.0.0.1", port, timeout=10) for _ in range(20)]
    try:
        served_by = []
        for conn in conns:
            conn.request("GET", "/healthz")
            assert conn.getresponse().read() == b'{"status": "ok"}'
            served_by.append(_serving_process(conn, port, workers))
        assert set(served_by) == set(workers), served_by
        # Keep-alive requests after the first: no ~40 ms wait for a delayed ACK each
        # (TCP_NODELAY on the accepted sockets). A static file of some size, answered in
        # more than one segment, is where such a wait shows.
        timings = []
        for _ in range(15):
            started = time.perf_counter()
            conns[0].request("GET", "/static/vendor/bootstrap-5.3.9/bootstrap.min.css")
            response = conns[0].getresponse()
            assert response.status == 200 and len(response.read()) > 100_000
            timings.append(time.perf_counter() - started)
        assert statistics.median(timings) < 0.035, timings
    finally:
        for conn in conns:
            conn.close()
