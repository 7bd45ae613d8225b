"""Watched folders: import finished files dropped into a folder, then move them to ``imported/`` or ``failed/``.

A file counts as finished once it has not changed for ``settle_s`` seconds (its size and modification time
are the same at two looks that far apart), so a file still being copied or recorded is left alone. Before
importing, its SHA-256 is looked up in the library: a file whose content is already there (the watcher was
stopped after importing it but before moving it, or someone dropped the same file twice) is moved to
``imported/`` without a second import. A file that cannot be imported goes to ``failed/`` with
``<name>.reason.txt`` saying why. Hidden files and names ending in ``.part``/``.tmp``/``.crdownload`` are
never touched.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select

from episodes.models import Episode
from radio.errors import DomainError

IMPORTED, FAILED = "imported", "failed"
IGNORED_SUFFIXES = (".part", ".tmp", ".crdownload", ".partial", ".reason.txt")


@dataclass
class WatchState:
    """What the watcher saw of each waiting file: (size, mtime_ns) and when it first saw that."""

    seen: dict[str, tuple[tuple[int, int], float]] = field(default_factory=dict)


@dataclass(frozen=True)
class WatchEvent:
    """One file handled: where it went, its episode id (imported) or why it failed."""

    name: str
    outcome: str  # "imported" | "already" | "failed"
    episode_id: str | None = None
    reason: str | None = None


def _candidates(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir()
                  if p.is_file() and not p.is_symlink() and not p.name.startswith(".")
                  and not p.name.lower().endswith(IGNORED_SUFFIXES))


def _finished(path: Path, state: WatchState, settle_s: float, now: float, *, once: bool) -> bool:
    """Unchanged for ``settle_s``: by two looks that far apart (or, looking ``once``, by its mtime alone)."""
    stat = path.stat()
    signature = (stat.st_size, stat.st_mtime_ns)
    untouched = time.time() - stat.st_mtime >= settle_s
    if once:
        return untouched
    previous = state.seen.get(path.name)
    if previous is None or previous[0] != signature:
        state.seen[path.name] = (signature, now)
        return False
    return now - previous[1] >= settle_s and untouched


def _free_name(folder: Path, name: str) -> Path:
    target = folder / name
    n = 1
    while target.exists():
        stem, dot, suffix = name.rpartition(".")
        target = folder / (f"{stem}-{n}.{suffix}" if dot and stem else f"{name}-{n}")
        n += 1
    return target


def _title(path: Path) -> str:
    return path.stem.replace("_", " ").strip() or path.name


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _move(path: Path, folder: Path) -> Path:
    folder.mkdir(exist_ok=True)
    target = _free_name(folder, path.name)
    path.replace(target)  # same file system: atomic
    return target


def _fail(path: Path, root: Path, reason: str) -> None:
    target = _move(path, root / FAILED)
    note = target.with_name(target.name + ".reason.txt")
    tmp = note.with_name(note.name + ".tmp")
    tmp.write_text(reason + "\n", encoding="utf-8")
    tmp.replace(note)


def import_file(runtime: Any, path: Path, fields: Mapping[str, Any]) -> WatchEvent:
    """Import one finished file (or recognise it as already imported) and move it; never raises DomainError."""
    from episodes.services import ingest

    root = path.parent
    try:
        sha = _sha256(path)
        with runtime.read_session() as session:
            existing = session.scalar(select(Episode.id).where(Episode.sha256 == sha))
        if existing is None:
            with open(path, "rb") as fh, runtime.session() as session:
                metadata = {"title": _title(path), **fields, "filename": path.name}
                episode = ingest(session, runtime.store, fh, metadata, max_bytes=runtime.settings.max_upload_bytes)
                existing = episode.id
            outcome = "imported"
        else:
            outcome = "already"
    except DomainError as exc:
        if exc.code == "duplicate" and "id" in exc.details:  # imported by someone else meanwhile
            _move(path, root / IMPORTED)
            return WatchEvent(path.name, "already", str(exc.details["id"]))
        _fail(path, root, f"{exc.code}: {exc.message}")
        return WatchEvent(path.name, "failed", reason=exc.message)
    _move(path, root / IMPORTED)
    return WatchEvent(path.name, outcome, existing)


def scan_folder(runtime: Any, folder: Path, fields: Mapping[str, Any], state: WatchState, *,
                settle_s: float, once: bool = False) -> list[WatchEvent]:
    """One look at the folder: import every finished file (title: the file's name unless ``fields`` has one)."""
    now = time.monotonic()
    events = []
    for path in _candidates(folder):
        try:
            if not _finished(path, state, settle_s, now, once=once):
                continue
        except FileNotFoundError:
            continue  # moved or deleted meanwhile
        events.append(import_file(runtime, path, fields))
        state.seen.pop(path.name, None)
    for name in set(state.seen) - {p.name for p in folder.iterdir()}:
        state.seen.pop(name, None)
    return events


def watch_folder(runtime: Any, folder: Path, fields: Mapping[str, Any], *, settle_s: float = 5.0,
                 interval_s: float = 1.0, stop: threading.Event | None = None,
                 report: Callable[[WatchEvent], None] | None = None) -> None:
    """Scan ``folder`` every ``interval_s`` until ``stop`` is set, reporting each handled file."""
    stop = stop or threading.Event()
    state = WatchState()
    while not stop.is_set():
        for event in scan_folder(runtime, folder, fields, state, settle_s=settle_s):
            if report is not None:
                report(event)
        stop.wait(interval_s)
