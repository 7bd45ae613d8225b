"""One rate limiter shared across processes: the login throttle and the SMS webhook count in the database."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time
from pathlib import Path

from flask import Flask
from sqlalchemy import func, select

from radio import rate_limit
from radio.auth import create_user
from radio.models import RateLimitBucket
from radio.rate_limit import Limit
from radio.runtime import Runtime
from tests.ui_helpers import HTML, PASSWORD, csrf_token, second_runtime
from web import create_app

ROOT = Path(__file__).resolve().parents[1]

HAMMER = textwrap.dedent("""
    import sys, time
    from sqlalchemy.orm import sessionmaker
    from radio.db import make_engine
    from radio import rate_limit
    url, start, tries = sys.argv[1], float(sys.argv[2]), int(sys.argv[3])
    sessions = sessionmaker(bind=make_engine(url), expire_on_commit=False)
    limits = {rate_limit.limit_key("test", "shared"): rate_limit.Limit(12, 600)}
    while time.time() < start:
        time.sleep(0.005)
    print(sum(rate_limit.hit(sessions, limits).allowed for _ in range(tries)))
""")


def test_concurrent_processes_never_overshoot_a_limit(runtime: Runtime) -> None:
    start = time.time() + 3.0  # every process is started and connected before the first hit
    procs = [subprocess.Popen([sys.executable, "-c", HAMMER, runtime.settings.database_url, str(start), "10"],
                              cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for _ in range(4)]
    outputs = [p.communicate(timeout=120) for p in procs]
    assert all(p.returncode == 0 for p in procs), [err for _, err in outputs]
    allowed = [int(out) for out, _ in outputs]
    assert sum(allowed) == 12, allowed  # 40 tries in 4 processes at once, exactly the limit let through
    with runtime.read_session() as session:
        assert session.scalar(select(func.count()).select_from(RateLimitBucket)) == 1


def test_the_window_slides_and_refused_attempts_do_not_extend_it(runtime: Runtime) -> None:
    limits = {rate_limit.limit_key("test", "k"): Limit(3, 60)}
    assert [rate_limit.hit(runtime.sessions, limits, now=1000 + i).allowed for i in range(3)] == [True] * 3
    refused = rate_limit.hit(runtime.sessions, limits, now=1010)
    assert not refused.allowed and refused.retry_after == 50  # the first hit (t=1000) leaves at t=1060
    assert not rate_limit.hit(runtime.sessions, limits, now=1059).allowed
    assert rate_limit.hit(runtime.sessions, limits, now=1060.5).allowed  # one slot free again
    assert not rate_limit.hit(runtime.sessions, limits, now=1060.6).allowed


def test_several_keys_count_all_or_nothing(runtime: Runtime) -> None:
    a, b = rate_limit.limit_key("test", "a"), rate_limit.limit_key("test", "b")
    assert rate_limit.hit(runtime.sessions, {a: Limit(1, 60)}, now=0).allowed
    assert not rate_limit.hit(runtime.sessions, {a: Limit(1, 60), b: Limit(1, 60)}, now=1).allowed
    assert rate_limit.hit(runtime.sessions, {b: Limit(1, 60)}, now=2).allowed  # b was not charged by the refusal


def test_keys_are_hashed_and_bounded(runtime: Runtime) -> None:
    typed = "victim@example.org" + "x" * 100_000
    rate_limit.hit(runtime.sessions, {rate_limit.limit_key("login_account", typed): Limit(5, 900)})
    with runtime.read_session() as session:
        (key,) = session.scalars(select(RateLimitBucket.key))
    assert "victim" not in key and len(key) <= 80


def _login(client, email: str, password: str, address: str = "198.51.100.7"):
    return client.post("/login", data={"csrf_token": csrf_token(client), "email": email, "password": password},
                       headers=HTML, environ_base={"REMOTE_ADDR": address})


def test_two_web_processes_share_the_login_throttle(app: Flask, runtime: Runtime, tmp_path: Path) -> None:
    with runtime.session() as session:
        create_user(session, "target@example.org", "researcher", password=PASSWORD)
    other = second_runtime(runtime, tmp_path / "home-b")
    try:
        first, second = app.test_client(), create_app({"TESTING": True}, runtime=other).test_client()
        codes = [_login(c, "target@example.org", f"wrong-{i}").status_code
                 for i, c in enumerate([first, second, first, second, first])]
        assert codes == [401] * 5
        blocked = _login(second, "target@example.org", PASSWORD)  # the 6th try, in the other process
        assert blocked.status_code == 429 and 0 < int(blocked.headers["Retry-After"]) <= 15 * 60
    finally:
        other.close()


def test_a_good_password_clears_the_account_and_returns_the_address_slot(client, runtime: Runtime) -> None:
    with runtime.session() as session:
        create_user(session, "office@example.org", "producer", password=PASSWORD)
    for _ in range(25):  # more sign-ins from one office address than the address limit allows failures
        assert _login(client, "office@example.org", PASSWORD).status_code == 302
    assert [_login(client, "office@example.org", "wrong").status_code for _ in range(4)] == [401] * 4
    assert _login(client, "office@example.org", PASSWORD).status_code == 302  # clears the 4 failures
    assert [_login(client, "office@example.org", "wrong").status_code for _ in range(5)] == [401] * 5
    assert _login(client, "office@example.org", PASSWORD).status_code == 429
