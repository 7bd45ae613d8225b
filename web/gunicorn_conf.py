"""gunicorn settings for production: ``gunicorn -c python:web.gunicorn_conf 'web.wsgi:app'``.

Values here are defaults; command-line flags (``-b``, ``-w``, ``--threads``) override them. Request metrics of
all worker processes are summed through ``PROMETHEUS_MULTIPROC_DIR`` (a fresh folder per server start).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

_metrics_dir = os.environ.get("PROMETHEUS_MULTIPROC_DIR") or tempfile.mkdtemp(prefix="radio-metrics-")
shutil.rmtree(_metrics_dir, ignore_errors=True)
Path(_metrics_dir).mkdir(parents=True, exist_ok=True)
os.environ["PROMETHEUS_MULTIPROC_DIR"] = _metrics_dir  # before any worker imports prometheus_client

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", "2"))
worker_class = "gthread"  # threads: uploads and slow clients do not block a whole process
threads = int(os.environ.get("GUNICORN_THREADS", "8"))
timeout = 300  # a 500 MB upload over a slow link
graceful_timeout = 30
keepalive = 5
max_requests = 5000  # recycle workers now and then; jitter keeps them from restarting together
max_requests_jitter = 500
accesslog = "-"
# The path without its query string (feed links carry their token there) and no referer: no token in the log.
access_log_format = '%(h)s %(l)s %(u)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(b)s "%(a)s" %(L)ss'
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")


def post_worker_init(worker: Any) -> None:
    """Scrub tokens from every log line of the worker (error log included)."""
    from radio import log_scrub

    log_scrub.install()


def child_exit(server: Any, worker: Any) -> None:
    """Tell the metrics collector a worker process is gone."""
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)
