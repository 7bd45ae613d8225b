"""Restore a backup into an empty home: check the manifest, copy media and database, bring the schema up to date."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from sqlalchemy import inspect, select, update
from sqlalchemy.engine import make_url

from radio.backup import (
    PG_FILE,
    SQLITE_FILE,
    BackupError,
    Progress,
    check_backup,
    copy_hashed,
    libpq_url,
    pg_tool,
    read_manifest,
    run_pg_tool,
)
from radio.config import Settings
from radio.db import make_engine
from radio.runtime import Runtime


def _files_under(folder: Path) -> list[Path]:
    return [p for p in sorted(folder.rglob("*")) if not p.is_dir()] if folder.is_dir() else []


def refuse_non_empty_target(settings: Settings) -> None:
    """Raise unless the home, the media folder and the database are empty (nothing may be overwritten)."""
    for folder in {settings.home, settings.media_path}:
        existing = _files_under(folder)
        if existing:
            names = ", ".join(str(p) for p in existing[:5])
            raise BackupError(f"restore needs an empty home; {folder} already holds {len(existing)} file(s): {names}",
                              code="target_not_empty")
    url = make_url(settings.sqlalchemy_url)
    if url.get_backend_name() == "sqlite":
        path = Path(str(url.database))
        if path.exists() and path.stat().st_size > 0:
            raise BackupError(f"restore needs an empty database; {path} exists", code="target_not_empty")
        return
    engine = make_engine(settings.sqlalchemy_url)
    try:
        tables = inspect(engine).get_table_names()
    finally:
        engine.dispose()
    if tables:
        raise BackupError(f"restore needs an empty database; it has tables: {', '.join(sorted(tables)[:8])}",
                          code="target_not_empty")


def restore_backup(settings: Settings, src: Path, progress: Progress | None = None) -> Runtime:
    """Restore ``src`` into the (empty) home of ``settings``; returns the runtime of the restored home."""
    say = progress or (lambda message: None)
    src = src.resolve()
    manifest = read_manifest(src)
    say(f"checking {len(manifest['files'])} files of the backup against its manifest")
    damaged = check_backup(src, manifest)
    if damaged:
        raise BackupError("the backup is damaged; nothing was restored:\n  " + "\n  ".join(damaged),
                          code="backup_damaged", details={"files": damaged})
    backend = manifest["database"]["backend"]
    target_backend = make_url(settings.sqlalchemy_url).get_backend_name()
    if backend != target_backend:
        raise BackupError(f"the backup holds a {backend} database but RADIO_DATABASE_URL points at {target_backend}; "
                          "restore into the same kind of database", code="backend_mismatch")
    refuse_non_empty_target(settings)

    settings.home.mkdir(parents=True, exist_ok=True)
    media = settings.media_path
    count = 0
    for rel in manifest["files"]:
        if rel.startswith("media/"):
            copy_hashed(src / rel, media / rel[len("media/"):])
            count += 1
    say(f"restored {count} media objects")
    if "secret_key" in manifest["files"] and not settings.secret_key:
        copy_hashed(src / "secret_key", settings.home / "secret_key")
        os.chmod(settings.home / "secret_key", 0o600)

    if backend == "sqlite":
        target = Path(str(make_url(settings.sqlalchemy_url).database))
        target.parent.mkdir(parents=True, exist_ok=True)
        copy_hashed(src / SQLITE_FILE, target)
    else:
        engine = make_engine(settings.sqlalchemy_url)
        url, env = libpq_url(engine)
        engine.dispose()
        run_pg_tool([pg_tool("pg_restore"), "--no-owner", "--no-privileges", "--exit-on-error",
                 f"--dbname={url}", str(src / PG_FILE)], env)
    say("restored the database")

    runtime = Runtime.from_settings(settings)
    from radio.migrate import upgrade

    upgrade(runtime.engine)  # a backup made by an older release gets the newer tables
    requeued = requeue_unfinished(runtime)
    if requeued:
        say(f"queued {requeued} unfinished job(s) again")
    return runtime


def requeue_unfinished(runtime: Runtime) -> int:
    """Jobs that were queued or running when the backup was made go on the new queue."""
    from radio.jobs import dispatch
    from radio.models import Job, JobStatus

    with runtime.session() as session:
        session.execute(update(Job).where(Job.status == JobStatus.RUNNING)
                        .values(status=JobStatus.QUEUED, worker=None, heartbeat_at=None, progress=0.0))
        ids = list(session.scalars(select(Job.id).where(Job.status == JobStatus.QUEUED)))
    if runtime.settings.queue_immediate:
        return len(ids)
    for job_id in ids:
        dispatch(runtime, job_id)
    return len(ids)


def manifest_summary(manifest: dict[str, Any]) -> str:
    """One line about a backup."""
    size = sum(int(entry.get("size", 0)) for entry in manifest["files"].values())
    return (f"backup of {manifest['created_at']} from {manifest.get('host', '?')}: {manifest['database']['backend']} "
            f"database, {manifest.get('media_objects', 0)} media objects, {size / 1e6:.1f} MB")

