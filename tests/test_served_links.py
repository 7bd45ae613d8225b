"""Links from where the service runs: `radio serve --host H --port P` hands out http://H:P unless
RADIO_PUBLIC_URL says otherwise (behind a proxy)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from proc_helpers import Stack, free_port, http_get, make_stack, stop, wait_for

from radio.auth import create_user, issue_token
from schedule.models import Station
from web.cli import served_url

pytestmark = pytest.mark.slow


@pytest.fixture(params=["sqlite"])
def stack(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Stack]:
    yield from make_stack(request, tmp_path)


def _admin_token(stack: Stack) -> str:
    with stack.runtime.session() as session:
        session.add(Station(slug="radio-padma", name="Radio Padma"))
        return issue_token(session, create_user(session, "admin@example.org", "admin", password="x" * 12))


@pytest.mark.parametrize("public_url", ["", "https://radio.example.org"])
def test_serve_hands_out_links_to_its_own_host_and_port(stack: Stack, public_url: str) -> None:
    token = _admin_token(stack)
    port = free_port()
    env = {**stack.env, "RADIO_PUBLIC_URL": public_url} if public_url else stack.env
    server = stack.server(port, "--no-worker", "--host", "127.0.0.1", env=env)
    wait_for(lambda: http_get(port, "/healthz")[0] == 200, 30, "radio serve\n" + stack.logs())
    status, body = http_get(port, "/api/v1/stations/radio-padma", headers={"Authorization": f"Bearer {token}"})
    assert status == 200, body
    station = json.loads(body)
    base = public_url or f"http://127.0.0.1:{port}"
    assert station["calendar_url"].startswith(base + "/calendars/radio-padma.ics?token=")
    assert station["podcast_url"].startswith(base + "/feeds/radio-padma/podcast.xml?token=")
    assert station["webcal_url"].startswith("webcal://" + base.split("://", 1)[1] + "/")
    assert stop(server) == 0


def test_served_url_names_the_machine_for_a_wildcard_address() -> None:
    assert served_url("127.0.0.1", 8080) == "http://127.0.0.1:8080"
    assert served_url("::1", 8080) == "http://[::1]:8080"
    assert "0.0.0.0" not in served_url("0.0.0.0", 8080)
