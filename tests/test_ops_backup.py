"""Backup, verify and restore: damage is found and named, a backup restores into an empty home and verifies clean."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from backends import PG_URL
from click.testing import CliRunner
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

from episodes.models import Episode
from radio import runtime as runtime_module
from radio.backup import BackupError, pg_tool
from radio.cli import main
from radio.integrity import clean_abandoned_temp_files, verify_home
from radio.jobs import create_job
from radio.models import Job
from radio.runtime import Runtime
from radio.storage import tmp_prefix


def _store(runtime: Runtime, content: bytes, suffix: str = ".mp3") -> tuple[str, Path]:
    staged = runtime.store.stage(io.BytesIO(content))
    return staged.sha256, runtime.store.commit(staged, suffix)


def _episode(runtime: Runtime, title: str, sha: str, broadcast: str | None = None) -> str:
    with runtime.session() as session:
        episode = Episode(title=title, sha256=sha, media_suffix=".mp3", broadcast_sha256=broadcast)
        session.add(episode)
        session.flush()
        return episode.id


@pytest.fixture
def library(runtime: Runtime) -> dict[str, Path]:
    """Three episodes (one with a broadcast rendition) and one unreferenced object."""
    paths = {}
    for name in ("drama", "psa", "rendition", "stray"):
        sha, paths[name] = _store(runtime, f"{name} ".encode() * 5000 + os.urandom(16))
    _episode(runtime, "নাটক", paths["drama"].name[:64])
    _episode(runtime, "PSA", paths["psa"].name[:64], broadcast=paths["rendition"].name[:64])
    return paths


@pytest.fixture
def empty_target(database_url: str, tmp_path: Path) -> Iterator[dict[str, str]]:
    """Settings of a new, empty home (and an empty PostgreSQL database when the test runs on PostgreSQL)."""
    env = {"RADIO_HOME": str(tmp_path / "restored"), "RADIO_REDIS_URL": "", "RADIO_QUEUE_IMMEDIATE": "true",
           "RADIO_SECRET_KEY": "", "RADIO_DATABASE_URL": ""}
    if database_url.startswith("sqlite"):
        yield env
        return
    name = f"radio_restore_{uuid.uuid4().hex[:8]}"
    admin = create_engine(make_url(PG_URL).set(drivername="postgresql+psycopg"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    env["RADIO_DATABASE_URL"] = make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
    yield env
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _cli(args: list[str], env: dict[str, str] | None = None) -> tuple[int, str]:
    result = CliRunner().invoke(main, args, env=env, catch_exceptions=False)
    return result.exit_code, result.output


def test_backup_damage_verify_restore_verify(runtime, library, empty_target, tmp_path, monkeypatch) -> None:
    code, out = _cli(["verify"])
    assert code == 0, out
    assert "orphan_object" in out and library["stray"].name in out  # a warning, not a failure

    (runtime.settings.home / "secret_key").write_text("feed-signing-key")  # as `radio init` leaves it
    dest = tmp_path / "backup"
    code, out = _cli(["backup", str(dest)])
    assert code == 0, out
    manifest = json.loads((dest / "manifest.json").read_text())
    media = {k for k in manifest["files"] if k.startswith("media/")}
    assert len(media) == 4 and manifest["media_objects"] == 4
    assert manifest["files"]["secret_key"]["size"] == len("feed-signing-key")

    # Damage the live home: flip one byte of one object, delete another.
    damaged, deleted = library["drama"], library["rendition"]
    data = bytearray(damaged.read_bytes())
    data[100] ^= 0xFF
    damaged.write_bytes(bytes(data))
    deleted.unlink()
    code, out = _cli(["verify"])
    assert code == 1
    assert f"damaged: {damaged.relative_to(runtime.store.root)}" in out
    assert f"missing: {deleted.relative_to(runtime.store.root).with_suffix('')}" in out
    assert "episodes.broadcast_sha256" in out

    # Restore into a new, empty home; it verifies clean and holds the same episodes.
    runtime_module.set_runtime(None)
    code, out = _cli(["restore", str(dest)], env=empty_target)
    assert code == 0, out
    assert "verify: clean" in out
    restored = runtime_module.get_runtime()
    try:
        report = verify_home(restored)
        assert report.ok and report.objects_checked == 4 and report.references_checked == 3
        with restored.read_session() as session:
            assert sorted(session.scalars(select(Episode.title))) == ["PSA", "নাটক"]
        assert restored.store.path_for(damaged.name[:64], ".mp3").read_bytes() != bytes(data)
        assert restored.secret_key == "feed-signing-key"
        # A second restore into the now non-empty home is refused.
        code, out = _cli(["restore", str(dest)], env=empty_target)
        assert code == 1 and "empty" in out
    finally:
        restored.close()
        runtime_module.set_runtime(runtime)


def test_restore_refuses_a_damaged_backup_and_writes_nothing(runtime, library, empty_target, tmp_path) -> None:
    dest = tmp_path / "backup"
    assert _cli(["backup", str(dest)])[0] == 0
    victim = next((dest / "media").rglob("*.mp3"))
    victim.write_bytes(victim.read_bytes()[:-1])
    (dest / "secret_key").unlink(missing_ok=True)
    code, out = _cli(["verify", "--backup", str(dest)])
    assert code == 1 and victim.name in out
    runtime_module.set_runtime(None)
    try:
        code, out = _cli(["restore", str(dest)], env=empty_target)
    finally:
        runtime_module.set_runtime(runtime)
    assert code == 1 and "damaged" in out and victim.name in out
    assert not Path(empty_target["RADIO_HOME"]).exists()


def test_backup_refuses_a_non_empty_destination_and_a_missing_manifest(runtime, tmp_path) -> None:
    dest = tmp_path / "full"
    dest.mkdir()
    (dest / "something").write_text("x")
    code, out = _cli(["backup", str(dest)])
    assert code == 1 and "not empty" in out
    code, out = _cli(["restore", str(dest)])
    assert code == 1 and "manifest.json" in out


def test_backup_is_consistent_while_the_database_is_written(runtime, library, tmp_path) -> None:
    stop = threading.Event()
    written = []

    def writer() -> None:
        while not stop.is_set():
            with runtime.session() as session:
                written.append(create_job(session, _kind(), {"n": len(written)}).id)

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        for n in range(3):
            assert _cli(["backup", str(tmp_path / f"b{n}")])[0] == 0
    finally:
        stop.set()
        thread.join()
    assert written
    if runtime.engine.dialect.name == "sqlite":
        snap = create_engine(f"sqlite:///{tmp_path / 'b2' / 'database.sqlite3'}")
        with snap.connect() as conn:
            assert conn.execute(text("PRAGMA integrity_check")).scalar() == "ok"
            assert 0 < conn.execute(select(func.count()).select_from(Job.__table__)).scalar() <= len(written)
        snap.dispose()


def _kind() -> str:
    import fault_jobs  # noqa: F401 - registers test.sleep

    return "test.sleep"


def test_missing_pg_dump_is_a_clear_error(monkeypatch) -> None:
    monkeypatch.setattr("radio.backup.shutil.which", lambda name: None)
    with pytest.raises(BackupError, match="pg_dump is not installed"):
        pg_tool("pg_dump")


def test_temp_files_of_dead_uploads_are_reported_and_repaired(runtime) -> None:
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    dead_pid = int(dead.stdout)
    tmp = runtime.store.tmp_dir
    abandoned = tmp / (tmp_prefix().rsplit("-", 2)[0] + f"-{dead_pid}-abc.part")
    live = tmp / (tmp_prefix() + "live.part")
    abandoned.write_bytes(b"half an upload")
    live.write_bytes(b"being written")
    report = verify_home(runtime)
    assert report.ok and [p.path for p in report.problems if p.kind == "orphan_temp"] == [f"tmp/{abandoned.name}"]
    code, out = _cli(["verify", "--repair"])
    assert code == 0 and f"removed tmp/{abandoned.name}" in out
    assert not abandoned.exists() and live.exists()
    assert clean_abandoned_temp_files(runtime.store) == []
