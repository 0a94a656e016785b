"""Gunicorn settings for Bastion: ``gunicorn -c deploy/gunicorn.conf.py bastion.wsgi``.

Used by ``make run``, the systemd units in ``deploy/`` and the benchmark's cluster, so that all
three serve the same way. Everything a machine may need to change comes from the environment:

- ``GUNICORN_BIND``: where to listen (default ``127.0.0.1:$PORT``, ``PORT`` default 8000);
  nginx in front forwards to it, so the app server never faces the network itself;
- ``GUNICORN_WORKERS`` (or ``WEB_CONCURRENCY``, the name most platforms set): worker processes,
  by default two per CPU plus one, at most ``MAX_DEFAULT_WORKERS``;
- ``GUNICORN_THREADS``: threads per worker (default 1: sync workers, one request each);
- ``GUNICORN_TIMEOUT``: seconds a request may take before its worker is restarted (long work,
  imports and reports, runs in the background worker, never in a request);
- ``GUNICORN_PRELOAD``: ``1`` imports the application once in the master before forking the
  workers (``make run``: a faster first page and less memory). Off by default, because a
  preloaded master keeps the old code on ``HUP``: the systemd unit reloads with HUP;
- ``LOG_LEVEL``: gunicorn's error log level (the same variable Django's LOGGING reads);
- ``GUNICORN_CONTROL_SOCKET``: a path for ``gunicornc``; off by default, because several
  servers on one machine (the benchmark's two) would otherwise fight over one default path.

Access and error logs go to stdout/stderr: systemd's journal or the terminal collects them.
"""

import os

# Beyond this, more processes on one machine mostly add memory and SQLite lock waits; a bigger
# installation adds app servers behind nginx instead (docs/deploy.md).
MAX_DEFAULT_WORKERS = 8


def _cpu_count() -> int:
    """CPUs this process may run on (a container or taskset limit counts, not the host's)."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def default_workers(cpus: int) -> int:
    return max(2, min(2 * cpus + 1, MAX_DEFAULT_WORKERS))


def _env_int(*names: str, default: int) -> int:
    for name in names:
        value = os.environ.get(name, "").strip()
        if value:
            return int(value)
    return default


wsgi_app = "bastion.wsgi:application"
bind = os.environ.get("GUNICORN_BIND") or f"127.0.0.1:{os.environ.get('PORT', '8000')}"
workers = _env_int("GUNICORN_WORKERS", "WEB_CONCURRENCY", default=default_workers(_cpu_count()))
threads = _env_int("GUNICORN_THREADS", default=1)
timeout = _env_int("GUNICORN_TIMEOUT", default=60)
graceful_timeout = 20
keepalive = 5
# A worker is replaced after this many requests (with jitter, so they do not all restart at
# once): memory a long-running process slowly gathers is given back.
max_requests = 2000
max_requests_jitter = 200

preload_app = os.environ.get("GUNICORN_PRELOAD", "").strip().lower() in {"1", "true", "yes", "on"}

accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info").lower()
proc_name = "bastion"

# The worker heartbeat file lives in memory where there is one (a slow disk stalls heartbeats).
if os.path.isdir("/dev/shm"):
    worker_tmp_dir = "/dev/shm"

if os.environ.get("GUNICORN_CONTROL_SOCKET"):
    control_socket = os.environ["GUNICORN_CONTROL_SOCKET"]
else:
    control_socket_disable = True


def pre_fork(server, worker):
    """A preloaded master may have opened a database connection while importing: it is closed
    before each fork, so that no worker inherits (and shares) its socket. Without preload the
    master never loaded Django (its settings may not even be configured): nothing to close."""
    if not server.cfg.preload_app:
        return
    from django.db import connections

    connections.close_all()
