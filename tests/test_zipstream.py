"""The streamed ZIP past 4 GiB: ZIP64 where a field overflows, read back by Python's zipfile and by unzip.

Nothing of 4 GiB is written: the big member is a source of zeros, the archive is read through a file object
that serves any region from ``Layout.stream`` (as HTTP Range does), and unzip gets a sparse file.
"""

from __future__ import annotations

import io
import shutil
import struct
import subprocess
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from schedule.zipstream import CHUNK, FULL32, Layout, bytes_member, layout, source_member

BIG = FULL32 + 4096 + 17  # just past what a 32-bit size field holds


@dataclass(frozen=True)
class Zeros:
    """A source of ``size`` zero bytes."""

    size: int

    def read(self, skip: int, count: int) -> Iterator[bytes]:
        """Zeros in chunks."""
        block = bytes(CHUNK)
        while count > 0:
            n = min(CHUNK, count)
            yield block[:n]
            count -= n


def _zeros_crc(size: int) -> int:
    block, crc = bytes(1 << 20), 0
    for _ in range(size >> 20):
        crc = zlib.crc32(block, crc)
    return zlib.crc32(bytes(size & ((1 << 20) - 1)), crc)


class LayoutFile(io.RawIOBase):
    """A read-only, seekable file over a laid-out archive: each read is a ranged stream."""

    def __init__(self, laid: Layout) -> None:
        self.laid, self.pos = laid, 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def seek(self, offset: int, whence: int = 0) -> int:
        self.pos = {0: offset, 1: self.pos + offset, 2: self.laid.length + offset}[whence]
        return self.pos

    def tell(self) -> int:
        return self.pos

    def readinto(self, buffer) -> int:  # type: ignore[no-untyped-def]
        stop = min(self.laid.length, self.pos + len(buffer))
        data = b"".join(self.laid.stream(self.pos, stop)) if stop > self.pos else b""
        buffer[:len(data)] = data
        self.pos += len(data)
        return len(data)


@pytest.fixture(scope="module")
def big_archive() -> Layout:
    members = [bytes_member("before.txt", "আগে / before\n".encode()),
               source_member("audio/big.mp3", Zeros(BIG), _zeros_crc(BIG)),
               bytes_member("manifest.json", b'{"after": "the 4 GiB mark"}')]
    return layout(members)


def test_a_small_archive_keeps_the_plain_zip_layout() -> None:
    laid = layout([bytes_member("a.txt", b"hello"), bytes_member("b.txt", b"world")])
    data = b"".join(laid.stream())
    assert b"PK\x06\x06" not in data and b"PK\x06\x07" not in data  # no ZIP64 records
    assert struct.unpack("<H", data[4:6])[0] == 20
    archive = zipfile.ZipFile(io.BytesIO(data))
    assert archive.testzip() is None and archive.read("b.txt") == b"world"


def test_past_4_gib_the_archive_is_zip64_and_reads_back(big_archive: Layout) -> None:
    assert big_archive.length > BIG > FULL32
    archive = zipfile.ZipFile(io.BufferedReader(LayoutFile(big_archive), buffer_size=CHUNK))
    infos = {i.filename: i for i in archive.infolist()}
    assert list(infos) == ["before.txt", "audio/big.mp3", "manifest.json"]
    assert infos["audio/big.mp3"].file_size == BIG and infos["audio/big.mp3"].compress_size == BIG
    assert infos["manifest.json"].header_offset > FULL32  # the offset itself needs ZIP64
    assert archive.read("manifest.json") == b'{"after": "the 4 GiB mark"}'  # CRC checked by zipfile
    assert archive.read("before.txt").decode() == "আগে / before\n"
    tail = b"".join(big_archive.stream(big_archive.length - 22))
    assert tail[:4] == b"PK\x05\x06" and struct.unpack("<I", tail[16:20])[0] == FULL32  # see the ZIP64 record


@pytest.mark.slow
def test_the_big_member_streams_with_the_right_crc_and_unzip_agrees(big_archive: Layout, tmp_path) -> None:
    archive = zipfile.ZipFile(io.BufferedReader(LayoutFile(big_archive), buffer_size=CHUNK))
    total = 0
    with archive.open("audio/big.mp3") as member:  # zipfile raises BadZipFile at the end on a CRC mismatch
        while chunk := member.read(8 << 20):
            total += len(chunk)
    assert total == BIG
    unzip = shutil.which("unzip")
    if unzip is None:
        pytest.skip("unzip is not installed")
    sparse = tmp_path / "week.zip"  # the zeros as a hole: a few KiB on disk
    with sparse.open("wb") as handle:
        for part in big_archive.parts:
            if isinstance(part, bytes):
                handle.write(part)
            else:
                handle.seek(part.size, io.SEEK_CUR)
        handle.truncate()
    assert sparse.stat().st_size == big_archive.length
    with sparse.open("rb") as handle:  # Range across the 4 GiB mark: the same bytes as the file
        for lo, hi in ((FULL32 - 100, FULL32 + 200), (big_archive.length - 5000, big_archive.length)):
            handle.seek(lo)
            assert b"".join(big_archive.stream(lo, hi)) == handle.read(hi - lo)
    result = subprocess.run([unzip, "-t", str(sparse)], capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "No errors detected" in result.stdout and "audio/big.mp3" in result.stdout
