"""The ``radio`` command line."""

from __future__ import annotations

import logging
import os
import secrets
import sys
from typing import Any

import click
from sqlalchemy import select

from radio.config import SettingsError
from radio.errors import DomainError
from radio.permissions import make_private, private_roots
from radio.runtime import Runtime, get_runtime


class RadioGroup(click.Group):
    """Adds the features' commands on first use; turns domain and settings errors into a message and exit 1."""

    _features_added = False

    def _add_feature_commands(self) -> None:
        # Lazily: importing the features imports their CLI modules, which import this one.
        if not self._features_added:
            from radio.features import commands

            self._features_added = True
            for command in commands():
                self.add_command(command)

    def list_commands(self, ctx: click.Context) -> list[str]:
        self._add_feature_commands()
        return super().list_commands(ctx)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        self._add_feature_commands()
        return super().get_command(ctx, cmd_name)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (DomainError, SettingsError) as exc:
            message = exc.message if isinstance(exc, DomainError) else str(exc)
            click.echo(f"error: {message}", err=True)
            sys.exit(1)


@click.group(cls=RadioGroup)
@click.option("-v", "--verbose", is_flag=True, help="Log more.")
def main(verbose: bool) -> None:
    """Ashshash Radio: episode library, Whisper evidence transcripts and broadcast calendars."""
    logging.basicConfig(level=logging.DEBUG if verbose else logging.WARNING,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")


def runtime_for_cli(*, require_current: bool = True) -> Runtime:
    """The runtime for a command; refuses to run on a database that `radio init` has not brought up to date."""
    runtime = get_runtime()
    if require_current:
        from radio.migrate import is_current

        if not is_current(runtime.engine):
            raise click.ClickException("the database is not initialised or is out of date: run `radio init`")
    return runtime


@main.command()
@click.option("--admin-email", default="admin@localhost.localdomain", show_default=True)
@click.option("--skip-model", is_flag=True, help="Do not prepare the Whisper model now.")
def init(admin_email: str, skip_model: bool) -> None:
    """Create or upgrade the database; create the first admin and print its token once."""
    from radio.auth import create_user, issue_token
    from radio.migrate import upgrade
    from radio.models import Role, User

    runtime = get_runtime()
    make_private(private_roots(runtime.settings))  # survivor audio and the database: the service user's only
    upgrade(runtime.engine)
    click.echo(f"database ready: {runtime.engine.url.render_as_string(hide_password=True)}")
    with runtime.session() as session:
        if session.scalar(select(User.id).where(User.role == Role.ADMIN).limit(1)) is None:
            password = secrets.token_urlsafe(12)
            admin = create_user(session, admin_email, Role.ADMIN, name="Administrator", password=password)
            token = issue_token(session, admin, "init")
            click.echo(f"admin created: {admin.email} (web login password: {password})")
            click.echo(f"admin API token (shown once): {token}")
        else:
            click.echo("an admin exists already; no new token printed")
    if not skip_model:
        from radio.features import hook

        for prepare in hook("prepare_instance"):  # e.g. transcripts assembles and checks the Whisper model
            prepare(runtime, click.echo)


def interrupt_on_sigterm(signum: int, frame: Any) -> None:
    """A SIGTERM handler that shuts down like Ctrl-C (running jobs finish or go back to the queue)."""
    raise KeyboardInterrupt


@main.command()
@click.option("--threads", type=int, default=None, help="Jobs at once (default RADIO_WORKER_THREADS).")
@click.option("--grace", default=30.0, show_default=True,
              help="On SIGTERM, seconds to let running jobs finish before handing them back to the queue.")
def worker(threads: int | None, grace: float) -> None:
    """Run queued jobs (transcription, analysis) until stopped; SIGTERM finishes or releases running jobs."""
    from radio.worker import run_worker

    make_private(private_roots(get_runtime().settings))

    runtime = runtime_for_cli()
    logging.getLogger("huey").setLevel(logging.INFO)
    logging.getLogger("radio").setLevel(logging.INFO)
    released = run_worker(runtime, threads=threads or runtime.settings.worker_threads, grace_s=grace)
    if released:
        click.echo(f"handed {len(released)} unfinished job(s) back to the queue: {' '.join(released)}", err=True)
        sys.stdout.flush()
        sys.stderr.flush()
        logging.shutdown()
        os._exit(0)  # their handler threads are still running; do not wait for them


@main.group()
def users() -> None:
    """Manage users."""


@users.command("add")
@click.argument("email")
@click.option("--role", required=True, type=click.Choice(["producer", "station", "researcher", "admin"]))
@click.option("--station", "station_slug", default=None, help="The station a station user belongs to.")
@click.option("--name", default="")
@click.option("--password", default=None, help="Web login password (prompted when '-').")
def users_add(email: str, role: str, station_slug: str | None, name: str, password: str | None) -> None:
    """Add a user and print its API token once."""
    from radio.auth import create_user, issue_token

    if password == "-":
        password = click.prompt("password", hide_input=True, confirmation_prompt=True)
    runtime = runtime_for_cli()
    with runtime.session() as session:
        user = create_user(session, email, role, station_slug=station_slug, name=name, password=password)
        token = issue_token(session, user, "cli")
    click.echo(f"user {user.email} ({user.role}) id {user.id}")
    click.echo(f"API token (shown once): {token}")


if __name__ == "__main__":
    main()
