"""Content-addressed media store: files named by their SHA-256, written atomically."""

from __future__ import annotations

import errno
import hashlib
import os
import re
import socket
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from radio.errors import StorageFull, TooLarge

_SHA = re.compile(r"^[0-9a-f]{64}$")
CHUNK = 1024 * 1024


@dataclass
class StagedFile:
    """An upload written to a temporary file in the store, hashed on the way in."""

    path: Path
    sha256: str
    size: int

    def discard(self) -> None:
        """Remove the temporary file (no-op once committed)."""
        self.path.unlink(missing_ok=True)


class MediaStore:
    """Files under ``root/ab/cd/<sha256><suffix>``; client file names are never used as paths."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.tmp_dir = self.root / "tmp"

    def ensure(self) -> None:
        """Create the store folders."""
        self.tmp_dir.mkdir(parents=True, exist_ok=True)

    def path_for(self, sha256: str, suffix: str = "") -> Path:
        """Where the object with this hash lives."""
        if not _SHA.match(sha256):
            raise ValueError("not a SHA-256 hex digest")
        if suffix and not re.match(r"^\.[a-z0-9]{1,8}$", suffix):
            raise ValueError("bad suffix")
        return self.root / sha256[:2] / sha256[2:4] / f"{sha256}{suffix}"

    def exists(self, sha256: str, suffix: str = "") -> bool:
        """True when the object is stored."""
        return self.path_for(sha256, suffix).exists()

    def stage(self, stream: BinaryIO | Iterable[bytes], max_bytes: int | None = None) -> StagedFile:
        """Copy a stream to a temporary file while hashing it; TooLarge as soon as ``max_bytes`` is passed."""
        self.ensure()
        fd, name = tempfile.mkstemp(dir=self.tmp_dir, prefix=tmp_prefix(), suffix=".part")
        path = Path(name)
        digest = hashlib.sha256()
        size = 0
        chunks: Iterable[bytes] = iter(lambda: stream.read(CHUNK), b"") if hasattr(stream, "read") else stream  # type: ignore[union-attr]
        try:
            with os.fdopen(fd, "wb") as out:
                for chunk in chunks:
                    size += len(chunk)
                    if max_bytes is not None and size > max_bytes:
                        raise TooLarge(f"the upload is larger than the limit of {max_bytes // (1024 * 1024)} MiB")
                    digest.update(chunk)
                    out.write(chunk)
                out.flush()
                os.fsync(out.fileno())
        except OSError as exc:
            path.unlink(missing_ok=True)
            if exc.errno in (errno.ENOSPC, errno.EDQUOT):
                raise StorageFull("the media store is full") from exc
            raise
        except BaseException:
            path.unlink(missing_ok=True)
            raise
        return StagedFile(path=path, sha256=digest.hexdigest(), size=size)

    def commit(self, staged: StagedFile, suffix: str = "") -> Path:
        """Move a staged file into place under its hash (atomic rename; an existing copy wins)."""
        target = self.path_for(staged.sha256, suffix)
        target.parent.mkdir(parents=True, exist_ok=True)
        if target.exists():
            staged.discard()
        else:
            os.replace(staged.path, target)
            _fsync_dir(target.parent)
        return target

    def put_file(self, source: Path, suffix: str = "") -> tuple[str, Path]:
        """Store a local file (e.g. a rendition) and return its hash and path."""
        with open(source, "rb") as fh:
            staged = self.stage(fh)
        return staged.sha256, self.commit(staged, suffix)

    def remove(self, sha256: str, suffix: str = "") -> None:
        """Delete a stored object if present."""
        self.path_for(sha256, suffix).unlink(missing_ok=True)

    def iter_objects(self) -> Iterable[Path]:
        """Every stored object (temporary files excluded)."""
        if not self.root.exists():
            return
        for path in sorted(self.root.glob("??/??/*")):
            if path.is_file() and _SHA.match(path.name[:64]):
                yield path

    def verify_object(self, path: Path) -> bool:
        """True when a stored file's content still hashes to its name."""
        digest = hashlib.sha256()
        with open(path, "rb") as fh:
            for chunk in iter(lambda: fh.read(CHUNK), b""):
                digest.update(chunk)
        return digest.hexdigest() == path.name[:64]

    def clean_tmp(self, older_than_s: float = 3600) -> int:
        """Remove temporary files left by interrupted uploads; returns how many."""
        import time

        removed = 0
        if not self.tmp_dir.exists():
            return 0
        now = time.time()
        for path in self.tmp_dir.iterdir():
            if now - path.stat().st_mtime > older_than_s:
                path.unlink(missing_ok=True)
                removed += 1
        return removed


def host_tag() -> str:
    """A short stable tag of this machine's name (temporary files of a shared store say who wrote them)."""
    return hashlib.sha256(socket.gethostname().encode()).hexdigest()[:8]


def tmp_prefix() -> str:
    """``up-<host tag>-<pid>-``: lets a cleanup tell an abandoned upload from one still being written."""
    return f"up-{host_tag()}-{os.getpid()}-"


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
