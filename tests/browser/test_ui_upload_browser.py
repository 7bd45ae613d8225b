"""The streamed upload form in a real browser: without JavaScript (the plain form) and the script's own checks."""

from __future__ import annotations

from typing import Any

from tests.browser.conftest import PASSWORD, LiveServer
from tests.ui_helpers import wav_bytes


def _no_script_page(live: LiveServer, browser: Any) -> tuple[Any, Any]:
    """A Bangla browser context with JavaScript off, signed in as the producer."""
    context = browser.new_context(java_script_enabled=False, locale="bn-BD")
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{live.url}/login")
    page.fill("#email", live.users["producer"])
    page.fill("#password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_load_state()
    return context, page


def test_upload_form_works_without_javascript(live: LiveServer, browser: Any) -> None:
    context, page = _no_script_page(live, browser)
    try:
        sent: list[str] = []
        page.on("request", lambda r: sent.append(r.resource_type) if r.method == "POST" else None)
        page.goto(f"{live.url}/library/upload")
        page.fill("#title", "ফাইল ছাড়া")  # no file chosen: the browser sends an empty, nameless file part
        page.click("form[data-upload] button[type=submit]")
        page.wait_for_load_state()
        assert "একটি অডিও ফাইল বেছে নিন।" in page.inner_text("#file-error")
        assert page.input_value("#title") == "ফাইল ছাড়া"  # the fields after the file part were read too
        page.set_input_files("#file", {"name": "স্ক্রিপ্ট ছাড়া.wav", "mimeType": "audio/wav",
                                       "buffer": wav_bytes(2.0, 523.0)})
        page.fill("#title", "স্ক্রিপ্ট ছাড়া আপলোড")
        page.select_option("#kind", "drama")
        with page.expect_navigation(url="**/episodes/*"):
            page.click("form[data-upload] button[type=submit]")
        assert sent == ["document", "document"]  # plain form posts, token as the first field
        assert page.inner_text("h1") == "স্ক্রিপ্ট ছাড়া আপলোড"
    finally:
        context.close()


def test_script_refuses_a_file_over_the_limit_before_sending(live: LiveServer, page_as: Any) -> None:
    page = page_as("producer")
    page.goto(f"{live.url}/library/upload")
    page.evaluate("document.querySelector('form[data-upload]').dataset.maxBytes = '1000'")
    page.set_input_files("#file", {"name": "big.wav", "mimeType": "audio/wav", "buffer": wav_bytes(1.0)})
    page.fill("#title", "Too big")
    sent: list[str] = []
    page.on("request", lambda r: sent.append(r.url) if r.method == "POST" else None)
    page.click("form[data-upload] button[type=submit]")
    error = page.locator("#file-error")
    error.wait_for()
    assert "larger than the upload limit" in error.inner_text() and sent == []
    assert page.get_attribute("#file", "aria-invalid") == "true"
    assert page.evaluate("document.activeElement.id") == "file"
