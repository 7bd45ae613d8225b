"""``radio calendar`` and ``radio stations``: station calendars and station records from the shell."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from radio.db import utcnow


@click.command()
@click.argument("slug")
@click.option("-o", "--output", "output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write to this file instead of standard output.")
def calendar(slug: str, output: Path | None) -> None:
    """Write a station's iCalendar calendar (the same as its feed URL serves)."""
    from radio.cli import runtime_for_cli
    from schedule.calendar_feed import render_for_station
    from schedule.fragments import save_fragments
    from schedule.stations import get_station

    runtime = runtime_for_cli()
    with runtime.read_session() as session:
        station = get_station(session, slug)
        rendered = render_for_station(session, station, runtime.settings.public_url, runtime.secret_key, utcnow())
    save_fragments(runtime, rendered.fresh)
    body = rendered.body
    if output is None:
        sys.stdout.buffer.write(body)
        sys.stdout.buffer.flush()
        return
    tmp = output.with_name(output.name + ".tmp")
    tmp.write_bytes(body)
    tmp.replace(output)
    click.echo(f"wrote {output} ({len(body)} bytes)", err=True)


@click.group()
def stations() -> None:
    """Manage partner stations."""


@stations.command("add")
@click.argument("slug")
@click.option("--name", required=True, help="English name.")
@click.option("--name-bn", default="", help="Bangla name.")
@click.option("--timezone", default="Asia/Dhaka", show_default=True)
@click.option("--district", default="")
@click.option("--frequency", default="")
@click.option("--contact", default="")
def stations_add(slug: str, name: str, name_bn: str, timezone: str, district: str, frequency: str,
                 contact: str) -> None:
    """Add a station and print its secret calendar URL."""
    from radio.cli import runtime_for_cli
    from schedule.stations import create_station, feed_urls

    runtime = runtime_for_cli()
    with runtime.session() as session:
        station = create_station(session, {"slug": slug, "name": name, "name_bn": name_bn, "timezone": timezone,
                                           "district": district, "frequency": frequency, "contact": contact})
        urls = feed_urls(runtime.settings.public_url, runtime.secret_key, station)
    click.echo(f"station {station.slug} id {station.id}")
    click.echo(f"calendar (secret): {urls['calendar_url']}")


@stations.command("list")
def stations_list() -> None:
    """List stations with their time zones."""
    from sqlalchemy import select

    from radio.cli import runtime_for_cli
    from schedule.models import Station

    runtime = runtime_for_cli()
    with runtime.read_session() as session:
        for station in session.scalars(select(Station).order_by(Station.slug)):
            click.echo(f"{station.slug}\t{station.timezone}\t{station.name}")


@click.command()
@click.argument("slug")
@click.option("--week", required=True, help="ISO week, e.g. 2026-W09.")
@click.option("-o", "--output", "output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="The ZIP file to write (default SLUG-WEEK.zip).")
def bundle(slug: str, week: str, output: Path | None) -> None:
    """Write a station's week bundle: audio, schedule.ics, cue sheet and manifest (the same as its feed URL)."""
    from radio.cli import runtime_for_cli
    from radio.errors import DomainError
    from schedule.bundle import build_bundle
    from schedule.stations import get_station

    runtime = runtime_for_cli()
    try:
        with runtime.read_session() as session:
            station = get_station(session, slug)
            built = build_bundle(session, runtime.store, station, week, base_url=runtime.settings.public_url,
                                 secret_key=runtime.secret_key, now=utcnow())
    except DomainError as exc:
        raise click.ClickException(exc.message) from exc
    output = output or Path(built.filename)
    tmp = output.with_name(output.name + ".tmp")
    try:
        with tmp.open("wb") as handle:
            for chunk in built.layout.stream():
                handle.write(chunk)
        tmp.replace(output)
    finally:
        tmp.unlink(missing_ok=True)
    click.echo(f"wrote {output} ({built.layout.length} bytes, {built.airing_count} airings)", err=True)
