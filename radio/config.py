"""Typed settings read from ``RADIO_*`` environment variables."""

from __future__ import annotations

import dataclasses
import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any


class SettingsError(ValueError):
    """A setting has a value that cannot be used."""


@dataclass(frozen=True)
class Settings:
    """Every setting of the service; each field ``x`` comes from ``RADIO_X``."""

    home: Path = Path("instance")  # Instance folder (database, queue, media, models).
    database_url: str = ""  # SQLAlchemy URL; default SQLite file in RADIO_HOME.
    redis_url: str = ""  # Redis URL for the job queue; unset: SQLite queue in RADIO_HOME.
    media_dir: Path | None = None  # Content-addressed media store; default RADIO_HOME/media.
    whisper_model: str = "base"  # `tiny.en`, `base` or a path to a CTranslate2 model folder.
    whisper_backend: str = "faster-whisper"  # Transcriber backend name.
    whisper_threads: int = 2  # CPU threads per transcription.
    whisper_compute_type: str = "int8"  # CTranslate2 compute type (int8 on CPU).
    whisper_device: str = "cpu"  # `cpu`, `cuda` or `auto`.
    max_upload_mb: int = 500  # Largest accepted upload in MiB (413 above).
    secret_key: str = ""  # Signs sessions and feed tokens; default: generated once in RADIO_HOME.
    target_lufs: float = -23.0  # Integrated loudness of the broadcast rendition (LUFS).
    true_peak_dbtp: float = -1.0  # True-peak ceiling of the broadcast rendition (dBTP).
    public_url: str = "http://127.0.0.1:5000"  # Base URL used in calendar and feed links.
    worker_threads: int = 1  # Jobs run at once by `radio worker` / `radio serve`.
    job_lease_s: int = 600  # Seconds without a heartbeat before a running job is retried.
    log_level: str = "INFO"  # Logging level.
    queue_immediate: bool = False  # Run jobs inline instead of queueing (tests, debugging).
    feedback_window_h: float = 2.0  # Hours after an airing in which listener SMS and missed calls count for it.

    @property
    def media_path(self) -> Path:
        """The media store folder."""
        return self.media_dir if self.media_dir is not None else self.home / "media"

    @property
    def sqlalchemy_url(self) -> str:
        """The database URL, defaulting to SQLite under ``home``."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.home / 'radio.db').resolve()}"

    @property
    def max_upload_bytes(self) -> int:
        """The upload limit in bytes."""
        return self.max_upload_mb * 1024 * 1024

    def with_changes(self, **changes: Any) -> Settings:
        """A copy with some fields replaced."""
        return dataclasses.replace(self, **changes)


def env_name(field_name: str) -> str:
    """The environment variable of a settings field."""
    return "RADIO_" + field_name.upper()


def setting_names() -> list[str]:
    """All ``RADIO_*`` variable names, for documentation checks."""
    return [env_name(f.name) for f in dataclasses.fields(Settings)]


def _convert(raw: Any, annotation: str, name: str) -> Any:
    if raw is None or not isinstance(raw, str):
        return raw
    if annotation == "bool":
        if raw.strip().lower() in ("1", "true", "yes", "on"):
            return True
        if raw.strip().lower() in ("0", "false", "no", "off", ""):
            return False
        raise SettingsError(f"{env_name(name)} must be true or false, got {raw!r}")
    try:
        if annotation == "int":
            return int(raw)
        if annotation == "float":
            return float(raw)
    except ValueError as exc:
        raise SettingsError(f"{env_name(name)} must be a number, got {raw!r}") from exc
    if annotation in ("Path", "Path | None"):
        return Path(raw).expanduser() if raw else None
    return raw


def load_settings(overrides: Mapping[str, Any] | None = None, environ: Mapping[str, str] | None = None) -> Settings:
    """Build settings from the environment, then ``overrides`` (keys ``RADIO_X`` or ``x``)."""
    environ = os.environ if environ is None else environ
    values: dict[str, Any] = {}
    for f in dataclasses.fields(Settings):
        key = env_name(f.name)
        if key in environ and environ[key] != "":
            values[f.name] = _convert(environ[key], str(f.type), f.name)
    for key, value in (overrides or {}).items():
        name = key[len("RADIO_"):].lower() if key.startswith("RADIO_") else key.lower()
        if name in {f.name for f in dataclasses.fields(Settings)}:
            ftype = next(str(f.type) for f in dataclasses.fields(Settings) if f.name == name)
            values[name] = _convert(value, ftype, name) if isinstance(value, str) else value
    # Absolute paths, so that workers and servers started from other folders agree.
    values["home"] = Path(values.get("home") or Settings.home).expanduser().absolute()
    if values.get("media_dir") is not None:
        values["media_dir"] = Path(values["media_dir"]).expanduser().absolute()
    settings = Settings(**values)
    if settings.max_upload_mb <= 0:
        raise SettingsError("RADIO_MAX_UPLOAD_MB must be positive")
    if settings.worker_threads < 1:
        raise SettingsError("RADIO_WORKER_THREADS must be at least 1")
    return settings


def ensure_secret_key(settings: Settings) -> str:
    """The configured secret key, or one generated once and kept in ``home``."""
    if settings.secret_key:
        return settings.secret_key
    path = settings.home / "secret_key"
    if path.exists():
        return path.read_text().strip()
    settings.home.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(key)
    try:
        os.link(tmp, path)  # first writer wins when two processes start together
    except FileExistsError:
        pass
    finally:
        tmp.unlink(missing_ok=True)
    return path.read_text().strip()
