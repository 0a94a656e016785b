"""Serving and loading: gunicorn on a free port, sequential latency, throughput with wrk."""

from __future__ import annotations

import http.client
import math
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WRK = shutil.which("wrk") or ("/usr/bin/wrk" if Path("/usr/bin/wrk").exists() else None)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Gunicorn:
    """``gunicorn bastion.wsgi`` with the bench settings, two sync workers, on 127.0.0.1."""

    def __init__(self, env: dict[str, str], workers: int = 2, log: Path | None = None):
        self.port = free_port()
        self.env = {**os.environ, **env, "DJANGO_SETTINGS_MODULE": "bastion.settings_bench"}
        self.workers = workers
        self.log = log
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> Gunicorn:
        gunicorn = Path(sys.executable).with_name("gunicorn")
        command = [
            str(gunicorn),
            "bastion.wsgi",
            "--workers",
            str(self.workers),
            "--bind",
            f"127.0.0.1:{self.port}",
            "--log-level",
            "warning",
        ]
        out = self.log.open("ab") if self.log else subprocess.DEVNULL
        self.process = subprocess.Popen(
            command, cwd=ROOT, env=self.env, stdout=out, stderr=subprocess.STDOUT
        )
        self._wait_ready()
        return self

    def _wait_ready(self, timeout: float = 60):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"gunicorn exited with {self.process.returncode}; see {self.log}"
                )
            try:
                if get(self.port, "/healthz", "")[0] == 200:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise RuntimeError("gunicorn did not answer /healthz within a minute")

    def __exit__(self, *exc):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def get(port: int, url: str, cookie: str, timeout: float = 30) -> tuple[int, int]:
    """One request on a new connection (gunicorn's sync workers close it anyway)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", url, headers={"Cookie": cookie} if cookie else {})
        response = conn.getresponse()
        body = response.read()
        return response.status, len(body)
    finally:
        conn.close()


@dataclass
class Latency:
    p50_ms: float | None
    p95_ms: float | None
    samples: int
    failures: int
    status: int | None  # the first status that was not 200, if any


def percentile(values: list[float], fraction: float) -> float:
    """Nearest rank: the smallest sample with at least ``fraction`` of the samples at or below."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


def latency(port: int, url: str, cookie: str, requests: int, warmup: int = 20) -> Latency:
    """Sequential requests, one at a time: the response time a lone user sees."""
    for _ in range(warmup):
        get(port, url, cookie)
    times, failures, bad_status = [], 0, None
    for _ in range(requests):
        started = time.perf_counter()
        status, _size = get(port, url, cookie)
        elapsed = (time.perf_counter() - started) * 1000
        if status != 200:
            failures += 1
            bad_status = bad_status or status
            continue
        times.append(elapsed)
    if not times:
        return Latency(None, None, 0, failures, bad_status)
    return Latency(
        round(statistics.median(times), 1),
        round(percentile(times, 0.95), 1),
        len(times),
        failures,
        bad_status,
    )


@dataclass
class Throughput:
    rps: float | None
    tool: str
    errors: int
    note: str = ""


def throughput(port: int, url: str, cookie: str, seconds: int = 10, clients: int = 8) -> Throughput:
    if WRK:
        return run_wrk(port, url, cookie, seconds, clients)
    return run_threads(port, url, cookie, seconds, clients)


def run_wrk(port: int, url: str, cookie: str, seconds: int, clients: int) -> Throughput:
    command = [
        WRK,
        "-t2",
        f"-c{clients}",
        f"-d{seconds}s",
        "--timeout",
        "30s",
        "-H",
        f"Cookie: {cookie}",
        f"http://127.0.0.1:{port}{url}",
    ]
    out = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 60).stdout
    rps = re.search(r"Requests/sec:\s+([\d.]+)", out)
    non_2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    socket_errors = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out
    )
    errors = int(non_2xx.group(1)) if non_2xx else 0
    # gunicorn's sync workers close every connection; wrk counts that as a read error. Only
    # connect errors and timeouts mean a request was lost.
    if socket_errors:
        errors += int(socket_errors.group(1)) + int(socket_errors.group(4))
    if not rps:
        return Throughput(None, "wrk", errors, note=f"unreadable wrk output: {out[-200:]!r}")
    return Throughput(round(float(rps.group(1)), 1), "wrk", errors)


def run_threads(port: int, url: str, cookie: str, seconds: int, clients: int) -> Throughput:
    """The fallback when wrk is missing: Python threads, each looping requests for ``seconds``."""
    deadline = time.monotonic() + seconds

    def loop() -> tuple[int, int]:
        done = errors = 0
        while time.monotonic() < deadline:
            try:
                status, _ = get(port, url, cookie)
            except OSError:
                errors += 1
                continue
            done += 1
            errors += status != 200
        return done, errors

    started = time.monotonic()
    with ThreadPoolExecutor(clients) as pool:
        results = list(pool.map(lambda _: loop(), range(clients)))
    elapsed = time.monotonic() - started
    done = sum(r[0] for r in results)
    note = "wrk not found: Python thread pool (the client shares the 2 cores' GIL-bound CPU)"
    return Throughput(round(done / elapsed, 1), "threads", sum(r[1] for r in results), note)
