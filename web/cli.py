"""``radio serve``: the web UI, the API and an in-process worker in one process (the embedded default)."""

from __future__ import annotations

import dataclasses
import os
import signal
import socket

import click

from radio.cli import interrupt_on_sigterm, runtime_for_cli


def served_url(host: str, port: int) -> str:
    """``http://HOST:PORT`` of ``radio serve`` as clients reach it (a wildcard address names this machine)."""
    if host in ("0.0.0.0", "::", ""):  # noqa: S104 - naming the wildcard, not binding to it
        host = socket.getfqdn()
    if ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{port}"


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--no-worker", is_flag=True, help="Do not run jobs in this process.")
@click.option("--grace", default=30.0, show_default=True, help="Seconds to let running jobs finish on shutdown.")
def serve(host: str, port: int, no_worker: bool, grace: float) -> None:
    """Run the web UI, the API and an in-process worker (the embedded default)."""
    from werkzeug.serving import run_simple

    from radio.permissions import make_private, private_roots
    from radio.worker import finish_worker, start_worker
    from web import create_app

    runtime = runtime_for_cli()
    make_private(private_roots(runtime.settings))
    if not os.environ.get("RADIO_PUBLIC_URL"):  # behind a proxy the setting wins; else links point here
        runtime.settings = dataclasses.replace(runtime.settings, public_url=served_url(host, port))
    app = create_app(runtime=runtime)
    embedded = None
    if not no_worker and not runtime.settings.queue_immediate:
        embedded = start_worker(runtime, threads=runtime.settings.worker_threads, grace_s=grace, mode="serve")
        embedded[0].start()
    click.echo(f"serving on http://{host}:{port}/ (worker: {'in-process' if embedded else 'none'})")
    signal.signal(signal.SIGTERM, interrupt_on_sigterm)  # SIGTERM shuts down like Ctrl-C: jobs finish or go back
    try:
        run_simple(host, port, app, threaded=True, use_reloader=False)
    finally:
        if embedded is not None:
            finish_worker(*embedded, stopped=False)
