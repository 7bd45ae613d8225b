"""``radio episodes watch``: a slowly written file, a corrupt file, and a restart that must not import twice."""

from __future__ import annotations

import shutil
import threading
import time
from pathlib import Path
from typing import Any

from click.testing import CliRunner
from sqlalchemy import func, select

from episodes.models import Episode
from episodes.services import ingest
from episodes.watch import WatchEvent, WatchState, scan_folder, watch_folder
from radio.cli import main
from tests.audio import tone, write_wav
from tests.test_episodes_api import assert_consistent


def _episodes(runtime: Any) -> list[Episode]:
    with runtime.read_session() as session:
        return list(session.scalars(select(Episode)))


def test_a_slowly_written_file_is_imported_once_it_is_finished(runtime: Any, tmp_path: Path) -> None:
    source = write_wav(tmp_path / "source.wav", tone(3.0, 440, channels=2))
    data = source.read_bytes()
    folder = tmp_path / "drop"
    folder.mkdir()
    events: list[WatchEvent] = []
    stop = threading.Event()
    watcher = threading.Thread(target=watch_folder, args=(runtime, folder, {"campaign": "drop-box", "kind": "psa"}),
                               kwargs={"settle_s": 1.0, "interval_s": 0.1, "stop": stop, "report": events.append})
    watcher.start()
    try:
        target = folder / "সচেতনতা নাটক.wav"
        chunk = len(data) // 8 + 1
        with open(target, "wb") as out:
            for n in range(0, len(data), chunk):  # ~2.4 s of writing, a pause longer than the scan interval
                out.write(data[n:n + chunk])
                out.flush()
                time.sleep(0.3)
        assert events == [] and target.exists()  # nothing touched while it was growing
        deadline = time.monotonic() + 30
        while not events and time.monotonic() < deadline:
            time.sleep(0.1)
    finally:
        stop.set()
        watcher.join()
    assert [e.outcome for e in events] == ["imported"]
    assert (folder / "imported" / "সচেতনতা নাটক.wav").read_bytes() == data and not target.exists()
    (episode,) = _episodes(runtime)
    assert episode.id == events[0].episode_id and episode.title == "সচেতনতা নাটক"
    assert episode.campaign == "drop-box" and episode.kind == "psa" and abs((episode.duration_s or 0) - 3.0) < 0.05


def test_corrupt_and_empty_files_go_to_failed_with_a_reason(runtime: Any, tmp_path: Path) -> None:
    folder = tmp_path / "drop"
    folder.mkdir()
    (folder / "notes.mp3").write_text("not audio at all")
    (folder / "empty.wav").write_bytes(b"")
    (folder / ".hidden.wav").write_bytes(b"x")
    (folder / "copying.wav.part").write_bytes(b"x")
    events = scan_folder(runtime, folder, {}, WatchState(), settle_s=0.0, once=True)
    assert sorted((e.name, e.outcome) for e in events) == [("empty.wav", "failed"), ("notes.mp3", "failed")]
    reason = (folder / "failed" / "notes.mp3.reason.txt").read_text(encoding="utf-8")
    assert "does not decode" in reason
    assert "empty" in (folder / "failed" / "empty.wav.reason.txt").read_text(encoding="utf-8")
    assert (folder / "failed" / "notes.mp3").read_text() == "not audio at all"
    assert (folder / ".hidden.wav").exists() and (folder / "copying.wav.part").exists()
    assert _episodes(runtime) == []
    assert_consistent(runtime)


def test_a_restart_after_importing_does_not_import_twice(runtime: Any, tmp_path: Path) -> None:
    folder = tmp_path / "drop"
    folder.mkdir()
    dropped = write_wav(folder / "psa.wav", tone(1.5, 660, channels=2))
    # The watcher died after the import committed but before the file was moved.
    with open(dropped, "rb") as fh, runtime.session() as session:
        first = ingest(session, runtime.store, fh, {"title": "psa"}, max_bytes=10 ** 8).id
    shutil.copyfile(dropped, folder / "psa copy.wav")  # and someone dropped the same audio again
    result = CliRunner().invoke(main, ["episodes", "watch", str(folder), "--once", "--settle", "0"])
    assert result.exit_code == 0, result.output
    assert f"psa.wav: {first} (already imported)" in result.output
    assert f"psa copy.wav: {first} (already imported)" in result.output
    assert [e.id for e in _episodes(runtime)] == [first]
    assert sorted(p.name for p in (folder / "imported").iterdir()) == ["psa copy.wav", "psa.wav"]
    assert [p.name for p in folder.iterdir() if p.is_file()] == []
    with runtime.read_session() as session:
        assert session.scalar(select(func.count()).select_from(Episode)) == 1
    # A file that is still fresh (written just now) is left for the next look.
    write_wav(folder / "new.wav", tone(1.0, 880, channels=2))
    result = CliRunner().invoke(main, ["episodes", "watch", str(folder), "--once", "--settle", "30"])
    assert result.exit_code == 0 and (folder / "new.wav").exists()
    bad = CliRunner().invoke(main, ["episodes", "watch", str(folder), "--campaign", "x" * 500, "--once"])
    assert bad.exit_code != 0 and "campaign" in bad.output
