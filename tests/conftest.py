"""Shared fixtures: a per-test app on a temporary home, on SQLite and (when configured) PostgreSQL."""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from backends import PG_URL, needs_pg, truncate_all
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from radio.auth import create_user, issue_token
from radio.config import load_settings
from radio.db import make_engine
from radio.migrate import upgrade
from radio.runtime import Runtime, set_runtime
from web import create_app


def _worker_id() -> str:
    return os.environ.get("PYTEST_XDIST_WORKER", "main")


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite database migrated once per session; each test gets a copy."""
    path = tmp_path_factory.mktemp("template") / "radio.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    engine.dispose()
    return path


@pytest.fixture(scope="session")
def pg_database() -> Iterator[str]:
    """A PostgreSQL database of this test session, migrated once, dropped at the end."""
    if not PG_URL:
        pytest.skip("RADIO_TEST_DATABASE_URL is not set")
    name = f"radio_test_{_worker_id()}_{uuid.uuid4().hex[:8]}"
    admin = create_engine(make_url(PG_URL).set(drivername="postgresql+psycopg"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(PG_URL).set(drivername="postgresql+psycopg", database=name).render_as_string(hide_password=False)
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    yield url
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=[needs_pg, pytest.mark.postgres])])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A migrated, empty database for one test: SQLite copy or a truncated PostgreSQL database."""
    if request.param == "sqlite":
        template = request.getfixturevalue("sqlite_template")
        target = tmp_path / "radio.db"
        shutil.copyfile(template, target)
        yield f"sqlite:///{target}"
    else:
        url = request.getfixturevalue("pg_database")
        yield url
        truncate_all(url)


@pytest.fixture
def settings_overrides() -> dict[str, Any]:
    """Tests override settings by redefining this fixture or mutating the dict."""
    return {}


@pytest.fixture
def runtime(tmp_path: Path, database_url: str, settings_overrides: dict[str, Any]) -> Iterator[Runtime]:
    """A runtime on a temporary home with the queue in immediate mode."""
    home = tmp_path / "home"
    overrides = {
        "RADIO_HOME": str(home),
        "RADIO_DATABASE_URL": database_url,
        "RADIO_REDIS_URL": "",
        "RADIO_QUEUE_IMMEDIATE": True,
        "RADIO_SECRET_KEY": "test-secret-key",
        "RADIO_WHISPER_MODEL": "tiny.en",
        **settings_overrides,
    }
    settings = load_settings(overrides, environ={})
    rt = Runtime.from_settings(settings)
    set_runtime(rt)
    yield rt
    rt.close()
    set_runtime(None)


@pytest.fixture
def app(runtime: Runtime) -> Flask:
    """The Flask app of this test."""
    flask_app = create_app({"TESTING": True}, runtime=runtime)
    return flask_app


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """A test client with no credentials."""
    return app.test_client()


class ApiClient:
    """A test client that sends a Bearer token on every request."""

    def __init__(self, client: FlaskClient, token: str, user_id: str, role: str) -> None:
        self.client = client
        self.token = token
        self.user_id = user_id
        self.role = role

    def _headers(self, kwargs: dict[str, Any]) -> dict[str, Any]:
        headers = dict(kwargs.pop("headers", {}) or {})
        headers.setdefault("Authorization", f"Bearer {self.token}")
        return headers

    def get(self, url: str, **kwargs: Any) -> Any:
        return self.client.get(url, headers=self._headers(kwargs), **kwargs)

    def post(self, url: str, **kwargs: Any) -> Any:
        return self.client.post(url, headers=self._headers(kwargs), **kwargs)

    def patch(self, url: str, **kwargs: Any) -> Any:
        return self.client.patch(url, headers=self._headers(kwargs), **kwargs)

    def put(self, url: str, **kwargs: Any) -> Any:
        return self.client.put(url, headers=self._headers(kwargs), **kwargs)

    def delete(self, url: str, **kwargs: Any) -> Any:
        return self.client.delete(url, headers=self._headers(kwargs), **kwargs)


@pytest.fixture
def make_station(runtime: Runtime) -> Any:
    """Create a station row directly: ``make_station("slug", timezone=...)``."""
    from schedule.models import Station

    def make(slug: str = "radio-padma", **fields: Any) -> Station:
        with runtime.session() as session:
            station = Station(slug=slug, name=fields.pop("name", slug.replace("-", " ").title()), **fields)
            session.add(station)
        return station

    return make


@pytest.fixture
def api_as(app: Flask, runtime: Runtime, make_station: Any) -> Any:
    """``api_as("producer")`` → an ApiClient for a new user of that role (station users get a station)."""
    counter = {"n": 0}

    def make(role: str, station: str | None = None) -> ApiClient:
        counter["n"] += 1
        if role == "station" and station is None:
            station = f"station-{counter['n']}"
            make_station(station)
        with runtime.session() as session:
            user = create_user(session, f"{role}{counter['n']}@example.org", role, station_slug=station,
                               password="correct horse battery")
            token = issue_token(session, user)
        return ApiClient(app.test_client(), token, user.id, role)

    return make
