"""``radio episodes ...``: bulk import of audio files and folders."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from episodes.models import KINDS
from radio.errors import DomainError

AUDIO_SUFFIXES = {".mp3", ".wav", ".m4a", ".aac", ".ogg", ".oga", ".opus", ".flac", ".wma", ".amr", ".3gp",
                  ".3ga", ".webm", ".aif", ".aiff", ".mp4"}



@click.group()
def episodes() -> None:
    """The episode library."""


def collect_files(paths: tuple[Path, ...]) -> list[Path]:
    """Files named on the command line (any suffix: content decides) and audio files in folders, recursively."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in AUDIO_SUFFIXES))
        else:
            found.append(path)
    return list(dict.fromkeys(found))


def _title_for(path: Path, title: str | None, count: int) -> str:
    if title:
        return title if count == 1 else f"{title} — {path.stem}"
    return path.stem.replace("_", " ").strip() or path.name


def _import_one(runtime: Any, path: Path, fields: dict[str, Any]) -> tuple[str, str | None]:
    """Ingest one file in its own transaction; returns (episode id, job id)."""
    from episodes.services import ingest

    with open(path, "rb") as fh, runtime.session() as session:
        episode = ingest(session, runtime.store, fh, fields, max_bytes=runtime.settings.max_upload_bytes)
        return episode.id, episode.analysis_job_id


@episodes.command("import")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option("--title", default=None, help="Title (default: the file name; numbered per file when several).")
@click.option("--language", type=click.Choice(["bn", "en"]), default="bn", show_default=True)
@click.option("--kind", type=click.Choice(KINDS), default="other", show_default=True)
@click.option("--campaign", default="", help="Campaign name.")
@click.option("--district", "districts", multiple=True, help="District (repeatable).")
@click.option("--restricted/--not-restricted", default=None, help="Hide from stations (default: by consent).")
def import_(paths: tuple[Path, ...], title: str | None, language: str, kind: str, campaign: str,
            districts: tuple[str, ...], restricted: bool | None) -> None:
    """Import audio files and folders; one line per file with its id or its error; exit 1 if any failed."""
    from radio.cli import runtime_for_cli

    runtime = runtime_for_cli()
    files = collect_files(paths)
    if not files:
        raise click.ClickException("no audio files found")
    imported: list[str] = []
    failures: list[str] = []
    lines: list[str] = []
    with click.progressbar(files, label="importing", file=sys.stderr, show_pos=True,
                           item_show_func=lambda p: p.name if p else None) as bar:
        for path in bar:
            fields: dict[str, Any] = {"title": _title_for(path, title, len(files)), "language": language,
                                      "kind": kind, "campaign": campaign, "districts": list(districts),
                                      "filename": path.name}
            if restricted is not None:
                fields["restricted"] = restricted
            try:
                episode_id, job_id = _import_one(runtime, path, fields)
            except DomainError as exc:
                extra = f" (existing id {exc.details['id']})" if "id" in exc.details else ""
                failures.append(str(path))
                lines.append(f"{path}: error: {exc.message}{extra}")
                continue
            except OSError as exc:
                failures.append(str(path))
                lines.append(f"{path}: error: {exc.strerror or exc}")
                continue
            imported.append(episode_id)
            lines.append(f"{path}: {episode_id}")
    for line in lines:
        click.echo(line)
    click.echo(f"imported {len(imported)} of {len(files)} file(s); {len(failures)} failed")
    if failures:
        sys.exit(1)


@episodes.command("watch")
@click.argument("folder", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--campaign", default="", help="Campaign of every imported file.")
@click.option("--kind", type=click.Choice(KINDS), default="other", show_default=True)
@click.option("--language", type=click.Choice(["bn", "en"]), default="bn", show_default=True)
@click.option("--settle", "settle_s", type=click.FloatRange(0, 3600), default=5.0, show_default=True,
              help="Seconds a file must stay unchanged before it is imported.")
@click.option("--interval", "interval_s", type=click.FloatRange(0.05, 3600), default=1.0, show_default=True,
              help="Seconds between looks at the folder.")
@click.option("--once", is_flag=True, help="Look once (files unchanged for --settle seconds), then exit.")
def watch(folder: Path, campaign: str, kind: str, language: str, settle_s: float, interval_s: float,
          once: bool) -> None:
    """Import finished files dropped into FOLDER; move them to imported/ or failed/ (with a reason file)."""
    import signal
    import threading

    from episodes.metadata import validate_metadata
    from episodes.watch import WatchEvent, WatchState, scan_folder, watch_folder
    from radio.cli import runtime_for_cli

    runtime = runtime_for_cli()
    try:
        validate_metadata({"title": "x", "campaign": campaign, "kind": kind, "language": language}, partial=False)
    except DomainError as exc:
        raise click.ClickException(exc.message) from None
    failed: list[str] = []

    def report(event: WatchEvent) -> None:
        if event.outcome == "failed":
            failed.append(event.name)
            click.echo(f"{event.name}: failed: {event.reason}")
        else:
            click.echo(f"{event.name}: {event.episode_id}" + (" (already imported)" if event.outcome == "already"
                                                               else ""))

    fields = {"campaign": campaign, "kind": kind, "language": language}
    if once:
        for event in scan_folder(runtime, folder, fields, WatchState(), settle_s=settle_s, once=True):
            report(event)
        sys.exit(1 if failed else 0)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    click.echo(f"watching {folder} (Ctrl-C to stop)", err=True)
    try:
        watch_folder(runtime, folder, fields, settle_s=settle_s, interval_s=interval_s, stop=stop, report=report)
    except KeyboardInterrupt:
        pass
