"""Database: one declarative ``Base``, engines for SQLite and PostgreSQL, session scopes."""

from __future__ import annotations

import datetime as dt
import logging
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Annotated, Any, TypeVar

from sqlalchemy import JSON, DateTime, MetaData, String, create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import DeclarativeBase, Session, mapped_column, sessionmaker
from sqlalchemy.types import TypeDecorator

log = logging.getLogger(__name__)
T = TypeVar("T")
# PostgreSQL's "try again" states: serialization failure, deadlock detected, lock not available.
_RETRYABLE_SQLSTATES = frozenset({"40001", "40P01", "55P03"})
BUSY_RETRIES = 4  # attempts after the first; each waits longer (0.25 s, 0.5 s, 1 s, 2 s) on top of busy_timeout

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> dt.datetime:
    """The current time, timezone-aware in UTC."""
    return dt.datetime.now(dt.UTC)


def new_id() -> str:
    """A new random identifier (32 hex characters)."""
    return uuid.uuid4().hex


class UTCDateTime(TypeDecorator[dt.datetime]):
    """A timestamp stored as UTC and always returned timezone-aware (SQLite drops the offset)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(dt.UTC)

    def process_result_value(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)


IdPk = Annotated[str, mapped_column(String(32), primary_key=True, default=new_id)]
Created = Annotated[dt.datetime, mapped_column(UTCDateTime(), default=utcnow, nullable=False)]
Updated = Annotated[dt.datetime, mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow, nullable=False)]
Timestamp = Annotated[dt.datetime, mapped_column(UTCDateTime())]
JsonDict = Annotated[dict[str, Any], mapped_column(JSON, default=dict, nullable=False)]
JsonList = Annotated[list[Any], mapped_column(JSON, default=list, nullable=False)]


class Base(DeclarativeBase):
    """The one declarative base every model of every package uses."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {dt.datetime: UTCDateTime()}


def _sqlite_pragmas(dbapi_connection: Any, connection_record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=15000")
    # Reads through a memory map and a 32 MB page cache: random lookups (search ranking, joins) skip read() calls.
    cursor.execute("PRAGMA mmap_size=1073741824")
    cursor.execute("PRAGMA cache_size=-32768")
    cursor.close()


def make_engine(url: str, **kwargs: Any) -> Engine:
    """An engine for ``url``: SQLite gets foreign keys, WAL and a busy timeout; PostgreSQL uses psycopg 3."""
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        url = "postgresql+psycopg://" + url.split("://", 1)[1]
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 15, "check_same_thread": False}, **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas)

        @event.listens_for(engine, "connect")
        def _no_pysqlite_begin(dbapi_connection: Any, record: Any) -> None:
            dbapi_connection.isolation_level = None  # we issue BEGIN ourselves

        @event.listens_for(engine, "begin")
        def _begin(conn: Any) -> None:
            # A deferred BEGIN that later writes can fail at once with SQLITE_BUSY when another
            # connection wrote meanwhile; writers take the lock up front, read-only work does not.
            # query_only makes a write in a read session fail loudly instead of being rolled back unseen.
            if conn.get_execution_options().get("readonly"):
                conn.exec_driver_sql("PRAGMA query_only=1")
                conn.exec_driver_sql("BEGIN")
            else:
                conn.exec_driver_sql("PRAGMA query_only=0")
                conn.exec_driver_sql("BEGIN IMMEDIATE")

        return engine
    engine = create_engine(url, pool_pre_ping=True, **kwargs)

    @event.listens_for(engine, "begin")
    def _read_only(conn: Any) -> None:
        if conn.get_execution_options().get("readonly"):
            conn.exec_driver_sql("SET TRANSACTION READ ONLY")

    return engine


def make_session_factory(engine: Engine, *, readonly: bool = False,
                         info: dict[str, Any] | None = None) -> sessionmaker[Session]:
    """Sessions that keep loaded objects usable after commit; ``readonly`` ones never take SQLite's write lock
    and refuse to write (SQLite ``query_only``, PostgreSQL ``READ ONLY`` transactions). ``info`` is copied
    into every session's ``info`` (e.g. where the audit anchor lives)."""
    bind = engine.execution_options(readonly=True) if readonly else engine
    return sessionmaker(bind=bind, expire_on_commit=False, info=info)


def is_busy(exc: BaseException) -> bool:
    """True when ``exc`` means "the database is busy, try again": SQLite's locked database (after its busy
    timeout), PostgreSQL's serialization failures, deadlocks and lock timeouts."""
    if not isinstance(exc, DBAPIError):
        return False
    if getattr(exc.orig, "sqlstate", None) in _RETRYABLE_SQLSTATES:
        return True
    message = str(exc.orig).lower()
    return "database is locked" in message or "database table is locked" in message or "database is busy" in message


def retry_busy(work: Callable[[], T], *, before_retry: Callable[[], None] | None = None,
               retries: int = BUSY_RETRIES, first_delay: float = 0.25) -> T:
    """Run ``work``; when it fails because the database is busy, call ``before_retry`` (a rollback) and run it
    again, up to ``retries`` more times with a doubling pause. Any other error, or the last busy one, is raised."""
    delay = first_delay
    for attempt in range(retries + 1):
        try:
            return work()
        except DBAPIError as exc:
            if attempt == retries or not is_busy(exc):
                raise
            log.warning("database busy (%s); retrying in %.2f s", exc.orig, delay)
            if before_retry is not None:
                before_retry()
            time.sleep(delay)
            delay *= 2
    raise AssertionError("unreachable")


@contextmanager
def short_read_session(session: Session) -> Iterator[Session]:
    """A separate read-only session on ``session``'s database, closed on exit: reads that must not begin
    ``session``'s write transaction (on SQLite that would take the write lock) go through it."""
    bind = session.get_bind()
    engine = bind if isinstance(bind, Engine) else bind.engine
    read = Session(bind=engine.execution_options(readonly=True))
    try:
        yield read
    finally:
        read.rollback()
        read.close()
