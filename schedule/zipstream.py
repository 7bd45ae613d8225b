"""A deterministic, stored (uncompressed) ZIP laid out in advance: its length and bytes are known before streaming.

Audio does not compress, and a stored archive with fixed timestamps can be served from any byte offset (HTTP Range)
without building it: each member is a header (bytes) and a region of a source read in chunks. Past 4 GiB (a
member, an offset or the archive) the ZIP64 extensions of APPNOTE 4.5 are written, only where a field overflows,
so a small archive keeps the plain ZIP layout every unzip reads.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

CHUNK = 256 * 1024
FULL32 = 0xFFFFFFFF  # a 32-bit field holding this value says "see the ZIP64 extra field"
FULL16 = 0xFFFF
_DOS_TIME, _DOS_DATE = 0, (1980 - 1980) << 9 | 1 << 5 | 1  # 1980-01-01 00:00: the same bytes on every build
_UTF8 = 1 << 11
_V20, _V45 = 20, 45  # version needed: plain stored entries; ZIP64
_crc_cache: dict[tuple[str, int, int], int] = {}  # (path, size, mtime_ns) -> CRC-32; media objects never change


class Source(Protocol):
    """Where a member's bytes come from while streaming: ``size`` bytes, any region readable in chunks."""

    @property
    def size(self) -> int:
        """How many bytes the source holds."""
        ...

    def read(self, skip: int, count: int) -> Iterator[bytes]:
        """Bytes ``skip`` .. ``skip + count`` in chunks of at most :data:`CHUNK`."""
        ...


@dataclass(frozen=True)
class FileSource:
    """A file on disk (a media object); it must not shrink between layout and streaming."""

    path: Path
    size: int

    def read(self, skip: int, count: int) -> Iterator[bytes]:
        """Read the region in chunks; OSError when the file got shorter."""
        with self.path.open("rb") as handle:
            handle.seek(skip)
            while count > 0:
                chunk = handle.read(min(CHUNK, count))
                if not chunk:
                    raise OSError(f"{self.path} is shorter than when the archive was laid out")
                count -= len(chunk)
                yield chunk


@dataclass(frozen=True)
class Member:
    """One file of the archive: small ones as bytes, large ones as a source read while streaming."""

    name: str
    size: int
    crc: int
    data: bytes | None = None
    source: Source | None = None


def bytes_member(name: str, data: bytes) -> Member:
    """A member held in memory (manifest, calendar, cue sheet)."""
    return Member(name, len(data), zlib.crc32(data), data=data)


def source_member(name: str, source: Source, crc: int | None = None) -> Member:
    """A member streamed from ``source``; its CRC-32 is read through once unless given."""
    if crc is None:
        crc = 0
        for chunk in source.read(0, source.size):
            crc = zlib.crc32(chunk, crc)
    return Member(name, source.size, crc, source=source)


def file_member(name: str, path: Path) -> Member:
    """A member read from disk; its CRC-32 is computed once per file and remembered."""
    stat = path.stat()
    key = (str(path), stat.st_size, stat.st_mtime_ns)
    member = source_member(name, FileSource(path, stat.st_size), _crc_cache.get(key))
    if key not in _crc_cache:
        if len(_crc_cache) > 100_000:
            _crc_cache.clear()
        _crc_cache[key] = member.crc
    return member


def _local_header(m: Member) -> bytes:
    name = m.name.encode()
    if m.size < FULL32:
        return struct.pack("<IHHHHHIIIHH", 0x04034B50, _V20, _UTF8, 0, _DOS_TIME, _DOS_DATE, m.crc, m.size, m.size,
                           len(name), 0) + name
    extra = struct.pack("<HHQQ", 0x0001, 16, m.size, m.size)  # ZIP64: original size, then compressed size
    return struct.pack("<IHHHHHIIIHH", 0x04034B50, _V45, _UTF8, 0, _DOS_TIME, _DOS_DATE, m.crc, FULL32, FULL32,
                       len(name), len(extra)) + name + extra


def _central_header(m: Member, offset: int) -> bytes:
    name = m.name.encode()
    wide = [value for value in (m.size, m.size) if m.size >= FULL32] + ([offset] if offset >= FULL32 else [])
    extra = struct.pack(f"<HH{len(wide)}Q", 0x0001, 8 * len(wide), *wide) if wide else b""
    version = _V45 if wide else _V20
    size = FULL32 if m.size >= FULL32 else m.size
    return struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, version, version, _UTF8, 0, _DOS_TIME, _DOS_DATE, m.crc,
                       size, size, len(name), len(extra), 0, 0, 0, 0, min(offset, FULL32)) + name + extra


def _end_records(count: int, directory_size: int, directory_offset: int) -> bytes:
    """The end of central directory record, after a ZIP64 one and its locator when a field overflows."""
    end = b""
    if count >= FULL16 or directory_size >= FULL32 or directory_offset >= FULL32:
        zip64_at = directory_offset + directory_size
        end = (struct.pack("<IQHHIIQQQQ", 0x06064B50, 44, _V45, _V45, 0, 0, count, count, directory_size,
                           directory_offset)
               + struct.pack("<IIQI", 0x07064B50, 0, zip64_at, 1))
    return end + struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, min(count, FULL16), min(count, FULL16),
                             min(directory_size, FULL32), min(directory_offset, FULL32), 0)


@dataclass(frozen=True)
class Layout:
    """The archive as a sequence of parts: bytes, or sources read while streaming."""

    parts: tuple[bytes | Source, ...]
    length: int

    def stream(self, start: int = 0, stop: int | None = None) -> Iterator[bytes]:
        """Bytes ``start``..``stop`` (exclusive) of the archive, read in bounded chunks."""
        stop = self.length if stop is None else stop
        offset = 0
        for part in self.parts:
            size = len(part) if isinstance(part, bytes) else part.size
            lo, hi = max(start, offset), min(stop, offset + size)
            if lo < hi:
                if isinstance(part, bytes):
                    yield part[lo - offset:hi - offset]
                else:
                    yield from part.read(lo - offset, hi - lo)
            offset += size
            if offset >= stop:
                return


def layout(members: Sequence[Member]) -> Layout:
    """Lay out a stored ZIP of ``members`` in order (ZIP64 where a size, an offset or the count needs it)."""
    parts: list[bytes | Source] = []
    central: list[bytes] = []
    offset = 0
    for m in members:
        header = _local_header(m)
        central.append(_central_header(m, offset))
        parts.append(header)
        body = m.data if m.data is not None else m.source
        if body is None:
            raise ValueError(f"member {m.name} has neither data nor a source")
        parts.append(body)
        offset += len(header) + m.size
    directory = b"".join(central)
    end = _end_records(len(members), len(directory), offset)
    return Layout((*parts, directory, end), offset + len(directory) + len(end))
