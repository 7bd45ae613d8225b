"""``radio episodes import``: files and folders, one line per file, continuing past bad files."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from click.testing import CliRunner
from sqlalchemy import select

from episodes.models import Episode
from radio.cli import main
from tests.audio import make_audio, tone
from tests.test_episodes_api import assert_consistent


def test_import_folder_recursively_with_progress_ids_and_errors(runtime: Any, tmp_path: Path) -> None:
    folder = tmp_path / "call-ins"
    good = [make_audio(folder, "mp3", samples=tone(0.8, 500), name="সাক্ষাৎ ১"),
            make_audio(folder / "week 2", "amr", samples=tone(0.8, 700, rate=8000), rate=8000, name="call"),
            make_audio(folder / "week 2", "ogg", samples=tone(0.8, 900), name="song")]
    (folder / "notes.mp3").write_text("not audio at all")
    (folder / "readme.txt").write_text("ignored: not an audio suffix")
    single = make_audio(tmp_path, "wav", samples=tone(0.8, 1100), name="psa")

    result = CliRunner().invoke(main, ["episodes", "import", str(folder), str(single), "--language", "bn",
                                       "--kind", "call_in", "--campaign", "Safe Migration"])
    assert result.exit_code == 1, result.output
    lines = result.stdout.splitlines()
    assert any(line.startswith(f"{folder / 'notes.mp3'}: error: the audio does not decode") for line in lines)
    with runtime.read_session() as session:
        episodes = {e.filename: e for e in session.scalars(select(Episode))}
    assert set(episodes) == {p.name for p in [*good, single]}
    for path in [*good, single]:
        assert f"{path}: {episodes[path.name].id}" in lines
    assert lines[-1] == "imported 4 of 5 file(s); 1 failed"
    assert "importing" in result.stderr  # the progress bar
    call = episodes["call.amr"]
    assert (call.format, call.kind, call.campaign, call.consent, call.restricted) == (
        "amr", "call_in", "Safe Migration", "none", True)
    assert episodes["সাক্ষাৎ ১.mp3"].title == "সাক্ষাৎ ১" and call.status == "ready"  # analysis ran (immediate)

    again = CliRunner().invoke(main, ["episodes", "import", str(single), "--title", "Again"])
    assert again.exit_code == 1 and f"(existing id {episodes['psa.wav'].id})" in again.stdout
    ok = CliRunner().invoke(main, ["episodes", "import", str(make_audio(tmp_path, "flac", name="new")),
                                   "--title", "নতুন"])
    assert ok.exit_code == 0 and ok.stdout.splitlines()[-1] == "imported 1 of 1 file(s); 0 failed"
    assert_consistent(runtime)
