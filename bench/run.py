"""``make bench``: build or reuse the datasets, count queries, serve with gunicorn, load, time jobs.

    .venv/bin/python bench/run.py [--scale province|national] [--requests 200] [--seconds 10]
                                  [--only NAME,...] [--skip-jobs]

A scale compares two dataset sizes and measures the larger one (``SCALES``): ``province`` (the
default) small and large, ``national`` (PostgreSQL only) large and national. Steps, each in its own
process so that each uses one database (bench/databases.py):
  1. ``worker ensure SIZE``: generate the dataset unless it matches the generator version;
  2. ``worker queries SIZE``: SQL queries per page with the test client (logged in as the
     bench user) at both sizes; the measured size also leaves a session for step 3;
  3. gunicorn on the measured dataset: per page, sequential latency (p50, p95) then wrk -t2 -c8;
  4. ``worker job NAME`` on a scratch copy of the measured dataset, for the scale's jobs;
  5. the table, and bench/results.json: the province scale at the top level, the national one
     under ``"national"``; a run replaces its own part and keeps the other.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if sys.path[0] == str(Path(__file__).resolve().parent):
    sys.path[0] = str(ROOT)  # import bench.* as a package, and never shadow the standard library

from bench import load, report  # noqa: E402
from bench.databases import DATA, databases  # noqa: E402

RESULTS = Path(os.environ.get("BENCH_RESULTS") or ROOT / "bench" / "results.json")


@dataclass(frozen=True)
class Scale:
    name: str
    compared: str  # the size whose query counts the measured size's must equal
    measured: str  # the size served to gunicorn and copied for the jobs
    p95_ms: float | None = None  # every page's target; None: each page's own (bench/pages.py)
    jobs: tuple[str, ...] | None = None  # the jobs that run at this scale; None: all of them
    job_factor: float = 1.0  # job targets scale with the work: ten times the rows, ten times


SCALES = {
    "province": Scale("province", compared="small", measured="large"),
    # The national targets: p95 ≤ 300 ms on PostgreSQL, the province's query counts.
    # Jobs: those whose work grows with the tree; why the others stay at province scale is in
    # bench/README.md ("National scale").
    "national": Scale(
        "national",
        compared="large",
        measured="national",
        p95_ms=300.0,
        jobs=("round_3000", "obligations_year_3000", "dispatch_3000", "bulletin_province"),
        job_factor=10.0,
    ),
}


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
        if result["built"]:
            steps = ", ".join(f"{k} {v}" for k, v in manifest.get("build_steps", {}).items())
            say(f"    seconds per step: {steps}")
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


def measure_http(dbs, scale: Scale, pages: list, counted: dict, args) -> dict[str, dict]:
    """Latency and throughput of every page that answered 200 in the query count."""
    served = counted[scale.measured]
    cookie = f"sessionid={served['session']}"
    measured = {}
    log = DATA / "gunicorn.log"
    with load.Gunicorn(dbs.env(scale.measured), workers=2, log=log) as server:
        say(f"gunicorn: 2 workers on 127.0.0.1:{server.port} (log {log})")
        for page in pages:
            info = served["pages"].get(page.name, {})
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


def run_jobs(dbs, jobs: list, dataset: str | None = None) -> dict[str, dict]:
    """Each job on a scratch copy of its dataset (``dataset`` overrides the job's own)."""
    timed = {}
    for job in jobs:
        scratch = f"job-{job.name}"
        dbs.clone(dataset or job.dataset, scratch)
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


def assemble(scale, manifests, counted, measured, timed, pages, jobs) -> tuple[dict, list[str]]:
    notes: list[str] = []
    floor = measured.get("floor")
    floor_rps = floor["throughput"].rps if floor else None
    big, other = manifests[scale.measured], manifests[scale.compared]
    results = {
        "dataset": {
            "organizations": big["organizations"],
            "people": big["people"],
            # when the dataset was generated (a reused one keeps its figure): build and ANALYZE
            "build_seconds": big.get("build_seconds"),
            "build_steps": big.get("build_steps"),
            scale.compared: {k: other.get(k) for k in ("organizations", "people", "build_seconds")},
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
        results["pages"].append(page_row(scale, page, counted, measured, floor_rps, notes))
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


def page_row(scale, page, counted, measured, floor_rps, notes) -> dict:
    queries = {}
    for size in (scale.compared, scale.measured):
        info = counted[size]["pages"].get(page.name, {})
        queries[size] = info.get("queries") if info.get("status") == 200 else None
        if info.get("status") != 200:
            notes.append(f"{page.name} ({size}): {fmt_count(info)}")
    m = measured.get(page.name)
    rps = m["throughput"].rps if m else None
    if None not in queries.values() and queries[scale.compared] != queries[scale.measured]:
        notes.append(f"{page.name}: query shapes that differ ({DATA / 'querylog'}/):")
        diff = report.query_diff(page.name, scale.compared, scale.measured)
        notes.extend(f"    {line}" for line in diff)
    return {
        "name": page.name,
        **{f"queries_{size}": count for size, count in queries.items()},
        "p50_ms": m["latency"].p50_ms if m else None,
        "p95_ms": m["latency"].p95_ms if m else None,
        "rps_8": rps,
        "floor_ratio": round(rps / floor_rps, 2) if rps and floor_rps else None,
    }


def load_average() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def merge_results(scale: Scale, section: dict) -> dict:
    """The province figures at the top level, the national ones under "national": a run
    replaces its own part of the existing file and keeps the other's."""
    try:
        results = json.loads(RESULTS.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        results = {}
    if scale.name == "national":
        return {**results, "national": section}
    return {**section, **({"national": results["national"]} if "national" in results else {})}


def wants_load_50(scale, dbs, only: set[str], args) -> bool:
    """load_50 (bench/cluster.py: nginx, two app servers, two workers) needs PostgreSQL; it runs
    with the province's jobs, or alone with ``--only load_50``."""
    if dbs.vendor != "postgresql" or scale.name != "province":
        return False
    return "load_50" in only or (not only and not args.skip_jobs)


def run_load_50(dbs, scale, seconds: int, notes: list[str]) -> dict:
    from bench import cluster

    say(f"load_50: 50 clients for {seconds} s through nginx to two app servers, two workers")
    try:
        result = cluster.measure_load_50(
            database_url=dbs.url(dbs.db_name(scale.measured)), seconds=seconds
        )
    except Exception as error:  # a benchmark reports what failed, it never stops the others
        notes.append(f"load_50: {error}")
        return {"name": "load_50", "error": str(error)}
    say(
        f"load_50: {result.get('requests')} requests, {result.get('rps')} req/s, "
        f"p95 {result.get('p95_ms')} ms, {result.get('errors')} errors, "
        f"{result.get('duplicates')} duplicate messages or jobs"
    )
    if result.get("errors") or result.get("duplicates"):
        notes.append(
            f"load_50: {result.get('errors')} errors, {result.get('duplicates')} duplicates"
        )
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", choices=sorted(SCALES), default="province")
    parser.add_argument("--requests", type=int, default=200, help="sequential requests per page")
    parser.add_argument("--seconds", type=int, default=10, help="wrk duration per page")
    parser.add_argument("--only", default="", help="comma-separated page and job names")
    parser.add_argument("--skip-jobs", action="store_true")
    parser.add_argument(
        "--load-seconds", type=int, default=60, help="load_50's duration (PostgreSQL province run)"
    )
    args = parser.parse_args()
    scale = SCALES[args.scale]
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bastion.settings_bench")
    import django

    django.setup()  # for the page and job tables (reverse() runs in the workers, not here)
    from bench.jobs import JOBS
    from bench.pages import FLOOR, PAGES

    dbs = databases()
    if scale.name == "national" and dbs.vendor != "postgresql":
        raise SystemExit(
            "SCALE=national runs on PostgreSQL only (600,000 people): set BENCH_DATABASE_URL, "
            "e.g. BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/bastion_bench "
            "make bench SCALE=national"
        )
    only = {n for n in args.only.split(",") if n}
    pages = [FLOOR] + [p for p in PAGES if not only or p.name in only]
    jobs = [
        j
        for j in JOBS
        if (not only or j.name in only)
        and (scale.jobs is None or j.name in scale.jobs)
        and not args.skip_jobs
    ]
    DATA.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    load_before = load_average()
    say(
        f"bench {scale.name}: {dbs.describe()}; "
        f"wrk: {load.WRK or 'missing, using a Python thread pool'}; load average {load_before}"
    )
    sizes = [scale.compared, scale.measured]
    manifests = ensure_datasets(dbs, sizes)
    counted = count_queries(dbs, sizes)
    measured = measure_http(dbs, scale, pages, counted, args)
    timed = run_jobs(dbs, jobs, dataset=scale.measured if scale.name != "province" else None)
    section, notes = assemble(scale, manifests, counted, measured, timed, pages, jobs)
    if wants_load_50(scale, dbs, only, args):
        section["load_50"] = run_load_50(dbs, scale, args.load_seconds, notes)
    section["database"] = dbs.vendor
    section["load_average"] = {"before": load_before, "after": load_average()}
    if load_before[0] > 0.7:
        notes.append(
            f"the machine was busy before the run (load average {load_before[0]:.1f} on "
            f"{os.cpu_count()} cores): latency and req/s are pessimistic; rerun when idle"
        )
    report.write_results(merge_results(scale, section), RESULTS)
    targets = {
        "pages": {p.name: scale.p95_ms or p.p95_ms for p in PAGES},
        "jobs": {j.name: j.target_seconds * scale.job_factor for j in JOBS},
        "jobs_mb": {j.name: j.target_mb for j in JOBS if j.target_mb is not None},
    }
    misses = report.print_report(scale, section, targets, notes)
    say(f"\nWrote {RESULTS} in {time.monotonic() - started:.0f} s; {misses} target(s) missed.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
