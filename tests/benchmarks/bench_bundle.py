"""Week bundle benchmark: one station, a week of N half-hour airings (distinct episodes), 192 kbit/s renditions.

Run:  .venv/bin/python tests/benchmarks/bench_bundle.py [--airings 20] [--runs 3]

Builds a fresh SQLite database with the real migrations, N episodes whose broadcast renditions are files of the
size a 30-minute 192 kbit/s MP3 has (random bytes: the bundle never decodes audio), and N airings in one ISO week.
Times, through the Flask test client (real view, read session, streamed body):

* the first layout of the bundle (every rendition read once for its CRC-32) and a download of it,
* a warm download (CRC-32s remembered: the archive is laid out from the manifest and streamed),
* a resumed download of the second half (Range),
* the baseline: reading the same rendition files straight from disk, in the same run,
* the printable cue sheet: drawing the PDF once, and how often its cache (per CueSheet) answered instead.

Prints the medians, the bundle's size and manifest, and the peak resident memory; asserts nothing about time.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from radio.config import load_settings  # noqa: E402
from radio.migrate import upgrade  # noqa: E402
from radio.runtime import Runtime  # noqa: E402

SIZE = 30 * 60 * 192_000 // 8  # 43.2 MB: half an hour at 192 kbit/s


def build(runtime: Runtime, airings: int, scratch: Path) -> str:
    """Episodes with rendition files and one-off bookings in week 2026-W10; returns the bundle path."""
    from episodes.models import Episode
    from schedule.bookings import book_broadcast
    from schedule.models import Station
    from schedule.stations import feed_token

    with runtime.session() as session:
        station = Station(slug="radio-padma", name="Radio Padma", name_bn="রেডিও পদ্মা")
        session.add(station)
        session.flush()
        for i in range(airings):
            source = scratch / f"r{i}.mp3"
            with source.open("wb") as handle:
                for _ in range(SIZE // (1 << 20) + 1):
                    handle.write(os.urandom(1 << 20))
                handle.truncate(SIZE)
            sha, _ = runtime.store.put_file(source, ".mp3")
            episode = Episode(title=f"মানব পাচার প্রতিরোধ নাটক — পর্ব {i + 1}", title_en=f"Safe migration {i + 1}",
                              sha256=f"{i:064x}", duration_s=1795.0, broadcast_duration_s=1795.0,
                              broadcast_sha256=sha, broadcast_size_bytes=SIZE, status="ready",
                              campaign="safe-migration", consent="broadcast", mime_type="audio/mpeg")
            session.add(episode)
            session.flush()
            day, slot = divmod(i, 3)
            book_broadcast(session, {"station": "radio-padma", "episode_id": episode.id,
                                     "start": f"2026-03-0{2 + day}T{8 + 4 * slot:02d}:00"})
        token = feed_token(runtime.secret_key, station)
    return f"/feeds/radio-padma/bundle.zip?token={token}&week=2026-W10"


def timed(func: object) -> tuple[float, object]:
    start = time.perf_counter()
    value = func()  # type: ignore[operator]
    return time.perf_counter() - start, value


def download(client: object, url: str, headers: dict[str, str] | None = None) -> tuple[int, int]:
    """Stream the answer, counting bytes (nothing kept): (status, bytes)."""
    response = client.get(url, headers=headers or {}, buffered=False)  # type: ignore[attr-defined]
    total = sum(len(chunk) for chunk in response.response)
    response.close()
    return response.status_code, total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--airings", type=int, default=20)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    from reports import cue_sheet
    from schedule import zipstream
    from web import create_app

    cached_pdf = cue_sheet.cue_sheet_pdf
    drawn: list[float] = []

    def timed_pdf(sheet: object) -> bytes:
        misses = cached_pdf.cache_info().misses
        seconds, data = timed(lambda: cached_pdf(sheet))  # type: ignore[arg-type]
        if cached_pdf.cache_info().misses > misses:
            drawn.append(seconds)
        return data  # type: ignore[return-value]

    cue_sheet.cue_sheet_pdf = timed_pdf  # type: ignore[assignment]  # the hook looks the name up at each call

    with tempfile.TemporaryDirectory() as home:
        settings = load_settings({"RADIO_HOME": home, "RADIO_SECRET_KEY": "bench", "RADIO_QUEUE_IMMEDIATE": True},
                                 environ={})
        runtime = Runtime.from_settings(settings)
        upgrade(runtime.engine)
        scratch = Path(home) / "scratch"
        scratch.mkdir()
        url = build(runtime, args.airings, scratch)
        client = create_app(runtime=runtime).test_client()
        files = sorted(Path(runtime.store.root).rglob("*.mp3"))

        def read_files() -> int:
            total = 0
            for path in files:
                with path.open("rb") as handle:
                    while chunk := handle.read(256 * 1024):
                        total += len(chunk)
            return total

        baseline = statistics.median(timed(read_files)[0] for _ in range(args.runs))
        zipstream._crc_cache.clear()
        cached_pdf.cache_clear()
        before_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        cold, (status, size) = timed(lambda: download(client, url))  # type: ignore[misc]
        assert status == 200
        warm = statistics.median(timed(lambda: download(client, url))[0] for _ in range(args.runs))
        half = {"Range": f"bytes={size // 2}-"}
        resumed = statistics.median(timed(lambda: download(client, url, half))[0] for _ in range(args.runs))
        layout_only = statistics.median(timed(lambda: client.head(url))[0] for _ in range(args.runs))
        manifest = json.loads(_member(client, url, "manifest.json", size, scratch))
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"week of {args.airings} half-hour airings, {len(files)} renditions of {SIZE / 1e6:.1f} MB")
        print(f"bundle size                    {size:>14,} bytes ({size / 1e6:.1f} MB)")
        print(f"baseline: read the files       {baseline:8.2f} s  (median of {args.runs})")
        print(f"first download (CRC-32s cold)  {cold:8.2f} s  ({cold / baseline:.2f}x baseline)")
        print(f"warm download                  {warm:8.2f} s  ({warm / baseline:.2f}x baseline)")
        print(f"resumed second half (Range)    {resumed:8.2f} s  ({resumed / baseline:.2f}x baseline)")
        print(f"layout only (HEAD)             {layout_only * 1000:8.1f} ms")
        pdf_cache = cached_pdf.cache_info()
        print(f"cue-sheet.pdf drawn            {sum(drawn) * 1000:8.1f} ms  ({len(drawn)} time(s); cache "
              f"{pdf_cache.hits} hits / {pdf_cache.misses} misses over all requests)")
        print(f"peak resident memory           {peak_mb:8.1f} MB (before the downloads: {before_mb:.1f} MB)")
        print(f"started at {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC; manifest:")
        print(json.dumps(manifest, ensure_ascii=False, indent=2))
        runtime.close()


def _member(client: object, url: str, name: str, size: int, scratch: Path) -> bytes:
    """One small member, read from the archive's last 2 MB (written into a sparse file: nothing big in memory)."""
    import zipfile

    tail = client.get(url, headers={"Range": f"bytes={max(0, size - 2_000_000)}-"})  # type: ignore[attr-defined]
    sparse = scratch / "tail.zip"
    with sparse.open("wb") as handle:
        handle.seek(size - len(tail.data))
        handle.write(tail.data)
    with zipfile.ZipFile(sparse) as archive:
        return archive.read(name)


if __name__ == "__main__":
    main()
