"""The benchmark's HTTP side: a real `tuki serve` on a free port and keep-alive clients
that time requests (latency) or count them (throughput)."""

from __future__ import annotations

import contextlib
import http.client
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tuki.bench.options import Options


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Served:
    """A server the bench started: its port and its main process (whose children serve)."""

    port: int
    pid: int


@contextmanager
def server(url: str, options: Options, say: Callable[[str], None]) -> Iterator[int]:
    with served(url, options, say) as tuki:
        yield tuki.port


@contextmanager
def served(url: str, options: Options, say: Callable[[str], None]) -> Iterator[Served]:
    """`tuki serve --workers N` on the benchmark database."""
    port = free_port()
    env = dict(os.environ, TUKI_DATABASE_URL=url, TUKI_DEBUG="false")
    command = [sys.executable, "-m", "tuki", "serve", "--host", "127.0.0.1"]
    command += ["--port", str(port), "--workers", str(options.workers), "--log-level", "warning"]
    with _running(command, env, port) as process:
        # Each web process listens on its own socket once it has loaded Django: until all
        # do, the kernel gives every connection to the ones that already listen.
        deadline = time.monotonic() + 90
        while listeners(port) < options.workers and time.monotonic() < deadline:
            time.sleep(0.2)
        say(f"server: tuki serve --workers {options.workers} on port {port}")
        yield Served(port, process.pid)


# The plain project's gunicorn: threads so that keep-alive connections stay open (a sync
# worker closes each after one response, and the floor would then be the cost of TCP
# connections); as many per process as clients per process.
PLAIN_THREADS = 2


@contextmanager
def plain_server(options: Options, say: Callable[[str], None]) -> Iterator[Served]:
    """A plain Django project (tuki/bench/plainapp.py) under plain gunicorn, as many
    workers as `tuki serve` gets: the reference floor, `floor_plain`."""
    port = free_port()
    command = [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}"]
    command += ["--workers", str(options.workers), "--worker-class", "gthread"]
    command += ["--threads", str(PLAIN_THREADS), "--log-level", "warning"]
    command += ["tuki.bench.plainapp:application"]
    with _running(command, dict(os.environ), port) as process:
        say(f"server: plain Django under gunicorn --workers {options.workers} on port {port}")
        yield Served(port, process.pid)


@contextmanager
def _running(
    command: list[str], env: dict[str, str], port: int
) -> Iterator[subprocess.Popen[bytes]]:
    process = subprocess.Popen(command, env=env)
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                status, _ = request(port, "GET", "/healthz")
                if status == 200:
                    break
            except OSError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the benchmark server did not start: {' '.join(command)}")
            time.sleep(0.2)
        yield process
    finally:
        process.terminate()
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            process.kill()


def listeners(port: int) -> int:
    """Sockets listening on this TCP port (/proc/net/tcp; 0 where there is no /proc)."""
    wanted = f":{port:04X}"
    count = 0
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with contextlib.suppress(OSError):
            for line in Path(table).read_text().splitlines()[1:]:
                fields = line.split()
                count += fields[1].endswith(wanted) and fields[3] == "0A"  # LISTEN
    return count


def _stat(process: Path) -> tuple[int, float] | None:
    """A process's parent id and its CPU seconds (user + system) so far, from /proc; None
    when it is gone."""
    try:
        stat = (process / "stat").read_text()
    except OSError:
        return None
    fields = stat.rsplit(")", 1)[1].split()  # the name may hold spaces
    return int(fields[1]), (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def cpu_seconds(pids: list[int]) -> float:
    """CPU seconds these processes used so far (Linux /proc; 0 elsewhere)."""
    return sum(found[1] for pid in pids if (found := _stat(Path(f"/proc/{pid}"))))


def worker_cpu(pid: int) -> dict[int, float]:
    """CPU seconds (user + system) of each worker process of the server `pid`, its children."""
    seconds: dict[int, float] = {}
    if not Path("/proc/self/stat").exists():
        return seconds  # not Linux: no spread figure
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        found = _stat(entry)  # None: gone since the listing
        if found and found[0] == pid and not _is_resource_tracker(entry):
            seconds[int(entry.name)] = found[1]
    return seconds


def _is_resource_tracker(process: Path) -> bool:
    """multiprocessing's helper beside spawned workers, which serves nothing."""
    try:
        return b"resource_tracker" in (process / "cmdline").read_bytes()
    except OSError:
        return True


def busiest_share(before: dict[int, float], after: dict[int, float]) -> float | None:
    """The busiest worker's share of the CPU all workers used between two `worker_cpu`
    readings: 1/N when N workers shared the work evenly, 1.0 when one did it all."""
    used = [after[pid] - before.get(pid, 0.0) for pid in after]
    total = sum(used)
    return max(used) / total if total > 0 else None


class Client:
    """One keep-alive HTTP/1.1 connection."""

    def __init__(self, port: int, headers: dict[str, str]):
        self.port = port
        self.headers = headers
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)

    def send(self, method: str, path: str, body: bytes | None = None) -> int:
        headers = dict(self.headers)
        if body is not None:
            headers["Content-Type"] = "application/json"
        try:
            self.conn.request(method, path, body=body, headers=headers)
            response = self.conn.getresponse()
            response.read()
        except (http.client.HTTPException, OSError):
            self.conn.close()
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
            return 0
        return response.status

    def close(self) -> None:
        self.conn.close()


def request(port: int, method: str, path: str) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        conn.request(method, path)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


Target = Callable[[int], tuple[str, str, bytes | None]]  # i -> (method, path, body)


def latency(
    port: int, headers: dict[str, str], target: Target, repetitions: int, ok: tuple[int, ...]
) -> tuple[list[float], int]:
    client = Client(port, headers)
    try:
        for i in range(min(20, repetitions)):  # warm the workers' caches and connections
            client.send(*target(i))
        samples, errors = [], 0
        for i in range(repetitions):
            method, path, body = target(i)
            started = time.perf_counter()
            status = client.send(method, path, body)
            samples.append(time.perf_counter() - started)
            errors += status not in ok
        return samples, errors
    finally:
        client.close()


def throughput(
    port: int,
    headers: dict[str, str],
    target: Target,
    clients: int,
    seconds: float,
    ok: tuple[int, ...],
) -> tuple[float, int, int]:
    """Requests per second from `clients` concurrent connections over `seconds`."""
    done = [0] * clients
    failed = [0] * clients
    start = threading.Barrier(clients + 1)
    stop_at = [0.0]

    def work(n: int) -> None:
        client = Client(port, headers)
        i = n * 1_000_000
        start.wait()
        while time.perf_counter() < stop_at[0]:
            status = client.send(*target(i))
            i += 1
            if status in ok:
                done[n] += 1
            else:
                failed[n] += 1
        client.close()

    threads = [threading.Thread(target=work, args=(n,), daemon=True) for n in range(clients)]
    for thread in threads:
        thread.start()
    stop_at[0] = time.perf_counter() + seconds
    began = time.perf_counter()
    start.wait()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - began
    return sum(done) / elapsed, sum(done), sum(failed)


def p95(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]
