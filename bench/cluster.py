"""``load_50``: the documented topology on this machine, loaded, with every job checked for once.

    .venv/bin/python bench/cluster.py [--database-url postgres://…/bench_large] [--seconds 60]

On a scratch copy of the province dataset (PostgreSQL; ``--database-url`` names the built
dataset, else ``BENCH_DATABASE_URL`` as ``make bench`` does) it starts what docs/deploy.md
describes: nginx with ``deploy/nginx/bastion.conf`` (its marked values replaced by this
machine's ports, paths and a self-signed certificate, TLS, HSTS and all), two gunicorn app
servers of two workers each, and two task workers. Then 50 clients for 60 s over a mix of pages
and API writes (bench/load_mix.py), while background jobs are queued as production queues them:
a people import (validate, then commit), a bulletin (通报), and the daily run (``agenda_daily``:
alarms, reminders, digests by inbox, e-mail and robot) fired by two cron hosts at once. E-mail
goes to a local SMTP sink and robot messages to a local HTTP sink, so each one sent is counted.

``measure_load_50(...)`` returns the figures: requests, req/s, errors (non-2xx/3xx and lost
requests; must be 0), latency percentiles, the jobs run (each by exactly one worker) and the
duplicates found (messages, e-mails, robot posts, escalations; must be 0).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
if sys.path[0] == str(Path(__file__).resolve().parent):
    sys.path[0] = str(ROOT)  # import bench.* as a package, and never shadow the standard library

from bench import load  # noqa: E402
from bench.cluster_sinks import MailSink, WebhookSink  # noqa: E402
from bench.load_mix import MixRequest, access_log_statuses, run_wrk  # noqa: E402

NGINX_SITE = ROOT / "deploy" / "nginx" / "bastion.conf"
GUNICORN_CONF = ROOT / "deploy" / "gunicorn.conf.py"
APP_SERVERS, APP_WORKERS, TASK_WORKERS = 2, 2, 2
JOBS_TIMEOUT = 900  # seconds to wait, after the load, for the queue to drain


def say(message: str) -> None:
    print(f"[load_50] {message}", flush=True)


# --- nginx: the production file with this machine's values ---------------------------------------


def render_site(
    text: str, *, app_ports, http_port, https_port, cert, key, static_root, logs
) -> str:
    """``deploy/nginx/bastion.conf`` with every value marked CHANGE replaced; each replacement
    must match, so a change to the file that this test would no longer exercise fails here."""
    servers = "".join(
        f"    server 127.0.0.1:{port} max_fails=3 fail_timeout=10s;\n" for port in app_ports
    )
    steps = [
        (r"(?m)^    server \S+:\d+ .*# CHANGE: app server 1\n", servers),
        (r"(?m)^    server \S+:\d+ .*# CHANGE: app server 2\n", ""),
        (r"(?m)^    listen 80;.*$", f"    listen 127.0.0.1:{http_port};"),
        (r"(?m)^    listen \[::\]:80;\n", ""),  # no IPv6 needed on the loopback
        (r"(?m)^    listen 443 ssl http2;.*$", f"    listen 127.0.0.1:{https_port} ssl http2;"),
        (r"(?m)^    listen \[::\]:443 ssl http2;\n", ""),
        (r"(?m)^    ssl_certificate \S+;.*$", f"    ssl_certificate {cert};"),
        (r"(?m)^    ssl_certificate_key \S+;.*$", f"    ssl_certificate_key {key};"),
        (r"(?m)^    access_log \S+;.*$", f"    access_log {logs}/access.log;"),
        (r"(?m)^    error_log \S+ warn;.*$", f"    error_log {logs}/error.log warn;"),
        (r"(?m)^        alias \S+;.*$", f"        alias {static_root}/;"),
    ]
    for pattern, replacement in steps:
        text, found = re.subn(pattern, replacement, text)
        if found != 1:
            raise RuntimeError(f"{NGINX_SITE}: expected one match of {pattern!r}, found {found}")
    return text


def main_conf(tmp: Path, site: Path) -> str:
    """The ``nginx.conf`` around the site, as Debian's includes sites-enabled/ inside ``http``."""
    temp = "\n".join(
        f"    {kind}_temp_path {tmp}/{kind}_temp;"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    user = "user root;\n" if os.geteuid() == 0 else ""  # the temp files stay ours
    return f"""{user}worker_processes 2;
pid {tmp}/nginx.pid;
error_log {tmp}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    sendfile on;
    keepalive_timeout 65;
{temp}
    include {site};
}}
"""


def self_signed(tmp: Path) -> tuple[Path, Path]:
    cert, key = tmp / "bastion.crt", tmp / "bastion.key"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2"]
        + ["-subj", "/CN=localhost", "-keyout", str(key), "-out", str(cert)],
        check=True,
        capture_output=True,
    )
    return cert, key


