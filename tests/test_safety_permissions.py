"""A home made under umask 022 is found world-readable by `radio verify`; `radio init` makes it private."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from proc_helpers import STACK_PARAMS, Stack, free_port, make_stack, stop, wait_for

from radio.cli import main
from radio.permissions import looser_than_private, make_private


def _modes(root: Path) -> dict[str, int]:
    return {str(p.relative_to(root)): stat.S_IMODE(p.stat().st_mode) for p in [root, *root.rglob("*")]}


def test_permissions_under_umask_022(runtime, api_as) -> None:
    home = runtime.settings.home
    old = os.umask(0o022)
    try:
        (home / "media" / "ab").mkdir(parents=True, exist_ok=True)
        (home / "media" / "ab" / "survivor.mp3").write_bytes(b"ID3")
        os.chmod(home, 0o755)
        (home / "secret_key").write_text("key")
        os.chmod(home / "secret_key", 0o644)
        assert looser_than_private([home])  # what a fresh home looked like: other accounts could read audio
        result = CliRunner().invoke(main, ["verify"], catch_exceptions=False)
        assert result.exit_code == 1 and "permissions" in result.output and str(home) in result.output

        result = CliRunner().invoke(main, ["init", "--skip-model"], catch_exceptions=False)
        assert result.exit_code == 0, result.output
        assert os.umask(0o022) == 0o077  # init left this process with the private umask
        modes = _modes(home)
        assert all(mode & 0o077 == 0 for mode in modes.values()), modes
        assert modes["."] == 0o700 and modes["secret_key"] == 0o600 and modes["media/ab/survivor.mp3"] == 0o600
        result = CliRunner().invoke(main, ["verify"], catch_exceptions=False)
        assert result.exit_code == 0, result.output

        os.umask(0o022)
        make_private([])  # the serve and worker commands start with the same call
        new = home / "media" / "later.mp3"
        new.write_bytes(b"x")
        (home / "media" / "later").mkdir()
        assert stat.S_IMODE(new.stat().st_mode) == 0o600
        assert stat.S_IMODE((home / "media" / "later").stat().st_mode) == 0o700
    finally:
        os.umask(old)


@pytest.fixture(params=STACK_PARAMS)
def stack(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Stack]:
    yield from make_stack(request, tmp_path)


def _umask_of(pid: int) -> int:
    line = next(x for x in Path(f"/proc/{pid}/status").read_text().splitlines() if x.startswith("Umask:"))
    return int(line.split()[1], 8)


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads a process's umask from /proc")
def test_radio_serve_and_radio_worker_started_under_umask_022_keep_the_home_private(stack: Stack) -> None:
    home = Path(stack.env["RADIO_HOME"])
    audio = home / "media" / "ab" / "survivor.mp3"
    audio.parent.mkdir(parents=True, exist_ok=True)
    audio.write_bytes(b"ID3")
    old = os.umask(0o022)  # the children inherit it, as from a careless service unit
    try:
        for name, start in (("worker", stack.worker), ("serve", lambda: stack.server(free_port(), "--no-worker"))):
            os.chmod(home, 0o755)
            os.chmod(audio, 0o644)
            proc = start()
            try:
                wait_for(lambda: stat.S_IMODE(audio.stat().st_mode) == 0o600, 90,  # a loaded machine starts slowly
                         f"radio {name} to make the home private")
            except AssertionError as exc:
                stop(proc)
                raise AssertionError(f"{exc}\n{stack.logs()}") from None
            assert stat.S_IMODE(home.stat().st_mode) == 0o700
            assert _umask_of(proc.pid) == 0o077  # what it creates later is private too
            stop(proc)  # may still be starting up: its exit code is not what this test is about
    finally:
        os.umask(old)
    assert looser_than_private([home]) == []
