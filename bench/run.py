"""``make bench``: build or reuse the datasets, count queries, serve with gunicorn, load, time jobs.

    .venv/bin/python bench/run.py [--requests 200] [--seconds 10] [--only NAME,...] [--skip-jobs]

Steps, each in its own process so that each uses one database (bench/databases.py):
  1. ``worker ensure small|large``: generate the dataset unless it matches the generator version;
  2. ``worker queries small|large``: SQL queries per page with the test client (logged in as the
     bench user); the large run also leaves a session for step 3;
  3. gunicorn on the large dataset: per page, sequential latency (p50, p95) then wrk -t2 -c8;
  4. ``worker job NAME`` on a scratch copy of the large dataset, for every job of bench/jobs.py;
  5. the table, and bench/results.json.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if sys.path[0] == str(Path(__file__).resolve().parent):
    sys.path[0] = str(ROOT)  # import bench.* as a package, and never shadow the standard library

from bench import load, report  # noqa: E402
from bench.databases import DATA, databases  # noqa: E402

RESULTS = Path(os.environ.get("BENCH_RESULTS") or ROOT / "bench" / "results.json")


def say(message: str) -> None:
    print(message, flush=True)


def worker(dbs, db_name: str, command: str, arg: str) -> dict:
    """Run one bench.worker step; its result comes back through a JSON file."""
    with tempfile.NamedTemporaryFile(suffix=".json", dir=DATA, delete=False) as out:
        out_path = Path(out.name)
    env = {**os.environ, **dbs.env(db_name), "DJANGO_SETTINGS_MODULE": "bastion.settings_bench"}
    log = DATA / "worker.log"
    with log.open("a") as log_file:
        log_file.write(f"\n=== {time.strftime('%H:%M:%S')} {command} {arg} on {db_name}\n")
        log_file.flush()
        done = subprocess.run(
            [sys.executable, "-m", "bench.worker", command, arg, str(out_path)],
            cwd=ROOT,
            env=env,
            stdout=log_file,
            stderr=log_file,
            check=False,
        )
    try:
        result = json.loads(out_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        result = {"error": f"worker exited with {done.returncode}; see {log}"}
    out_path.unlink(missing_ok=True)
    return result


def ensure_datasets(dbs, sizes: list[str]) -> dict[str, dict]:
    manifests = {}
    for size in sizes:
        if hasattr(dbs, "create_if_missing"):
            dbs.create_if_missing(size)
        result = worker(dbs, size, "ensure", size)
        if "error" in result:
            raise SystemExit(f"dataset {size}: {result['error']} (see {DATA / 'worker.log'})")
        how = f"built in {result['seconds']:.1f} s" if result["built"] else "reused"
        manifest = result["manifest"]
        say(
            f"dataset {size}: {manifest['organizations']} organizations, "
            f"{manifest['people']} people — {how} (version {result['version']})"
        )
        manifests[size] = manifest
    return manifests


def count_queries(dbs, sizes: list[str]) -> dict[str, dict]:
    counted = {}
    for size in sizes:
        counted[size] = worker(dbs, size, "queries", size)
        if "error" in counted[size]:
            raise SystemExit(f"query count on {size}: {counted[size]['error']}")
        for name, page in counted[size]["pages"].items():
            say(f"queries {size:<5} {name:<20} {fmt_count(page)}")
    return counted


def fmt_count(page: dict) -> str:
    if page.get("error"):
        return f"error: {page['error']}"
    if page["status"] != 200:
        return f"HTTP {page['status']} ({page['url']})"
    return f"{page['queries']} queries ({page['url']})"


def measure_http(dbs, pages: list, counted: dict, args) -> dict[str, dict]:
    """Latency and throughput of every page that answered 200 in the query count."""
    large = counted["large"]
    cookie = f"sessionid={large['session']}"
    measured = {}
    log = DATA / "gunicorn.log"
    with load.Gunicorn(dbs.env("large"), workers=2, log=log) as server:
        say(f"gunicorn: 2 workers on 127.0.0.1:{server.port} (log {log})")
        for page in pages:
            info = large["pages"].get(page.name, {})
            if info.get("status") != 200:
                continue
            lat = load.latency(server.port, info["url"], cookie, args.requests)
            thr = load.throughput(server.port, info["url"], cookie, args.seconds)
            measured[page.name] = {"latency": lat, "throughput": thr}
            say(
                f"http    {page.name:<20} p50 {lat.p50_ms} ms, p95 {lat.p95_ms} ms "
                f"({lat.samples} requests), {thr.rps} req/s with 8 clients ({thr.tool})"
            )
    return measured


def run_jobs(dbs, jobs: list) -> dict[str, dict]:
    timed = {}
    for job in jobs:
        scratch = f"job-{job.name}"
        dbs.clone(job.dataset, scratch)
        try:
            result = worker(dbs, scratch, "job", job.name)
        finally:
            dbs.drop(scratch)
        timed[job.name] = result
        if result.get("seconds") is not None:
            say(
                f"job     {job.name:<20} {result['seconds']:.2f} s "
                f"(after {result['prepare']:.1f} s of untimed preparation)"
            )
        else:
            say(f"job     {job.name:<20} {result.get('skipped') or result.get('error')}")
    return timed


def assemble(manifests, counted, measured, timed, pages, jobs) -> tuple[dict, list[str]]:
    notes: list[str] = []
    floor = measured.get("floor")
    floor_rps = floor["throughput"].rps if floor else None
    results = {
        "dataset": {
            "organizations": manifests["large"]["organizations"],
            "people": manifests["large"]["people"],
            "small": {k: manifests["small"][k] for k in ("organizations", "people")},
        },
        "floor": {
            "rps_8": floor_rps,
            "p50_ms": floor["latency"].p50_ms if floor else None,
            "p95_ms": floor["latency"].p95_ms if floor else None,
        },
        "pages": [],
        "jobs": [],
    }
    for page in pages:
        if page.name == "floor":
            continue
        results["pages"].append(page_row(page, counted, measured, floor_rps, notes))
    for job in jobs:
        result = timed.get(job.name, {})
        seconds = result.get("seconds")
        results["jobs"].append(
            {
                "name": job.name,
                "seconds": None if seconds is None else round(seconds, 2),
                "peak_mb": result.get("peak_mb"),
                "run_mb": result.get("run_mb"),
            }
        )
        if result.get("skipped") or result.get("error"):
            notes.append(f"{job.name}: {result.get('skipped') or result.get('error')}")
    for name, m in measured.items():
        if m["latency"].failures or m["throughput"].errors:
            notes.append(
                f"{name}: {m['latency'].failures} failed sequential requests "
                f"(first status {m['latency'].status}), {m['throughput'].errors} errors "
                "under load"
            )
        if m["throughput"].note:
            notes.append(f"{name}: {m['throughput'].note}")
    return results, notes


def page_row(page, counted, measured, floor_rps, notes) -> dict:
    queries = {}
    for size in ("small", "large"):
        info = counted[size]["pages"].get(page.name, {})
        queries[size] = info.get("queries") if info.get("status") == 200 else None
        if info.get("status") != 200:
            notes.append(f"{page.name} ({size}): {fmt_count(info)}")
    m = measured.get(page.name)
    rps = m["throughput"].rps if m else None
    if None not in queries.values() and queries["small"] != queries["large"]:
        notes.append(f"{page.name}: query shapes that differ (bench/data/querylog/):")
        notes.extend(f"    {line}" for line in report.query_diff(page.name))
    return {
        "name": page.name,
        "queries_small": queries["small"],
        "queries_large": queries["large"],
        "p50_ms": m["latency"].p50_ms if m else None,
        "p95_ms": m["latency"].p95_ms if m else None,
        "rps_8": rps,
        "floor_ratio": round(rps / floor_rps, 2) if rps and floor_rps else None,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=200, help="sequential requests per page")
    parser.add_argument("--seconds", type=int, default=10, help="wrk duration per page")
    parser.add_argument("--only", default="", help="comma-separated page and job names")
    parser.add_argument("--skip-jobs", action="store_true")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bastion.settings_bench")
    import django

    django.setup()  # for the page and job tables (reverse() runs in the workers, not here)
    from bench.jobs import JOBS
    from bench.pages import FLOOR, PAGES

    only = {n for n in args.only.split(",") if n}
    pages = [FLOOR] + [p for p in PAGES if not only or p.name in only]
    jobs = [j for j in JOBS if (not only or j.name in only) and not args.skip_jobs]
    DATA.mkdir(parents=True, exist_ok=True)
    dbs = databases()
    started = time.monotonic()
    load_before = os.getloadavg()[0]
    say(
        f"bench: {dbs.describe()}; wrk: {load.WRK or 'missing, using a Python thread pool'}; "
        f"load average {load_before:.2f}"
    )
    manifests = ensure_datasets(dbs, ["small", "large"])
    counted = count_queries(dbs, ["small", "large"])
    measured = measure_http(dbs, pages, counted, args)
    timed = run_jobs(dbs, jobs)
    results, notes = assemble(manifests, counted, measured, timed, pages, jobs)
    if load_before > 0.7:
        notes.append(
            f"the machine was busy before the run (load average {load_before:.1f} on "
            f"{os.cpu_count()} cores): latency and req/s are pessimistic; rerun when idle"
        )
    report.write_results(results, RESULTS)
    targets = {
        "pages": {p.name: p.p95_ms for p in PAGES},
        "jobs": {j.name: j.target_seconds for j in JOBS},
        "jobs_mb": {j.name: j.target_mb for j in JOBS if j.target_mb is not None},
    }
    misses = report.print_report(results, targets, notes)
    say(
        f"\nWrote {RESULTS.relative_to(ROOT)} in {time.monotonic() - started:.0f} s; "
        f"{misses} target(s) missed."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
