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
    """Empty every table of a PostgreSQL test database, the search index's vocabulary tables too (they are no
    models, and words a test left there would be another test's candidates)."""
    load_models()
    engine = make_engine(url)
    with engine.begin() as conn:
        vocabularies = conn.execute(text("SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
                                         " AND tablename LIKE 'search\\_%terms%'")).scalars().all()
        tables = ", ".join(f'"{name}"' for name in [*(t.name for t in Base.metadata.sorted_tables), *vocabularies])
        conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    engine.dispose()
