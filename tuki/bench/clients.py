"""The benchmark's HTTP side: a real `tuki serve` on a free port and keep-alive clients
that time requests (latency) or count them (throughput)."""

from __future__ import annotations

import http.client
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from tuki.bench.options import Options


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def server(url: str, options: Options, say: Callable[[str], None]) -> Iterator[int]:
    port = free_port()
    env = dict(os.environ, TUKI_DATABASE_URL=url, TUKI_DEBUG="false")
    command = [sys.executable, "-m", "tuki", "serve", "--host", "127.0.0.1"]
    command += ["--port", str(port), "--workers", str(options.workers), "--log-level", "warning"]
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
                raise RuntimeError("the benchmark server did not start")
            time.sleep(0.2)
        say(f"server: tuki serve --workers {options.workers} on port {port}")
        yield port
    finally:
        process.terminate()
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            process.kill()


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
