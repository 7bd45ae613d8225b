"""The process-wide runtime: settings plus the engine, sessions, media store and job queue built from them."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from radio.audit import ANCHOR_FILE, ANCHOR_INFO
from radio.config import Settings, ensure_secret_key, load_settings
from radio.db import make_engine, make_session_factory
from radio.permissions import PRIVATE_UMASK
from radio.storage import MediaStore
from radio.transactions import unit_of_work

if TYPE_CHECKING:
    from huey import Huey


@dataclass
class Runtime:
    """Everything a web request, CLI command or job needs, built once per process."""

    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    read_sessions: sessionmaker[Session]
    store: MediaStore
    secret_key: str
    _huey: Huey | None = field(default=None, repr=False)
    extras: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_settings(cls, settings: Settings) -> Runtime:
        """Build the runtime; creates the instance folders (private to this user) but no tables."""
        os.umask(PRIVATE_UMASK)  # every file and folder this process makes: 0600 / 0700, whatever the umask was
        settings.home.mkdir(parents=True, exist_ok=True)
        store = MediaStore(settings.media_path)
        store.ensure()
        engine = make_engine(settings.sqlalchemy_url)
        return cls(
            settings=settings,
            engine=engine,
            sessions=make_session_factory(engine, info={ANCHOR_INFO: str(settings.home / ANCHOR_FILE)}),
            read_sessions=make_session_factory(engine, readonly=True),
            store=store,
            secret_key=ensure_secret_key(settings),
        )

    @property
    def huey(self) -> Huey:
        """The job queue (built on first use)."""
        if self._huey is None:
            from radio.jobs import make_huey

            self._huey = make_huey(self.settings)
        return self._huey

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A unit of work that commits once on success (the CLI's and the workers' commit point)."""
        with unit_of_work(self.sessions) as session:
            yield session

    @contextmanager
    def read_session(self) -> Iterator[Session]:
        """A read-only unit of work (never takes SQLite's write lock)."""
        with unit_of_work(self.read_sessions) as session:
            yield session

    def close(self) -> None:
        """Release connections."""
        self.engine.dispose()


_current: Runtime | None = None
_lock = threading.Lock()


def set_runtime(runtime: Runtime | None) -> None:
    """Make ``runtime`` the one this process's jobs use."""
    global _current
    _current = runtime


def get_runtime() -> Runtime:
    """The process's runtime, built from the environment on first use."""
    global _current
    with _lock:
        if _current is None:
            _current = Runtime.from_settings(load_settings())
        return _current
