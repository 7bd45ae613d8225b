"""A deterministic, stored (uncompressed) ZIP laid out in advance: its length and bytes are known before streaming.

Audio does not compress, and a stored archive with fixed timestamps can be served from any byte offset (HTTP Range)
without building it: each member is a header (bytes) and a file region read in chunks.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

CHUNK = 256 * 1024
ZIP32_LIMIT = 0xFFFFFFFF - 1
_DOS_TIME, _DOS_DATE = 0, (1980 - 1980) << 9 | 1 << 5 | 1  # 1980-01-01 00:00: the same bytes on every build
_UTF8 = 1 << 11
_crc_cache: dict[tuple[str, int, int], int] = {}  # (path, size, mtime_ns) -> CRC-32; media objects never change


@dataclass(frozen=True)
class Member:
    """One file of the archive: small ones as bytes, large ones as a path read while streaming."""

    name: str
    size: int
    crc: int
    data: bytes | None = None
    path: Path | None = None


def bytes_member(name: str, data: bytes) -> Member:
    """A member held in memory (manifest, calendar, cue sheet)."""
    return Member(name, len(data), zlib.crc32(data), data=data)


def file_member(name: str, path: Path) -> Member:
    """A member read from disk; its CRC-32 is computed once per file and remembered."""
    stat = path.stat()
    key = (str(path), stat.st_size, stat.st_mtime_ns)
    crc = _crc_cache.get(key)
    if crc is None:
        crc = 0
        with path.open("rb") as handle:
            while chunk := handle.read(CHUNK):
                crc = zlib.crc32(chunk, crc)
        if len(_crc_cache) > 100_000:
            _crc_cache.clear()
        _crc_cache[key] = crc
    return Member(name, stat.st_size, crc, path=path)


def _local_header(m: Member) -> bytes:
    name = m.name.encode()
    return struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, _UTF8, 0, _DOS_TIME, _DOS_DATE, m.crc, m.size, m.size,
                       len(name), 0) + name


def _central_header(m: Member, offset: int) -> bytes:
    name = m.name.encode()
    return struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, _UTF8, 0, _DOS_TIME, _DOS_DATE, m.crc, m.size,
                       m.size, len(name), 0, 0, 0, 0, 0, offset) + name


@dataclass(frozen=True)
class Layout:
    """The archive as a sequence of parts: bytes, or ``(path, length)`` regions."""

    parts: tuple[bytes | tuple[Path, int], ...]
    length: int

    def stream(self, start: int = 0, stop: int | None = None) -> Iterator[bytes]:
        """Bytes ``start``..``stop`` (exclusive) of the archive, read in bounded chunks."""
        stop = self.length if stop is None else stop
        offset = 0
        for part in self.parts:
            size = len(part) if isinstance(part, bytes) else part[1]
            lo, hi = max(start, offset), min(stop, offset + size)
            if lo < hi:
                if isinstance(part, bytes):
                    yield part[lo - offset:hi - offset]
                else:
                    yield from _read_region(part[0], lo - offset, hi - lo)
            offset += size
            if offset >= stop:
                return


def _read_region(path: Path, skip: int, count: int) -> Iterator[bytes]:
    with path.open("rb") as handle:
        handle.seek(skip)
        while count > 0:
            chunk = handle.read(min(CHUNK, count))
            if not chunk:
                raise OSError(f"{path} is shorter than when the archive was laid out")
            count -= len(chunk)
            yield chunk


def layout(members: Sequence[Member]) -> Layout:
    """Lay out a stored ZIP of ``members`` in order; ValueError past the 4 GiB of a ZIP without ZIP64."""
    parts: list[bytes | tuple[Path, int]] = []
    central: list[bytes] = []
    offset = 0
    for m in members:
        header = _local_header(m)
        central.append(_central_header(m, offset))
        parts.append(header)
        parts.append(m.data if m.data is not None else (m.path, m.size))  # type: ignore[arg-type]
        offset += len(header) + m.size
    directory = b"".join(central)
    if offset + len(directory) > ZIP32_LIMIT or len(members) > 0xFFFE:
        raise ValueError("the archive would pass 4 GiB")
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(members), len(members), len(directory), offset, 0)
    parts += [directory, end]
    return Layout(tuple(parts), offset + len(directory) + len(end))