# --- processes -------------------------------------------------------------------------------


class Processes:
    """Everything started here, stopped in reverse order (each by its own pid)."""

    def __init__(self, logs: Path):
        self.logs = logs
        self.running: list[tuple[str, subprocess.Popen]] = []

    def start(self, name: str, command: list[str], env: dict) -> subprocess.Popen:
        out = (self.logs / f"{name}.log").open("ab")
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
        self.running.append((name, process))
        return process

    def check_alive(self) -> None:
        for name, process in self.running:
            if process.poll() is not None:
                raise RuntimeError(f"{name} exited with {process.returncode}; see {self.logs}")

    def stop(self) -> None:
        for _name, process in reversed(self.running):
            if process.poll() is None:
                process.terminate()
        for _name, process in reversed(self.running):
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        self.running.clear()


def python_command(*args: str) -> list[str]:
    return [sys.executable, *args]


def gunicorn_command(port: int) -> list[str]:
    command = [str(Path(sys.executable).with_name("gunicorn"))]
    if GUNICORN_CONF.exists():
        command += ["-c", str(GUNICORN_CONF)]
    # The command line wins over the config file: this machine's port and worker count.
    command += ["bastion.wsgi", "--workers", str(APP_WORKERS), "--bind", f"127.0.0.1:{port}"]
    return command + ["--timeout", "120", "--log-level", "warning"]


def worker_command(n: int) -> list[str]:
    """``manage.py worker`` (the documented one) when it exists, else django-tasks' own."""
    own = any((ROOT / "bastion").glob("*/management/commands/worker.py"))
    command = "worker" if own else "db_worker"
    return python_command("manage.py", command, "--worker-id", f"cluster-{n}")


def wait_for(check, what: str, timeout: float, processes: Processes | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if processes:
            processes.check_alive()
        try:
            if check():
                return
        except OSError:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"{what} not ready within {timeout:.0f} s")


def https_request(port: int, method: str, path: str, body: dict | None = None, headers=None):
    import http.client
    import ssl

    context = ssl._create_unverified_context()  # noqa: S323 - our own self-signed certificate
    conn = http.client.HTTPSConnection("127.0.0.1", port, context=context, timeout=60)
    try:
        data = json.dumps(body).encode() if body is not None else None
        sent = {"Content-Type": "application/json", **(headers or {})} if data else headers or {}
        conn.request(method, path, body=data, headers=sent)
        response = conn.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        conn.close()


# --- databases -------------------------------------------------------------------------------


