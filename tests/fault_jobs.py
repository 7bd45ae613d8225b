"""Job kinds for tests that run real ``radio worker`` processes.

A worker that should know them is started as ``python -c "import fault_jobs; from radio.cli import main; main()"``
with ``tests/`` on ``PYTHONPATH`` (see ``WORKER_CODE``); in-process tests import this module directly.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

from radio.jobs import JobContext, job_handler

WORKER_CODE = "import fault_jobs; from radio.cli import main; main()"


def _log(ctx: JobContext, event: str) -> None:
    marker = ctx.payload.get("marker")
    if marker:
        with open(marker, "a") as fh:
            fh.write(f"{event} {os.getpid()} {ctx.attempt}\n")


@job_handler("test.sleep")
def sleep_job(ctx: JobContext) -> dict[str, Any]:
    """Sleep ``seconds`` (``retry_seconds`` on later attempts) in small steps; report progress if ``report``."""
    _log(ctx, "start")
    seconds = float(ctx.payload.get("seconds", 1.0))
    if ctx.attempt > 1 and "retry_seconds" in ctx.payload:
        seconds = float(ctx.payload["retry_seconds"])
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        time.sleep(0.05)
        if ctx.payload.get("report"):
            ctx.progress(1 - (deadline - time.monotonic()) / seconds)
    _log(ctx, "done")
    return {"slept": seconds, "pid": os.getpid()}


def marker_events(path: Path) -> list[tuple[str, int, int]]:
    """The (event, pid, attempt) lines a job wrote."""
    if not path.exists():
        return []
    return [(e, int(p), int(a)) for e, p, a in (line.split() for line in path.read_text().splitlines())]
