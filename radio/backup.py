"""Backups while the service runs: a consistent database snapshot, the media objects and a SHA-256 manifest."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import socket
import sqlite3
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy.engine import Engine, make_url

from radio.db import utcnow
from radio.errors import DomainError, InvalidInput
from radio.runtime import Runtime
from radio.storage import CHUNK

MANIFEST = "manifest.json"
FORMAT = 1
SQLITE_FILE = "database.sqlite3"
PG_FILE = "database.pgdump"

Progress = Callable[[str], None]


class BackupError(DomainError):
    """A backup or restore cannot be made (missing tool, damaged backup, non-empty target)."""

    status = 409
    code = "backup_failed"


def sha256_file(path: Path) -> str:
    """The SHA-256 of a file's content."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def copy_hashed(source: Path, target: Path) -> tuple[str, int]:
    """Copy a file (via a temporary name, fsynced) and return the SHA-256 and size of what was copied."""
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(target.name + ".part")
    digest = hashlib.sha256()
    size = 0
    with open(source, "rb") as src, open(tmp, "wb") as dst:
        for chunk in iter(lambda: src.read(CHUNK), b""):
            digest.update(chunk)
            dst.write(chunk)
            size += len(chunk)
        dst.flush()
        os.fsync(dst.fileno())
    os.replace(tmp, target)
    return digest.hexdigest(), size


def database_backend(engine: Engine) -> str:
    """``sqlite`` or ``postgresql``."""
    return engine.dialect.name


def libpq_url(engine: Engine) -> tuple[str, dict[str, str]]:
    """A libpq connection URI without the password, and an environment carrying it (not on the command line)."""
    url = engine.url
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    return make_url(url.set(drivername="postgresql", password=None)).render_as_string(hide_password=False), env


def pg_tool(name: str) -> str:
    """The path of ``pg_dump``/``pg_restore``, or a clear error."""
    found = shutil.which(name)
    if found is None:
        raise BackupError(f"{name} is not installed: install the PostgreSQL client tools (the same major version "
                          "as the server, e.g. the postgresql-client package) to back up or restore PostgreSQL",
                          code="pg_tools_missing")
    return found


def run_pg_tool(args: list[str], env: dict[str, str]) -> None:
    """Run pg_dump or pg_restore; a failure becomes a BackupError with its message."""
    done = subprocess.run(args, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise BackupError(f"{Path(args[0]).name} failed: {done.stderr.strip()[-2000:]}")


def snapshot_database(engine: Engine, target_dir: Path) -> str:
    """Write a consistent snapshot of the live database into ``target_dir``; returns the file name."""
    if database_backend(engine) == "sqlite":
        source = Path(str(engine.url.database))
        target = target_dir / SQLITE_FILE
        src = sqlite3.connect(f"file:{source}?mode=ro", uri=True, timeout=30)
        dst = sqlite3.connect(target)
        try:
            src.backup(dst)  # the online backup API: one consistent copy, writers keep going (WAL)
            dst.execute("PRAGMA journal_mode=DELETE")  # a single self-contained file
            if dst.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
                raise BackupError("the database snapshot failed its integrity check")
        finally:
            dst.close()
            src.close()
        return SQLITE_FILE
    if database_backend(engine) == "postgresql":
        url, env = libpq_url(engine)
        run_pg_tool([pg_tool("pg_dump"), "--format=custom", "--no-owner", "--no-privileges",
                 f"--file={target_dir / PG_FILE}", f"--dbname={url}"], env)
        return PG_FILE
    raise BackupError(f"backups of {database_backend(engine)} databases are not supported")


def _alembic_revisions(engine: Engine) -> list[str]:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        return sorted(MigrationContext.configure(conn).get_current_heads())


def create_backup(runtime: Runtime, dest: Path, progress: Progress | None = None) -> dict[str, Any]:
    """Back up into ``dest`` (new or empty): database snapshot, media objects, secret key, ``manifest.json``.

    The database is snapshotted first and the media copied after it: objects are immutable and named by their
    hash, so every object the snapshot references is copied unless it was deleted during the backup, which the
    manifest's ``warnings`` then name. The manifest is written last; a folder without one is not a backup.
    """
    say = progress or (lambda message: None)
    dest = dest.resolve()
    if dest.exists() and (not dest.is_dir() or any(dest.iterdir())):
        raise InvalidInput(f"{dest} is not empty; back up into a new or empty folder", code="dest_not_empty")
    dest.mkdir(parents=True, exist_ok=True)
    files: dict[str, dict[str, Any]] = {}
    warnings: list[str] = []

    say("snapshotting the database")
    db_file = snapshot_database(runtime.engine, dest)
    files[db_file] = {"sha256": sha256_file(dest / db_file), "size": (dest / db_file).stat().st_size}

    store = runtime.store
    count = 0
    for path in store.iter_objects():
        rel = path.relative_to(store.root)
        try:
            digest, size = copy_hashed(path, dest / "media" / rel)
        except FileNotFoundError:
            warnings.append(f"media/{rel} was deleted during the backup")
            continue
        if digest != path.name[:64]:
            warnings.append(f"media/{rel} was already damaged (its content does not match its name)")
        files[f"media/{rel}"] = {"sha256": digest, "size": size}
        count += 1
        if count % 100 == 0:
            say(f"copied {count} media objects")
    say(f"copied {count} media objects")

    secret = runtime.settings.home / "secret_key"
    if secret.exists():  # calendar URLs and sessions are signed with it: without it every feed link breaks
        digest, size = copy_hashed(secret, dest / "secret_key")
        os.chmod(dest / "secret_key", 0o600)
        files["secret_key"] = {"sha256": digest, "size": size}

    manifest = {
        "format": FORMAT, "created_at": utcnow().isoformat(), "host": socket.gethostname(),
        "database": {"backend": database_backend(runtime.engine), "file": db_file,
                     "revisions": _alembic_revisions(runtime.engine)},
        "media_objects": count, "files": files, "warnings": warnings,
    }
    tmp = dest / (MANIFEST + ".part")
    tmp.write_text(json.dumps(manifest, indent=1, sort_keys=True))
    os.replace(tmp, dest / MANIFEST)
    return manifest


def read_manifest(src: Path) -> dict[str, Any]:
    """The manifest of a backup folder, or a clear error."""
    path = src / MANIFEST
    if not path.is_file():
        raise BackupError(f"{src} has no {MANIFEST}: not a backup, or one that did not finish", code="no_manifest")
    try:
        manifest = json.loads(path.read_text())
    except (OSError, ValueError) as exc:
        raise BackupError(f"{path} is unreadable: {exc}", code="bad_manifest") from exc
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT \
            or not isinstance(manifest.get("files"), dict):
        raise BackupError(f"{path} is not a manifest of format {FORMAT}", code="bad_manifest")
    return manifest


def check_backup(src: Path, manifest: dict[str, Any]) -> list[str]:
    """Every file the manifest lists, re-hashed: the damaged or missing ones (empty when the backup is whole)."""
    bad = []
    for rel, entry in sorted(manifest["files"].items()):
        path = (src / rel).resolve()
        if not path.is_relative_to(src.resolve()):
            bad.append(f"{rel}: outside the backup folder")
        elif not path.is_file():
            bad.append(f"{rel}: missing")
        elif sha256_file(path) != entry.get("sha256"):
            bad.append(f"{rel}: damaged (SHA-256 differs from the manifest)")
    return bad
