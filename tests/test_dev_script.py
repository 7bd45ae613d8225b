"""`dev.py serve` installs only what the service needs; `dev.py test` adds the test extra."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _load_dev(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Any, list[list[str]]]:
    spec = importlib.util.spec_from_file_location("dev_script", ROOT / "dev.py")
    assert spec and spec.loader
    dev = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(dev)
    (tmp_path / "bin").mkdir()
    (tmp_path / "bin" / "python").touch()
    monkeypatch.setattr(dev, "BIN", tmp_path / "bin")
    monkeypatch.setattr(dev, "STAMP", tmp_path / ".radio-installed")
    monkeypatch.setattr(sys, "version_info", (3, 11, 0))
    calls: list[list[str]] = []
    monkeypatch.setattr(dev, "run", lambda *cmd, **kw: calls.append([str(c) for c in cmd]) or 0)
    return dev, calls


def test_serve_installs_the_service_without_the_test_extra(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    dev, calls = _load_dev(tmp_path, monkeypatch)
    dev.ensure_venv(with_tests=False)
    installs = [c for c in calls if "install" in c and "-e" in c]
    assert installs and installs[-1][-1] == str(dev.ROOT)  # no "[test]"
    calls.clear()
    dev.ensure_venv(with_tests=False)
    assert calls == []  # installed once
    dev.ensure_venv(with_tests=True)
    assert [c for c in calls if "-e" in c][-1][-1] == f"{dev.ROOT}[test]"
    calls.clear()
    dev.ensure_venv(with_tests=False)  # a test install serves the service too
    assert calls == []
