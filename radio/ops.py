"""Operations commands: ``radio backup``, ``radio restore``, ``radio verify``, ``radio workers``."""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import click


@click.command()
@click.argument("dest", type=click.Path(file_okay=False, path_type=Path))
def backup(dest: Path) -> None:
    """Back up the database (consistent snapshot while running), media files and a SHA-256 manifest into DEST."""
    from radio.backup import create_backup
    from radio.cli import runtime_for_cli
    from radio.permissions import make_private

    runtime = runtime_for_cli()
    created = not dest.exists()
    try:
        make_private([])  # the private umask: the backup is as private as the home
        manifest = create_backup(runtime, dest, progress=lambda m: click.echo(m, err=True))
        make_private([dest])
    except BaseException:
        if created:  # leave no half-made backup that could be mistaken for a whole one
            shutil.rmtree(dest, ignore_errors=True)
        raise
    size = sum(entry["size"] for entry in manifest["files"].values())
    click.echo(f"backup written to {dest.resolve()}: {len(manifest['files'])} files, {size / 1e6:.1f} MB, "
               f"{manifest['database']['backend']} database")
    for warning in manifest["warnings"]:
        click.echo(f"warning: {warning}", err=True)
    if any("damaged" in w for w in manifest["warnings"]):
        sys.exit(1)


@click.command()
@click.argument("src", type=click.Path(exists=True, file_okay=False, path_type=Path))
def restore(src: Path) -> None:
    """Restore the backup SRC into an empty home (RADIO_HOME / RADIO_DATABASE_URL), then verify it."""
    from radio.backup import read_manifest
    from radio.config import load_settings
    from radio.integrity import verify_home
    from radio.restore import manifest_summary, restore_backup
    from radio.runtime import set_runtime

    settings = load_settings()
    click.echo(manifest_summary(read_manifest(src)))
    runtime = restore_backup(settings, src, progress=lambda m: click.echo(m, err=True))
    set_runtime(runtime)
    report = verify_home(runtime)
    for problem in report.problems:
        click.echo(problem.line(), err=not problem.fatal)
    click.echo(f"restored into {settings.home.resolve()}; verify: {'clean' if report.ok else 'FAILED'} "
               f"({report.objects_checked} objects, {report.references_checked} references)")
    if not report.ok:
        sys.exit(1)


@click.command()
@click.option("--repair", is_flag=True, help="Remove temporary files left by interrupted uploads.")
@click.option("--backup", "backup_dir", type=click.Path(exists=True, file_okay=False, path_type=Path), default=None,
              help="Check a backup folder against its manifest instead of the live home.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
def verify(repair: bool, backup_dir: Path | None, as_json: bool) -> None:
    """Re-hash every stored file, check every database reference, the audit chain, the masked copies and the
    home's permissions; exit 1 naming what is damaged, missing or inconsistent."""
    if backup_dir is not None:
        from radio.backup import check_backup, read_manifest

        bad = check_backup(backup_dir, read_manifest(backup_dir))
        for line in bad:
            click.echo(f"ERROR {line}")
        click.echo(f"backup {backup_dir}: {'clean' if not bad else f'{len(bad)} damaged or missing file(s)'}")
        sys.exit(1 if bad else 0)

    from radio.cli import runtime_for_cli
    from radio.integrity import verify_home

    report = verify_home(runtime_for_cli(), repair=repair)
    if as_json:
        click.echo(json.dumps(report.as_dict(), indent=1))
    else:
        for problem in report.problems:
            click.echo(problem.line())
        for name in report.repaired:
            click.echo(f"removed {name}")
        fatal = sum(1 for p in report.problems if p.fatal)
        click.echo(f"checked {report.objects_checked} objects ({report.bytes_checked / 1e6:.1f} MB) and "
                   f"{report.references_checked} references, {report.audit_rows_checked} audit rows, "
                   f"{report.redaction_rows_checked} masked copies: "
                   f"{'clean' if report.ok else f'{fatal} problem(s)'}")
    sys.exit(0 if report.ok else 1)


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print workers, queue and job counts as JSON.")
def workers(as_json: bool) -> None:
    """Show worker processes, queue depth and job counts."""
    from radio import monitor
    from radio.cli import runtime_for_cli

    runtime = runtime_for_cli()
    with runtime.read_session() as session:
        data = monitor.overview(runtime, session)
    if as_json:
        click.echo(json.dumps(data, indent=1, default=str))
        return
    for w in data["workers"]:
        jobs = ",".join(w["current_jobs"]) or "-"
        click.echo(f"{w['state']:9} {w['host']}:{w['pid']} {w['mode']:6} threads={w['threads']} "
                   f"done={w['jobs_done']} failed={w['jobs_failed']} beat {w['heartbeat_age_s']}s ago jobs={jobs}")
    if not data["workers"]:
        click.echo("no worker seen in the last day")
    click.echo(f"queue ({data['queue']['backend']}): {data['queue']['pending']} pending; jobs: "
               + ", ".join(f"{k} {v}" for k, v in data["jobs"].items()))
