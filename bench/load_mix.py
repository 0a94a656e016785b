"""The request mix of ``load_50`` (bench/cluster.py): pages and API writes, and wrk to play it.

``MixRequest`` rows become a wrk Lua script: each wrk thread walks the list round-robin (each from
its own offset, so the 50 connections are spread over the mix), and ``done()`` prints the
summary in lines starting ``LOADMIX`` that ``parse_wrk`` reads. Which request failed is counted
from nginx's access log, not here: a wrk thread's Lua state cannot tell which of its
connections a response belongs to.
"""

from __future__ import annotations

import json
import re
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from bench.load import WRK


@dataclass(frozen=True)
class MixRequest:
    name: str
    method: str
    path: str
    headers: dict = field(default_factory=dict)
    body: str = ""


def _lua_string(value: str) -> str:
    return json.dumps(value, ensure_ascii=True)  # a JSON string literal is a valid Lua literal


def lua_script(requests: list[MixRequest]) -> str:
    rows = []
    for r in requests:
        headers = ", ".join(f"[{_lua_string(k)}] = {_lua_string(v)}" for k, v in r.headers.items())
        body = _lua_string(r.body) if r.body else "nil"
        rows.append(
            f"  {{method = {_lua_string(r.method)}, path = {_lua_string(r.path)}, "
            f"headers = {{{headers}}}, body = {body}}},"
        )
    return LUA.replace("--REQUESTS--", "\n".join(rows))


LUA = """
local mix = {
--REQUESTS--
}
local threads = {}
local made = 0

function setup(thread)
  thread:set("offset", made * 5)
  made = made + 1
  table.insert(threads, thread)
end

function init(args)
  n = offset
end

function request()
  n = n + 1
  local r = mix[(n % #mix) + 1]
  return wrk.format(r.method, r.path, r.headers, r.body)
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "LOADMIX requests=%d duration_us=%d connect=%d read=%d write=%d status=%d timeout=%d\\n",
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout))
  io.write(string.format("LOADMIX p50_us=%d p95_us=%d p99_us=%d max_us=%d\\n",
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max))
end
"""


def run_wrk(
    base_url: str, requests: list[MixRequest], *, seconds: int, clients: int, script: Path
) -> dict:
    """wrk with ``clients`` connections for ``seconds`` over the mix; its summary as a dict."""
    if WRK is None:
        raise RuntimeError("wrk is not installed (apt-get install wrk)")
    script.write_text(lua_script(requests), encoding="utf-8")
    command = [WRK, "-t2", f"-c{clients}", f"-d{seconds}s", "--timeout", "30s"]
    command += ["-s", str(script), base_url]
    done = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 120)
    script.with_suffix(".out").write_text(done.stdout + done.stderr, encoding="utf-8")
    return parse_wrk(done.stdout + done.stderr)


def parse_wrk(out: str) -> dict:
    values: dict[str, int] = {}
    for key, value in re.findall(r"(\w+)=(\d+)", " ".join(re.findall(r"LOADMIX (.*)", out))):
        values[key] = int(value)
    if "requests" not in values:
        raise RuntimeError(f"unreadable wrk output: {out[-500:]!r}")
    seconds = values["duration_us"] / 1e6
    return {
        "requests": values["requests"],
        "rps": round(values["requests"] / seconds, 1) if seconds else None,
        # Over HTTP/1.1 keep-alive to nginx a read error is a lost request, not a closed socket.
        "socket_errors": sum(values[k] for k in ("connect", "read", "write", "timeout")),
        "timeouts": values["timeout"],
        "non_2xx_3xx": values["status"],
        "p50_ms": round(values["p50_us"] / 1000, 1),
        "p95_ms": round(values["p95_us"] / 1000, 1),
        "p99_ms": round(values["p99_us"] / 1000, 1),
        "max_ms": round(values["max_us"] / 1000, 1),
    }


ACCESS_LINE = re.compile(r'"(?P<method>[A-Z]+) (?P<path>\S+) HTTP/[\d.]+" (?P<status>\d{3}) ')


def access_log_statuses(log: Path, requests: list[MixRequest]) -> dict:
    """From nginx's access log (combined format): requests per status, and the failing ones
    (status >= 400) per mix request name."""
    by_path = {(r.method, r.path): r.name for r in requests}
    statuses: dict[str, int] = {}
    failing: dict[str, int] = {}
    for line in log.read_text(encoding="utf-8", errors="replace").splitlines():
        match = ACCESS_LINE.search(line)
        if not match:
            continue
        status = match["status"]
        statuses[status] = statuses.get(status, 0) + 1
        # 499: wrk hung up on a request still in flight when its time was up (not an error).
        if int(status) >= 400 and status != "499":
            name = by_path.get((match["method"], match["path"]), match["path"])
            key = f"{name} {status}"
            failing[key] = failing.get(key, 0) + 1
    return {"statuses": dict(sorted(statuses.items())), "failing": failing}
