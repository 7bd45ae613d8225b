"""Prometheus metrics: request counts and latencies (per process), job and queue state (from the database).

Under gunicorn with several worker processes, start it with ``-c python:web.gunicorn_conf``: that sets
``PROMETHEUS_MULTIPROC_DIR`` so every process's request metrics are summed into one answer.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    disable_created_metrics,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector

from radio.runtime import Runtime

disable_created_metrics()  # no `_created` series: they double the output and nobody graphs them
HTTP_REGISTRY = CollectorRegistry(auto_describe=True)
REQUESTS = Counter("radio_http_requests", "HTTP requests answered, by route (URL rule), method and status.",
                   ["route", "method", "status"], registry=HTTP_REGISTRY)
LATENCY = Histogram("radio_http_request_duration_seconds", "Time to answer an HTTP request, by route and method.",
                    ["route", "method"], registry=HTTP_REGISTRY,
                    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0))


def observe_request(route: str, method: str, status: int, seconds: float) -> None:
    """Count one answered request."""
    REQUESTS.labels(route, method, str(status)).inc()
    LATENCY.labels(route, method).observe(seconds)


class StateCollector(Collector):
    """Reads job, queue and worker state at scrape time, so every process reports the same numbers."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime

    def collect(self) -> Iterator[GaugeMetricFamily]:
        """The gauges (an unreadable database yields ``radio_up 0`` instead of an error)."""
        from radio import monitor

        up = GaugeMetricFamily("radio_database_up", "1 when the database answered this scrape.")
        try:
            with self.runtime.read_session() as session:
                counts = monitor.job_counts(session)
                workers = monitor.list_workers(session)
                speed = monitor.transcription_stats(session)
        except Exception:  # noqa: BLE001 - a scrape must answer even when the database is down
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        yield up

        jobs = GaugeMetricFamily("radio_jobs", "Jobs by kind and status.", labels=["kind", "status"])
        for kind, by_status in sorted(counts.items()):
            for status in ("queued", "running", "done", "failed"):
                jobs.add_metric([kind, status], by_status.get(status, 0))
        yield jobs

        depth = monitor.queue_depth(self.runtime)
        queue = GaugeMetricFamily("radio_queue_depth", "Messages waiting in the job queue.",
                                  labels=["backend"])
        queue.add_metric([monitor.queue_backend(self.runtime)], float("nan") if depth is None else depth)
        yield queue

        states = GaugeMetricFamily("radio_workers", "Worker processes seen in the last day, by state.",
                                   labels=["state"])
        for state in ("running", "stopping", "lost", "stopped"):
            states.add_metric([state], sum(1 for w in workers if w["state"] == state))
        yield states

        rtf = GaugeMetricFamily("radio_transcription_realtime_factor",
                                "Processing time / audio duration over the latest finished transcriptions.")
        rtf.add_metric([], float("nan") if speed["rtf"] is None else speed["rtf"])
        yield rtf
        audio = GaugeMetricFamily("radio_transcription_audio_seconds",
                                  "Audio seconds in the latest finished transcriptions (the window of the factor).")
        audio.add_metric([], speed["audio_s"])
        yield audio


def render_metrics(runtime: Runtime) -> tuple[bytes, str]:
    """The exposition text and its content type."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        http_registry: Any = CollectorRegistry()
        MultiProcessCollector(http_registry)
    else:
        http_registry = HTTP_REGISTRY
    state_registry = CollectorRegistry(auto_describe=False)
    state_registry.register(StateCollector(runtime))
    return generate_latest(http_registry) + generate_latest(state_registry), CONTENT_TYPE_LATEST
