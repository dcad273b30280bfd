"""gunicorn settings for `make serve` and the container (docs/scaling.md, "One machine").

Every value can be overridden from the environment; the defaults follow the formula below.

Workers and threads: ``WEB_CONCURRENCY`` processes (default ``2 x cores + 1``, gunicorn's own
rule of thumb: while one worker waits on PostgreSQL another can use the core), each serving one
request at a time (the sync worker; ``GUNICORN_THREADS`` above 1 selects the gthread worker with
that many threads). Cores are those this process may run on (``sched_getaffinity``: a
container's or taskset's limit, not the host's).

Why sync (issue #20 item 4, measured in session 8, docs/performance.md): under the closed-loop
load test the gthread worker kept each client's keep-alive connection in the process that
accepted it, so who was served depended on which clients happened to share a process: p95
220-310 ms, and 104.5-132.9 requests/s on the same code and data. A sync worker accepts a
connection only when it is free, so requests are served in the order they arrive: p95 170-190 ms
in every run, at the same throughput within the runs' spread (102.6-118.6 requests/s; the mix
is then served as weighted, PDFs included). It needs what gunicorn asks of sync workers: a
buffering reverse proxy (nginx, or any proxy that reads the whole request and response) in
front of anything reachable over a network, so that a slow client holds the proxy, not a
process. Facing clients directly, set ``GUNICORN_THREADS=2``.
"""

from __future__ import annotations

import gc
import os
from pathlib import Path
from typing import Any


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # macOS has no sched_getaffinity
        return os.cpu_count() or 1


def _int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


cores = _cores()
workers = _int("WEB_CONCURRENCY", 2 * cores + 1)
threads = _int("GUNICORN_THREADS", 1)
worker_class = "gthread" if threads > 1 else "sync"

# 127.0.0.1 by default: on one machine a reverse proxy (TLS) sits in front. The container sets
# BIND=0.0.0.0:8000.
bind = os.environ.get("BIND") or f"127.0.0.1:{_int('PORT', 8000)}"

# A sync worker busy with one request for this long is killed and restarted, the request with
# it (gthread's main thread keeps its worker alive instead). The longest requests are exports
# built in the request: a PDF up to EXPORT_PDF_ASYNC_THRESHOLD events (~6 s on a quiet machine;
# larger ones are Celery jobs) and the CSV, XLSX and JSON files, which always are (a streamed CSV
# takes ~20 s per million events): raise GUNICORN_TIMEOUT for incidents of millions of events.
timeout = _int("GUNICORN_TIMEOUT", 60)
# On SIGTERM, running requests get this long to finish (honcho sends SIGKILL after 5 s anyway).
graceful_timeout = _int("GUNICORN_GRACEFUL_TIMEOUT", 20)
# Idle keep-alive connections stay open longer than a client's pause between requests (and than
# a load balancer's idle timeout, typically 60 s): a server that closes first races the client's
# next request on the same socket, which then sees a connection reset (found by manage.py soak
# with 5 s against 2-6 s of think time). gthread parks idle connections without using a thread;
# the sync worker (the default) closes each connection after its response and ignores this.
keepalive = _int("GUNICORN_KEEPALIVE", 75)

# The application is loaded once, in the master, and the workers are forked from it, warmed up
# (config/warmup.py: URLconf and views imported, translations loaded, templates compiled): a
# worker, and each replacement after max_requests, starts ready instead of spending ~1.3 s of CPU
# on its first requests, and the processes share those pages of memory. Code changes then need a
# restart (make serve restarts everything), not a HUP. GUNICORN_PRELOAD=false turns it off.
preload_app = os.environ.get("GUNICORN_PRELOAD", "true").strip().lower() not in {"0", "false", "no"}


def when_ready(server: object) -> None:
    """After the master has loaded the application and before it forks the workers."""
    if preload_app:
        from config.warmup import warm_up  # why here: needs the application (Django) loaded

        warm_up()
        # Everything loaded so far (Django, the views, templates, catalogues: ~185,000 objects)
        # lives as long as the process: moved out of the garbage collector's reach, the workers'
        # collections stop scanning it (measured: GC from 6.7 % to 3.1 % of a request's CPU,
        # docs/performance.md) and stop writing to those pages, which stay shared with the master.
        gc.freeze()


# Recycle each worker after about this many requests, at staggered times (jitter) so they never
# all restart at once: bounds the effect of any slow memory growth (WeasyPrint, caches). Not
# much lower: a new worker compiles its query plans and refills its caches again (at 1,000, under
# the closed-loop load test each worker restarted about once a minute, ~2 s of CPU per minute).
max_requests = _int("GUNICORN_MAX_REQUESTS", 10000)
max_requests_jitter = _int("GUNICORN_MAX_REQUESTS_JITTER", 1000)

# Trust X-Forwarded-* only from the local proxy unless told otherwise.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")

# The worker heartbeat file: on tmpfs where there is one (a container's overlay disk can stall).
# gunicorn creates it with mkstemp and unlinks it at once, so a shared directory is fine.
_SHM = "/dev/shm"  # noqa: S108  # nosec B108
if Path(_SHM).is_dir():
    worker_tmp_dir = _SHM

# gunicorn's control socket (gunicornc, since 25.1) is not used here; its default path is one per
# user ($HOME/.gunicorn/gunicorn.ctl), so every gunicorn started by that user on the machine (two
# installations, or a load test's second server) would take it over from the others, and a
# master's shutdown waited up to 4 s for its thread.
control_socket_disable = True

# One line per request, on standard output by default (honcho or the container runtime collects
# it). GUNICORN_ACCESS_LOG=path writes it to a file instead, and "off" leaves it to the proxy in
# front, which logs every request anyway (one closed-loop run without it: 122.3 requests/s,
# against 102.6-118.6 with it; its lines pass through honcho's pipe, ~2 CPU-s a minute there).
_access_log = os.environ.get("GUNICORN_ACCESS_LOG", "-").strip() or "-"
accesslog = None if _access_log.lower() in {"off", "none", "false", "0"} else _access_log
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
proc_name = "incident-clock-web"


# PR_SET_PDEATHSIG (linux/prctl.h): the signal a process gets when its parent dies.
_PR_SET_PDEATHSIG = 1


def post_worker_init(worker: object) -> None:
    """In each worker once it is ready to serve: stop with the master.

    A sync worker looks for its master only between requests, when its wait for a connection
    times out (``timeout / 2``, 30 s): a master that was killed left its workers serving and
    holding honcho's pipe for that long, so ``make serve`` neither restarted nor stopped (the
    gthread worker looks every second). Linux sends SIGTERM (a graceful stop: the request in
    hand is finished) to a worker the moment its master dies; elsewhere nothing changes. Here
    rather than in ``post_fork``: gunicorn has set the worker's own signal handlers by now, and
    a change of user (``user``/``group``) would have cleared the setting. A master that died
    before this call is seen by the worker itself, which checks its parent before its first wait.
    """
    import ctypes  # why here: only the workers need it, once
    import signal  # why here: as above

    try:
        prctl = ctypes.CDLL(None, use_errno=True).prctl
    except (AttributeError, OSError):  # not Linux
        return
    prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


def post_request(worker: Any, req: object, environ: dict[str, Any], resp: object) -> None:
    """After each response: a worker that built a PDF at a lower priority and may not raise it
    again (exports/priority.py) stops here, gracefully; the master starts a fresh one."""
    from exports.priority import RETIRE_WORKER  # why here: the application is loaded by now

    if environ.get(RETIRE_WORKER):
        worker.alive = False
