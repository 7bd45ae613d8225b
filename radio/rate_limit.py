"""One rate limiter for every web process and machine: sliding-window hit logs kept in the database.

Why the database and not each process's memory or Redis: every web process of every machine already shares
it (SQLite for one machine, PostgreSQL for several), so a limit means the same thing under ``gunicorn -w 8``
on two machines as under ``radio serve``; it needs no extra service, and it behaves the same on both
backends. The cost is one short write transaction per counted request (a login attempt, a webhook call),
well below what those requests cost anyway (a password hash, a stored message).

Each key (``"login_account:<SHA-256>"``) has one row holding the stamps of its hits inside the window,
oldest first, at most ``limit`` of them. :func:`hit` counts one attempt against several keys at once and
all-or-nothing: it locks the keys' rows (PostgreSQL ``SELECT … FOR UPDATE`` in key order, so two processes
never deadlock; SQLite's ``BEGIN IMMEDIATE`` write lock), drops stamps older than the window, refuses when
any key is full (with the seconds until its oldest stamp leaves the window), else adds a stamp to each. A
refused attempt is not counted, so a blocked client cannot extend its own wait. The check and the count are
one step, so concurrent attempts cannot overshoot a limit. The limiter runs in its own transaction,
committed at once: a request that fails (a wrong password answers 401 and rolls back) still counts.

Keys are hashed (the e-mail as typed never lands in this table) and expired rows are purged now and then,
so made-up account names cannot grow the table beyond what their hits within one window wrote.
Clocks: stamps come from the machine that counts; machines of one deployment are assumed NTP-synchronised
(a skew of a few seconds moves a 60 s or 15 min window by that much, nothing more).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import random
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, sessionmaker

from radio.db import retry_busy
from radio.models import RateLimitBucket

PURGE_CHANCE = 0.02  # one counted request in fifty removes every expired row


@dataclass(frozen=True)
class Limit:
    """At most ``count`` hits per ``window_s`` seconds for one key."""

    count: int
    window_s: float


@dataclass(frozen=True)
class Decision:
    """What :func:`hit` decided: allowed (and the stamp it wrote, for :func:`refund`) or the wait in seconds."""

    allowed: bool
    retry_after: int = 0
    stamp: int = 0


def limit_key(name: str, value: str) -> str:
    """The stored key for ``value`` under the limit ``name`` (hashed: bounded and free of personal data)."""
    return f"{name[:15]}:{hashlib.sha256(value.encode('utf-8', 'surrogatepass')).hexdigest()}"


def _stamps(row: RateLimitBucket) -> list[int]:
    return [int(s) for s in row.hits.split()] if row.hits else []


def _store(row: RateLimitBucket, stamps: list[int], window_s: float) -> None:
    row.hits = " ".join(str(s) for s in stamps)
    newest = stamps[-1] / 1e6 if stamps else 0.0
    row.expires_at = dt.datetime.fromtimestamp(newest + window_s, dt.UTC)


def _locked_rows(session: Session, keys: list[str], now_us: int) -> dict[str, RateLimitBucket]:
    """The rows of ``keys`` (created empty when missing), locked until the transaction ends."""
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    expires = dt.datetime.fromtimestamp(now_us / 1e6, dt.UTC)
    for key in keys:  # in sorted order: concurrent callers lock the same rows in the same order
        session.execute(insert(RateLimitBucket).values(key=key, hits="", expires_at=expires)
                        .on_conflict_do_nothing(index_elements=["key"]))
    rows = session.scalars(select(RateLimitBucket).where(RateLimitBucket.key.in_(keys))
                           .order_by(RateLimitBucket.key).with_for_update())
    return {row.key: row for row in rows}


def _in_window(stamps: list[int], now_us: int, window_s: float) -> list[int]:
    start = now_us - int(window_s * 1e6)
    return [s for s in stamps if s > start]


def hit(sessions: sessionmaker[Session], limits: Mapping[str, Limit], *, now: float | None = None) -> Decision:
    """Count one attempt against every key of ``limits`` — unless one of them is full, then count nothing and
    answer how long to wait. Runs and commits in its own transaction."""
    now_us = int((time.time() if now is None else now) * 1e6)
    keys = sorted(limits)

    def work() -> Decision:
        with sessions() as session, session.begin():
            rows = _locked_rows(session, keys, now_us)
            recent = {key: _in_window(_stamps(rows[key]), now_us, limits[key].window_s) for key in keys}
            wait_us = 0
            for key in keys:
                limit = limits[key]
                if len(recent[key]) >= limit.count:
                    oldest_blocking = recent[key][-limit.count]
                    wait_us = max(wait_us, oldest_blocking + int(limit.window_s * 1e6) - now_us)
            if wait_us > 0:
                for key in keys:
                    _store(rows[key], recent[key], limits[key].window_s)
                return Decision(allowed=False, retry_after=max(1, math.ceil(wait_us / 1e6)))
            stamp = max([now_us, *(s + 1 for key in keys for s in recent[key][-1:])])  # strictly increasing
            for key in keys:
                _store(rows[key], [*recent[key], stamp][-limits[key].count:], limits[key].window_s)
            if random.random() < PURGE_CHANCE:
                session.execute(delete(RateLimitBucket).where(
                    RateLimitBucket.expires_at < dt.datetime.fromtimestamp(now_us / 1e6, dt.UTC),
                    RateLimitBucket.key.not_in(keys)))
            return Decision(allowed=True, stamp=stamp)

    return retry_busy(work)


def refund(sessions: sessionmaker[Session], keys: list[str], stamp: int) -> None:
    """Take back the hit :func:`hit` wrote with ``stamp`` from ``keys`` (the attempt turned out harmless)."""
    _rewrite(sessions, keys, lambda stamps: [s for s in stamps if s != stamp])


def clear(sessions: sessionmaker[Session], keys: list[str]) -> None:
    """Forget every hit of ``keys``."""
    _rewrite(sessions, keys, lambda stamps: [])


def _rewrite(sessions: sessionmaker[Session], keys: list[str], change: Callable[[list[int]], list[int]]) -> None:
    def work() -> None:
        with sessions() as session, session.begin():
            for row in session.scalars(select(RateLimitBucket).where(RateLimitBucket.key.in_(sorted(keys)))
                                       .order_by(RateLimitBucket.key).with_for_update()):
                stamps = change(_stamps(row))
                row.hits = " ".join(str(s) for s in stamps)

    retry_busy(work)

