"""Pausing Python's cyclic garbage collector around a build that allocates many small, acyclic objects.

A whole-year reach report makes tens of thousands of rows, tuples and tallies; each time enough of them pile
up the collector walks every tracked object of the process (the app, SQLAlchemy's registries, the rows), which
measured ~130 ms of a ~650 ms report (tests/benchmarks/bench_reports.py). Nothing such a build allocates needs
the cyclic collector to be freed (reference counting frees it), so the collector is paused for the build and
resumed after; cycles made meanwhile are collected at the next collection. The pause is counted, so
overlapping builds in threads resume it only when the last one ends, and it never turns on a collector that was
off.
"""

from __future__ import annotations

import contextlib
import gc
import threading
from collections.abc import Iterator

_lock = threading.Lock()
_paused = 0
_resume = False  # whether the collector was on when the first pause began


@contextlib.contextmanager
def collection_paused() -> Iterator[None]:
    """Run the block with the cyclic garbage collector off (reference counting still frees everything)."""
    global _paused, _resume
    with _lock:
        if _paused == 0:
            _resume = gc.isenabled()
            gc.disable()
        _paused += 1
    try:
        yield
    finally:
        with _lock:
            _paused -= 1
            if _paused == 0 and _resume:
                gc.enable()
