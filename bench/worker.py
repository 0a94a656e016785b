"""One benchmark step inside Django, on the database its environment names (see databases.py).

``bench/run.py`` starts it as ``python -m bench.worker <command> <arg> <result.json>``:
  ensure <size>   build the dataset unless the database already holds the current version
  queries <size>  SQL queries per page through the test client; also a session for gunicorn
  job <name>      time one job of bench/jobs.py (on a scratch copy of its dataset)
"""

from __future__ import annotations

import json
import os
import sys
import time
import traceback
from pathlib import Path
from types import SimpleNamespace

import django

ROOT = Path(__file__).resolve().parent.parent

from bench.databases import DATA  # noqa: E402


def setup():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bastion.settings_bench")
    django.setup()


def wipe_database():
    from django.db import connection

    if connection.vendor == "sqlite":
        name = connection.settings_dict["NAME"]
        connection.close()
        for suffix in ("", "-wal", "-shm"):
            Path(f"{name}{suffix}").unlink(missing_ok=True)
    else:
        with connection.cursor() as cursor:
            cursor.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")


def ensure(size_name: str) -> dict:
    from bench.dataset import SIZES, generate, read_meta, version

    size = SIZES[size_name]
    expected = version(size)
    meta = read_meta()
    if meta and meta["version"] == expected:
        return {"built": False, "version": expected, "manifest": meta["manifest"]}
    wipe_database()
    started = time.perf_counter()
    manifest = generate(size)
    seconds = time.perf_counter() - started
    return {"built": True, "seconds": seconds, "version": expected, "manifest": manifest}


def bench_client():
    from django.contrib.auth import get_user_model
    from django.test import Client

    from bench.dataset import BENCH_USERNAME

    client = Client(raise_request_exception=True)
    client.force_login(get_user_model().objects.get(username=BENCH_USERNAME))
    return client


def manifest() -> SimpleNamespace:
    from bench.dataset import read_meta

    return SimpleNamespace(**read_meta()["manifest"])


def queries(size_name: str) -> dict:
    """Queries of a warm request per page, with the SQL logged to bench/data/querylog/."""
    from django.conf import settings

    from bench.pages import FLOOR, PAGES

    client = bench_client()
    data = manifest()
    log_dir = DATA / "querylog" / size_name
    log_dir.mkdir(parents=True, exist_ok=True)
    pages = {page.name: count_page(client, page, data, log_dir) for page in [FLOOR, *PAGES]}
    return {"pages": pages, "session": client.cookies[settings.SESSION_COOKIE_NAME].value}


def count_page(client, page, data, log_dir: Path) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    try:
        url = page.url(data)
        client.get(url)  # warm: first-request caches (content types, templates) are not per-page
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url)
    except Exception as exc:  # noqa: BLE001 - reported per page, the run goes on
        return {"url": locals().get("url"), "status": None, "error": describe(exc)}
    lines = [f"-- {page.name} {url} -> HTTP {response.status_code}, {len(ctx)} queries"]
    lines += [f"{q['time']}s  {q['sql']};" for q in ctx.captured_queries]
    (log_dir / f"{page.name}.sql").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return {"url": url, "status": response.status_code, "queries": len(ctx)}


def describe(exc: Exception) -> str:
    return f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"[:300]


def job(name: str) -> dict:
    from django.contrib.auth import get_user_model

    from bench.dataset import BENCH_USERNAME, read_meta
    from bench.jobs import JOBS, Skip

    spec = next(j for j in JOBS if j.name == name)
    meta = read_meta()
    cache_dir = DATA / "cache"
    cache_dir.mkdir(parents=True, exist_ok=True)
    ctx = SimpleNamespace(
        manifest=SimpleNamespace(**meta["manifest"]),
        version=meta["version"],
        actor=get_user_model().objects.get(username=BENCH_USERNAME),
        cache_dir=cache_dir,
    )
    started = time.perf_counter()
    try:
        state = spec.prepare(ctx)
    except Skip as exc:
        return {"seconds": None, "skipped": str(exc)}
    prepared = time.perf_counter() - started
    memory = PeakMemory()
    started = time.perf_counter()
    result = spec.run(state)
    seconds = time.perf_counter() - started
    measured = {"seconds": seconds, "prepare": prepared, **memory.read()}
    try:
        spec.check(state, result)
    except AssertionError as exc:
        return {**measured, "error": f"wrong result: {exc}"}
    return measured


class PeakMemory:
    """The worker's peak resident memory during the timed run (Linux: the peak is reset after
    the preparation through /proc/self/clear_refs), and how much of it the run added to the
    idle worker (``run_mb``: what a job costs, whatever Django itself takes)."""

    def __init__(self):
        import gc

        gc.collect()
        try:
            Path("/proc/self/clear_refs").write_text("5")
            self.reset = True
        except OSError:
            self.reset = False
        self.baseline = _status_mb("VmRSS")

    def read(self) -> dict:
        import resource

        peak = _status_mb("VmHWM")
        if peak is None or not self.reset:
            peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        run = None if self.baseline is None else max(0.0, peak - self.baseline)
        return {"peak_mb": round(peak, 1), "run_mb": None if run is None else round(run, 1)}


def _status_mb(field: str) -> float | None:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(f"{field}:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


COMMANDS = {"ensure": ensure, "queries": queries, "job": job}


def main(argv: list[str]) -> int:
    command, arg, out = argv
    setup()
    try:
        result = COMMANDS[command](arg)
    except Exception as exc:  # noqa: BLE001 - the parent prints it and goes on
        traceback.print_exc()
        result = {"error": describe(exc)}
    Path(out).write_text(json.dumps(result, ensure_ascii=False, default=str), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
