"""The printed table, the targets it checks, and bench/results.json."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

from bench.databases import DATA


def fmt(value, digits: int = 1) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


def page_misses(row: dict, target_p95: float, sizes: tuple[str, str]) -> list[str]:
    misses = []
    small, large = (row[f"queries_{size}"] for size in sizes)
    if small is not None and large is not None and small != large:
        misses.append(f"queries {small} → {large}")
    if row["p95_ms"] is not None and row["p95_ms"] > target_p95:
        misses.append(f"p95 > {target_p95:g} ms")
    return misses


def job_misses(row: dict, target_seconds: float, target_mb: float | None) -> list[str]:
    misses = []
    if row["seconds"] is not None and row["seconds"] > target_seconds:
        misses.append(f"> {target_seconds:g} s")
    run_mb = row.get("run_mb")
    if target_mb is not None and run_mb is not None and run_mb > target_mb:
        misses.append(f"> {target_mb:g} MB")
    return misses


def print_report(scale, results: dict, targets: dict, notes: list[str]) -> int:
    """Print everything; return how many targets were missed."""
    sizes = (scale.compared, scale.measured)
    data = results["dataset"]
    print()
    print(
        f"Dataset ({scale.name}, {results['database']}): {scale.measured} "
        f"{data['organizations']} organizations / {data['people']} people; {scale.compared} "
        f"{data[scale.compared]['organizations']} / {data[scale.compared]['people']}"
    )
    load = results["load_average"]
    print(f"Load average (1, 5, 15 min): before {load['before']}, after {load['after']}")
    floor = results["floor"]
    print(
        f"Floor (/bench/floor/, 1 query): {fmt(floor['rps_8'])} req/s with 8 clients, "
        f"p50 {fmt(floor['p50_ms'])} ms, p95 {fmt(floor['p95_ms'])} ms"
    )
    print()
    label = f"queries {scale.compared[0].upper()}/{scale.measured[0].upper()}"
    header = (
        f"{'page':<22}{label:>12}{'p50 ms':>9}{'p95 ms':>9}{'target':>8}"
        f"{'req/s 8':>9}{'floor×':>8}  verdict"
    )
    print(header)
    print("-" * len(header))
    misses = 0
    for row in results["pages"]:
        target = targets["pages"][row["name"]]
        problems = page_misses(row, target, sizes)
        missing = row["p95_ms"] is None and row[f"queries_{scale.measured}"] is None
        verdict = (
            "not measured" if missing else ("MISS: " + "; ".join(problems) if problems else "ok")
        )
        misses += bool(problems)
        queries = "/".join(fmt(row[f"queries_{size}"]) for size in sizes)
        print(
            f"{row['name']:<22}{queries:>12}{fmt(row['p50_ms']):>9}{fmt(row['p95_ms']):>9}"
            f"{target:>8g}{fmt(row['rps_8']):>9}{fmt(row['floor_ratio'], 2):>8}  {verdict}"
        )
    print()
    header = f"{'job':<22}{'seconds':>10}{'target':>8}{'run MB':>8}{'peak MB':>9}  verdict"
    print(header)
    print("-" * len(header))
    for row in results["jobs"]:
        problems = job_misses(
            row, targets["jobs"][row["name"]], targets["jobs_mb"].get(row["name"])
        )
        verdict = "not measured" if row["seconds"] is None else "ok"
        if problems:
            verdict, misses = "MISS: " + "; ".join(problems), misses + 1
        print(
            f"{row['name']:<22}{fmt(row['seconds'], 2):>10}{targets['jobs'][row['name']]:>8g}"
            f"{fmt(row.get('run_mb')):>8}{fmt(row.get('peak_mb')):>9}  {verdict}"
        )
    print()
    print(f"Targets: queries equal at both sizes; page p95 within its target (ms, {scale.name});")
    print("         each job within its target (s), and its memory where it has one (run MB:")
    print("         the worker's peak during the run above the idle worker; peak MB: the whole")
    print("         worker's). floor× = page req/s ÷ floor req/s.")
    if scale.job_factor != 1:
        print(f"         Job targets: the province's × {scale.job_factor:g}, as the work grows.")
    for note in notes:
        print(f"  ! {note}")
    return misses


def write_results(results: dict, path: Path) -> None:
    path.write_text(json.dumps(results, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


# --- why do the query counts differ? ---------------------------------------------------------

LITERALS = re.compile(r"'(?:[^']|'')*'|\b\d+(?:\.\d+)?\b")


def query_shapes(size: str, page: str) -> Counter:
    path = DATA / "querylog" / size / f"{page}.sql"
    if not path.exists():
        return Counter()
    lines = path.read_text(encoding="utf-8").splitlines()[1:]
    return Counter(LITERALS.sub("?", line.split("  ", 1)[-1]) for line in lines)


def query_diff(page: str, small_size: str = "small", large_size: str = "large", limit: int = 5):
    """Query shapes run a different number of times at the two sizes, most different first."""
    small, large = query_shapes(small_size, page), query_shapes(large_size, page)
    extra = (large - small) + (small - large)
    out = []
    for shape, count in extra.most_common(limit):
        out.append(
            f"{count}× {small_size} {small[shape]} / {large_size} {large[shape]}: {shape[:220]}"
        )
    return out
