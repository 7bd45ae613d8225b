"""A live server on a temporary home and one headless Debian Chromium for the whole session."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from werkzeug.serving import make_server

from radio.auth import create_user
from radio.config import load_settings
from radio.migrate import upgrade
from radio.runtime import Runtime
from schedule.models import Station
from web import create_app

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
PASSWORD = "browser test password"


@dataclass
class LiveServer:
    """The running server: its base URL, runtime and the users made for the tests (role → e-mail)."""

    url: str
    runtime: Runtime
    users: dict[str, str] = field(default_factory=dict)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test here drives a browser: mark it, and skip it where Chromium is not installed."""
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.browser)
            item.add_marker(pytest.mark.slow)
            if not CHROMIUM.exists():
                item.add_marker(pytest.mark.skip(reason="Debian's chromium (/usr/bin/chromium) is not installed"))


@pytest.fixture(scope="session")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """`radio serve` in a thread: SQLite, jobs run inline, the tiny.en Whisper model."""
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no line per request in the test output
    holder: dict[str, Any] = {}
    server = make_server("127.0.0.1", 0, lambda env, start: holder["app"](env, start), threaded=True)
    url = f"http://127.0.0.1:{server.server_port}"
    home = tmp_path_factory.mktemp("live-home")
    settings = load_settings({
        "RADIO_HOME": str(home), "RADIO_QUEUE_IMMEDIATE": True, "RADIO_WHISPER_MODEL": "tiny.en",
        "RADIO_SECRET_KEY": "browser-test-secret", "RADIO_PUBLIC_URL": url, "RADIO_LOG_LEVEL": "WARNING",
    }, environ={})
    runtime = Runtime.from_settings(settings)
    upgrade(runtime.engine)
    holder["app"] = create_app({}, runtime=runtime)
    live = LiveServer(url, runtime)
    with runtime.session() as session:
        session.add(Station(slug="radio-padma", name="Radio Padma", name_bn="রেডিও পদ্মা", district="Narsingdi"))
        session.flush()
        for role in ("producer", "station", "researcher", "admin"):
            email = f"{role}@example.org"
            create_user(session, email, role, station_slug="radio-padma" if role == "station" else None,
                        name=role.title(), password=PASSWORD)
            live.users[role] = email
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield live
    server.shutdown()
    runtime.close()


@pytest.fixture(scope="session")
def playwright_driver() -> Iterator[Any]:
    """One Playwright driver per test process: its sync API cannot be started twice in one thread."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        yield playwright


@pytest.fixture(scope="session")
def browser(playwright_driver: Any) -> Iterator[Any]:
    """One headless Chromium for the session (Debian's build; never a downloaded one)."""
    chromium = playwright_driver.chromium.launch(
        executable_path=str(CHROMIUM), headless=True,
        args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
              "--autoplay-policy=no-user-gesture-required"],
    )
    yield chromium
    chromium.close()


@pytest.fixture
def page_as(live: LiveServer, browser: Any) -> Iterator[Callable[..., Any]]:
    """``page_as("producer", locale="en")``: a new browser context signed in through the login form."""
    contexts: list[Any] = []
    requests: list[str] = []

    def open_as(role: str | None, locale: str = "en-US", viewport: dict[str, int] | None = None) -> Any:
        context = browser.new_context(locale=locale, viewport=viewport or {"width": 1280, "height": 900},
                                      accept_downloads=True)
        contexts.append(context)
        page = context.new_page()
        page.on("request", lambda request: requests.append(request.url))
        page.set_default_timeout(15_000)
        if role is not None:
            page.goto(f"{live.url}/login")
            page.fill("#email", live.users[role])
            page.fill("#password", PASSWORD)
            page.click("main button[type=submit]")
            page.wait_for_load_state()
        return page

    yield open_as
    for context in contexts:
        context.close()
    strangers = [u for u in requests if not u.startswith((live.url, "data:", "blob:", "about:"))]
    assert not strangers, f"the pages asked another host: {strangers[:5]}"


def screenshot(page: Any, name: str) -> Path:
    """Save a full-page screenshot under test-artifacts/screenshots/."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
