"""In-process decoding with PyAV: planar float32 blocks without an ffmpeg subprocess or a pipe."""

from __future__ import annotations

import contextlib
import queue
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

from radio.errors import UnsupportedMedia


class LayoutMismatch(Exception):
    """The decoded stream does not have the expected channel count (callers fall back to the ffmpeg pipe)."""


def planar_blocks(path: Path, sample_rate: int, channels: int, block_frames: int) -> Iterator[np.ndarray]:
    """Decode ``path`` as ``(channels, frames)`` float32 blocks of ``block_frames`` (the last one shorter).

    PyAV decodes in this process (MP3 comes out planar float already, so nothing is converted or copied
    through a pipe); a packet the decoder rejects is skipped, as the ffmpeg command line does.
    """
    import av

    try:
        container = av.open(str(path), metadata_errors="ignore")
    except av.FFmpegError as exc:
        raise UnsupportedMedia(f"the audio does not decode: {exc}") from exc
    with container:
        if not container.streams.audio:
            raise UnsupportedMedia("the file has no audio stream")
        stream = container.streams.audio[0]
        resampler = av.AudioResampler(format="fltp", rate=sample_rate)  # keeps the stream's channel layout
        buffer, filled = np.empty((channels, block_frames), dtype=np.float32), 0

        def frames() -> Iterator[av.AudioFrame]:
            for packet in container.demux(stream):
                try:
                    decoded = packet.decode()
                except av.InvalidDataError:
                    continue
                for frame in decoded:
                    yield from resampler.resample(frame)
            yield from resampler.resample(None)

        for frame in frames():
            if len(frame.planes) != channels:
                raise LayoutMismatch(f"{len(frame.planes)} channels decoded, {channels} expected")
            count = frame.samples
            planes = [np.frombuffer(memoryview(plane), dtype=np.float32, count=count) for plane in frame.planes]
            done = 0
            while done < count:  # copy each plane straight into the block being filled (no per-frame arrays)
                take = min(count - done, block_frames - filled)
                for channel, plane in enumerate(planes):
                    buffer[channel, filled:filled + take] = plane[done:done + take]
                filled, done = filled + take, done + take
                if filled == block_frames:
                    yield buffer
                    buffer, filled = np.empty((channels, block_frames), dtype=np.float32), 0
        if filled:
            yield buffer[:, :filled]

def read_ahead(blocks: Iterator[np.ndarray], depth: int = 4) -> Iterator[np.ndarray]:
    """Run ``blocks`` in a thread ``depth`` items ahead, so decoding (GIL released) overlaps the analysis."""
    items: queue.Queue[tuple[str, Any]] = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def produce() -> None:
        try:
            for block in blocks:
                while not stop.is_set():
                    with contextlib.suppress(queue.Full):
                        items.put(("block", block), timeout=0.1)
                        break
                if stop.is_set():
                    return
            items.put(("end", None))
        except BaseException as exc:  # noqa: BLE001 - handed to the consumer, which re-raises it
            items.put(("error", exc))

    thread = threading.Thread(target=produce, name="decode-ahead", daemon=True)
    thread.start()
    try:
        while True:
            kind, value = items.get()
            if kind == "end":
                return
            if kind == "error":
                raise value
            yield value
    finally:
        stop.set()
        while thread.is_alive():  # unblock a producer waiting on a full queue
            with contextlib.suppress(queue.Empty):
                items.get(timeout=0.05)
        thread.join()
        close = getattr(blocks, "close", None)
        if close is not None:
            close()
