"""Which real servers the tests may use (from RADIO_TEST_* variables), shared by conftest and helpers.

Test modules import from here, never from ``conftest`` (pytest may load another conftest under that name).
"""

from __future__ import annotations

import os

import pytest
from sqlalchemy import text

from radio.db import Base, make_engine
from radio.migrate import load_models

PG_URL = os.environ.get("RADIO_TEST_DATABASE_URL", "")
REDIS_URL = os.environ.get("RADIO_TEST_REDIS_URL", "")

needs_pg = pytest.mark.skipif(not PG_URL, reason="RADIO_TEST_DATABASE_URL is not set")
needs_redis = pytest.mark.skipif(not REDIS_URL, reason="RADIO_TEST_REDIS_URL is not set")


def truncate_all(url: str) -> None:
    """Empty every table of a PostgreSQL test database."""
    load_models()
    engine = make_engine(url)
    tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
    with engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    engine.dispose()