def with_db(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


def clone_database(source_url: str, suffix: str = "_load50") -> str:
    """A scratch copy (``CREATE DATABASE … TEMPLATE``) that the load may write to."""
    import psycopg

    source = urlsplit(source_url).path.lstrip("/")
    target = f"{source}{suffix}"
    with psycopg.connect(with_db(source_url, "postgres"), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{target}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{target}" TEMPLATE "{source}"')
    return with_db(source_url, target)


def drop_database(url: str) -> None:
    import psycopg

    name = urlsplit(url).path.lstrip("/")
    with psycopg.connect(with_db(url, "postgres"), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def django_step(env: dict, step: str, logs: Path, *args: str) -> dict:
    """Run one of this module's steps inside Django (``python bench/cluster.py _<step>``)."""
    out = logs / f"{step}.json"
    out.unlink(missing_ok=True)
    with (logs / f"{step}.log").open("ab") as log:
        done = subprocess.run(
            python_command(str(Path(__file__)), f"_{step}", str(out), *args),
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            check=False,
        )
    if done.returncode or not out.exists():
        raise RuntimeError(f"step {step} exited with {done.returncode}; see {logs}/{step}.log")
    return json.loads(out.read_text(encoding="utf-8"))


# --- the measurement -------------------------------------------------------------------------


def measure_load_50(
    *,
    database_url: str,
    seconds: int = 60,
    clients: int = 50,
    keep: bool = False,
    log_dir: Path | None = None,
    drain_seconds: int = JOBS_TIMEOUT,
) -> dict:
    """load_50 on a scratch copy of the PostgreSQL dataset at ``database_url`` (see the module
    docstring). ``keep``: leave the scratch database and the logs for a look afterwards;
    ``drain_seconds``: how long the jobs may take after the load before they are counted."""
    if not database_url.startswith(("postgres://", "postgresql://")):
        raise ValueError("load_50 runs on PostgreSQL: pass the URL of the built large dataset")
    tmp = Path(log_dir or tempfile.mkdtemp(prefix="bastion-load50-"))
    tmp.mkdir(parents=True, exist_ok=True)
    tmp.chmod(0o755)
    say(f"logs in {tmp}; cloning the dataset")
    scratch = clone_database(database_url)
    processes = Processes(tmp)
    mail, hook = MailSink(), WebhookSink()
    try:
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "bastion.settings_bench",
            "BENCH_DATABASE_URL": scratch,
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(mail.port),
            "BASTION_WEBHOOK_URL": f"http://127.0.0.1:{hook.port}/robot",
            "PYTHONUNBUFFERED": "1",
        }
        django_step(env, "migrate", tmp)
        data = django_step(env, "prepare", tmp, str(tmp))
        return _run(
            env,
            data,
            processes,
            tmp,
            mail,
            hook,
            seconds=seconds,
            clients=clients,
            drain_seconds=drain_seconds,
        )
    finally:
        processes.stop()
        mail.close()
        hook.close()
        if not keep:
            drop_database(scratch)


def _run(env, data, processes, tmp, mail, hook, *, seconds, clients, drain_seconds) -> dict:
    app_ports = [load.free_port() for _ in range(APP_SERVERS)]
    http_port, https_port = load.free_port(), load.free_port()
    cert, key = self_signed(tmp)
    site = tmp / "bastion.conf"
    site.write_text(
        render_site(
            NGINX_SITE.read_text(encoding="utf-8"),
            app_ports=app_ports,
            http_port=http_port,
            https_port=https_port,
            cert=cert,
            key=key,
            static_root=data["static_root"],
            logs=tmp,
        ),
        encoding="utf-8",
    )
    conf = tmp / "nginx.conf"
    conf.write_text(main_conf(tmp, site), encoding="utf-8")
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    subprocess.run([nginx, "-t", "-p", str(tmp), "-c", str(conf)], check=True, capture_output=True)
    for n, port in enumerate(app_ports, 1):
        processes.start(f"gunicorn-{n}", gunicorn_command(port), env)
    for n in range(1, TASK_WORKERS + 1):
        processes.start(f"worker-{n}", worker_command(n), env)
    processes.start("nginx", [nginx, "-p", str(tmp), "-c", str(conf), "-g", "daemon off;"], env)
    for port in app_ports:
        wait_for(lambda p=port: load.get(p, "/healthz", "")[0] < 500, "gunicorn", 300, processes)
    wait_for(lambda: https_request(https_port, "GET", "/healthz")[0] == 200, "nginx", 60)
    front = _front_checks(http_port, https_port, data)
    say(f"up: nginx :{https_port} (TLS) → gunicorn {app_ports}, {TASK_WORKERS} workers")

    token = _token(https_port, data)
    mix = _mix(data, token)
    _warm(https_port, mix)
    access_log = tmp / "access.log"
    access_log.write_bytes(b"")  # count only the load's requests (nginx appends)
    jobs = _start_jobs(env, processes, tmp, data)
    say(f"{clients} clients for {seconds} s over {len(mix)} requests; jobs queued meanwhile")
    measured = run_wrk(
        f"https://127.0.0.1:{https_port}",
        mix,
        seconds=seconds,
        clients=clients,
        script=tmp / "mix.lua",
    )
    load_average = round(os.getloadavg()[0], 2)
    statuses = access_log_statuses(access_log, mix)
    say(f"load done: {measured['requests']} requests, {measured['rps']} req/s; draining the queue")
    drain_until = time.monotonic() + drain_seconds
    for name, process in jobs:
        try:
            process.wait(timeout=max(1, drain_until - time.monotonic()))
        except subprocess.TimeoutExpired:
            process.terminate()  # its job is still queued or running: counted as such below
            process.wait()
        else:
            if process.returncode:
                raise RuntimeError(f"{name} exited with {process.returncode}; see {tmp}/{name}.log")
    left = max(1, round(drain_until - time.monotonic()))
    drained = django_step(env, "drain", tmp, str(left))
    sinks = json.dumps({"mail": mail.summary(), "robot": hook.summary()})
    checked = django_step(env, "check", tmp, sinks)
    checked["jobs"].update(drained)
    errors = measured["non_2xx_3xx"] + measured["socket_errors"]
    return {
        "name": "load_50",
        "topology": (
            f"nginx (TLS, {NGINX_SITE.relative_to(ROOT)}) → {APP_SERVERS} gunicorn × "
            f"{APP_WORKERS} workers; {TASK_WORKERS} task workers; PostgreSQL"
        ),
        "clients": clients,
        "seconds": seconds,
        "requests": measured["requests"],
        "rps": measured["rps"],
        "errors": errors,
        "non_2xx_3xx": measured["non_2xx_3xx"],
        "timeouts": measured["timeouts"],  # no answer within wrk's 30 s
        "socket_errors": measured["socket_errors"],
        "p50_ms": measured["p50_ms"],
        "p95_ms": measured["p95_ms"],
        "p99_ms": measured["p99_ms"],
        "max_ms": measured["max_ms"],
        "statuses": statuses["statuses"],
        "failing": statuses["failing"],
        "mix": [f"{r.method} {r.name}" for r in mix],
        "front": front,
        "jobs": checked["jobs"],
        "delivered": checked["delivered"],
        "duplicates": checked["duplicates"],
        "duplicate_detail": checked["duplicate_detail"],
        "load_average": load_average,
    }


def _front_checks(http_port: int, https_port: int, data: dict) -> dict:
    """What the nginx file promises: HTTP redirects, HSTS, uploads not served."""
    import http.client

    conn = http.client.HTTPConnection("127.0.0.1", http_port, timeout=10)
    conn.request("GET", "/healthz")
    redirect = conn.getresponse()
    redirect.read()
    conn.close()
    status, headers, _body = https_request(https_port, "GET", "/healthz")
    media_status, _h, _b = https_request(https_port, "GET", data["media_probe"])
    checks = {
        "http_redirects": redirect.status == 301
        and redirect.getheader("Location", "").startswith("https://"),
        "hsts": "max-age=31536000" in headers.get("Strict-Transport-Security", ""),
        "media_not_served": media_status == 404,
    }
    if not all(checks.values()):
        raise RuntimeError(f"the nginx site does not do what it says: {checks}")
    return checks


def _warm(https_port: int, mix: list[MixRequest]) -> None:
    """Each page once per app worker before the clock starts: a fresh gunicorn worker loads
    Django's URL resolvers, templates and translations on its first requests."""
    from concurrent.futures import ThreadPoolExecutor

    pages = [r for r in mix if r.method == "GET"] * (APP_SERVERS * APP_WORKERS)
    with ThreadPoolExecutor(APP_SERVERS * APP_WORKERS) as pool:
        list(pool.map(lambda r: https_request(https_port, "GET", r.path, headers=r.headers), pages))


def _token(https_port: int, data: dict) -> str:
    """A token from the API's own door, through nginx, as a script would get one."""
    body = {"username": data["username"], "password": data["password"], "name": "load_50"}
    status, _headers, raw = https_request(https_port, "POST", "/api/v1/auth/token/", body)
    if status != 200:
        raise RuntimeError(f"POST /api/v1/auth/token/ answered {status}: {raw[:300]!r}")
    return json.loads(raw)["token"]


def _mix(data: dict, token: str) -> list[MixRequest]:
    """Eight pages (session cookie) and API reads, and 2 writes in 10 (token: no CSRF)."""
    cookie = {"Cookie": data["cookie"]}
    api = {"Authorization": f"Token {token}", "Accept": "application/json"}
    write = {**api, "Content-Type": "application/json"}
    pages = [MixRequest(name, "GET", url, cookie) for name, url in data["pages"]]
    reads = [MixRequest(name, "GET", url, api) for name, url in data["api_reads"]]
    problem = MixRequest(
        "api_problem_create", "POST", "/api/v1/problems/", write, json.dumps(data["problem"])
    )
    reads_of_notes = [
        MixRequest(f"api_notification_read_{n}", "POST", f"/api/v1/notifications/{pk}/read/", write)
        for n, pk in enumerate(data["notification_ids"][:2])
    ]
    mix = pages[:4] + [problem] + pages[4:] + reads + [reads_of_notes[0]]
    return mix if len(reads_of_notes) < 2 else [*mix, *pages[:2], reads_of_notes[1]]


def _start_jobs(env, processes: Processes, tmp: Path, data: dict) -> list:
    """Two cron hosts firing the daily run at the same moment, and a person's import and
    bulletin, all queued while the load runs."""
    day = ["--date", data["day"]]
    started = [
        (
            f"cron-{n}",
            processes.start(f"cron-{n}", python_command("manage.py", "agenda_daily", *day), env),
        )
        for n in (1, 2)
    ]
    out = tmp / "jobs.json"
    command = python_command(str(Path(__file__)), "_jobs", str(out), json.dumps(data))
    started.append(("jobs", processes.start("jobs", command, env)))
    return started


# --- steps inside Django ---------------------------------------------------------------------


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0].startswith("_"):
        from bench import cluster_steps

        step, out, *rest = argv
        result = getattr(cluster_steps, step[1:])(*rest)
        Path(out).write_text(json.dumps(result, ensure_ascii=False, default=str), encoding="utf-8")
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", help="the built large dataset (PostgreSQL)")
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--keep", action="store_true", help="keep the scratch database")
    parser.add_argument("--log-dir", type=Path)
    parser.add_argument("--drain-seconds", type=int, default=JOBS_TIMEOUT)
    args = parser.parse_args(argv)
    url = args.database_url or _bench_large_url()
    result = measure_load_50(
        database_url=url,
        seconds=args.seconds,
        clients=args.clients,
        keep=args.keep,
        log_dir=args.log_dir,
        drain_seconds=args.drain_seconds,
    )
    print(json.dumps(result, ensure_ascii=False, indent=2))


def _bench_large_url() -> str:
    """``make bench``'s large PostgreSQL dataset (BENCH_DATABASE_URL), built if missing."""
    from bench.databases import PostgresDatabases, databases

    dbs = databases()
    if not isinstance(dbs, PostgresDatabases):
        raise SystemExit(
            "load_50 runs on PostgreSQL: pass --database-url or set BENCH_DATABASE_URL"
        )
    dbs.create_if_missing("large")
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "ensure.json"
        env = {**os.environ, **dbs.env("large"), "DJANGO_SETTINGS_MODULE": "bastion.settings_bench"}
        subprocess.run(
            python_command("-m", "bench.worker", "ensure", "large", str(out)),
            cwd=ROOT,
            env=env,
            check=True,
        )
    return dbs.url(dbs.db_name("large"))


if __name__ == "__main__":
    main()
