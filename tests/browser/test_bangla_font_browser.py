"""The "বাংলা" switch in the English UI draws its glyphs from the served web font on a machine without Bangla fonts.

Chromium is started with a fontconfig of its own that knows one Latin font only (Noto Sans, from reports/fonts),
so no system font can draw Bangla. Chromium's DevTools report which fonts drew a node's text
(``CSS.getPlatformFontsForNode``): every glyph of the button must come from the custom "Noto Sans Bengali" face.
The same page with the font request refused is the control: then the glyphs come from elsewhere (boxes), which
proves the check can fail.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import CHROMIUM, LiveServer, screenshot
from web.font_subset import in_range

FONTS = Path(__file__).resolve().parents[2] / "reports" / "fonts"
BUTTON = "button[name=locale][value=bn]"


@pytest.fixture(scope="module")
def latin_only_browser(tmp_path_factory: pytest.TempPathFactory, playwright_driver: Any) -> Iterator[Any]:
    """A headless Chromium whose fontconfig sees one Latin-only font (no Bangla anywhere on the 'system')."""
    folder = tmp_path_factory.mktemp("latin-fonts")
    shutil.copy(FONTS / "NotoSans-Regular.ttf", folder / "NotoSans-Regular.ttf")
    config = folder / "fonts.conf"
    config.write_text(
        '<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd">'
        f"<fontconfig><dir>{folder}</dir><cachedir>{folder / 'cache'}</cachedir></fontconfig>\n")
    env = {**os.environ, "FONTCONFIG_FILE": str(config), "FONTCONFIG_PATH": str(folder)}
    chromium = playwright_driver.chromium.launch(
        executable_path=str(CHROMIUM), headless=True, env=env,
        args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"])
    yield chromium
    chromium.close()


def _fonts_drawing(page: Any, selector: str) -> list[dict[str, Any]]:
    """The fonts Chromium used for the text of the first node matching ``selector`` (DevTools' own answer)."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("DOM.enable")
    cdp.send("CSS.enable")
    root = cdp.send("DOM.getDocument")["root"]["nodeId"]
    node = cdp.send("DOM.querySelector", {"nodeId": root, "selector": selector})["nodeId"]
    return list(cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"])


def _english_login(browser: Any, live: LiveServer, *, block_font: bool, locale: str = "en-US") -> Any:
    context = browser.new_context(locale=locale, viewport={"width": 900, "height": 400})
    page = context.new_page()
    if block_font:
        page.route("**/*.woff2", lambda route: route.abort())
    page.goto(f"{live.url}/login")
    page.evaluate("document.fonts.ready")
    page.wait_for_function("document.fonts.status === 'loaded'")
    return page


def test_no_system_bangla_font_is_visible_to_this_browser(latin_only_browser: Any, live: LiveServer) -> None:
    page = _english_login(latin_only_browser, live, block_font=True)
    fonts = _fonts_drawing(page, BUTTON)
    page.context.close()
    assert fonts, "DevTools named no font for the button"
    assert not any(f["isCustomFont"] for f in fonts), fonts
    assert not any("bengali" in f["familyName"].lower() or "bangla" in f["familyName"].lower() for f in fonts), (
        f"a system font can draw Bangla here, so the test would prove nothing: {fonts}")


def test_the_bangla_switch_in_the_english_ui_is_drawn_by_the_web_font(latin_only_browser: Any,
                                                                      live: LiveServer) -> None:
    page = _english_login(latin_only_browser, live, block_font=False)
    assert page.evaluate("document.documentElement.lang") == "en"
    button = page.locator(BUTTON)
    assert button.inner_text() == "বাংলা"
    fonts = _fonts_drawing(page, BUTTON)
    faces = page.evaluate("[...document.fonts].map(f => [f.family, f.status])")
    checked = page.evaluate("document.fonts.check('16px \"Noto Sans Bengali\"', 'বাংলা')")
    shot = button.screenshot()
    screenshot(page, "english-login-no-system-bangla")
    page.context.close()
    assert ['"Noto Sans Bengali"', "loaded"] in faces or ["Noto Sans Bengali", "loaded"] in faces, faces
    assert checked is True
    drawn = [f for f in fonts if f["glyphCount"] > 0]
    assert drawn and all(f["isCustomFont"] and f["familyName"] == "Noto Sans Bengali" for f in drawn), drawn

    blocked = _english_login(latin_only_browser, live, block_font=True)
    boxes = blocked.locator(BUTTON).screenshot()
    blocked.context.close()
    assert shot != boxes, "the button looks the same without the web font: its glyphs are not the font's"


def test_the_bangla_ui_is_drawn_by_the_web_font_and_its_latin_switch_by_the_system(latin_only_browser: Any,
                                                                                   live: LiveServer) -> None:
    page = _english_login(latin_only_browser, live, block_font=False, locale="bn-BD")
    assert page.evaluate("document.documentElement.lang") == "bn"
    drawn = {selector: (page.locator(selector).first.inner_text(), _fonts_drawing(page, selector))
             for selector in ("main h1", ".brand", "label[for=email]")}
    english = _fonts_drawing(page, "button[name=locale][value=en]")
    page.context.close()
    for selector, (text, fonts) in drawn.items():
        assert any(in_range(c) for c in text), (selector, text)
        web = sum(f["glyphCount"] for f in fonts if f["isCustomFont"] and f["familyName"] == "Noto Sans Bengali")
        system = sum(f["glyphCount"] for f in fonts if not f["isCustomFont"])
        # The system font draws at most the spaces and Latin characters; every Bangla glyph is the web font's.
        assert web > 0 and system <= sum(not in_range(c) for c in text), (selector, text, fonts)
    assert [f["familyName"] for f in english] == ["Noto Sans"], english  # Latin stays in the system font


BOLD_TEXT = "বাংলা সম্প্রচার ক্ষুদ্র"


def _bold_and_regular(page: Any) -> None:
    page.evaluate("""text => {
        const main = document.querySelector('main');
        for (const [tag, id] of [['strong', 'bold-bn'], ['span', 'regular-bn']]) {
            const p = document.createElement('p'), el = document.createElement(tag);
            el.id = id; el.textContent = text; el.style.fontSize = '24px'; p.appendChild(el); main.prepend(p);
        }
    }""", BOLD_TEXT)
    page.evaluate("document.fonts.ready")


@pytest.mark.parametrize("locale", ["bn-BD", "en-US"])
def test_bold_bangla_in_strong_is_drawn_by_the_web_font_not_as_boxes(latin_only_browser: Any, live: LiveServer,
                                                                     locale: str) -> None:
    """A report said bold Bangla showed boxes (the subset has one, regular, face): Chromium synthesises the bold
    from it, in the Bangla UI and in Bangla text inside the English one."""
    page = _english_login(latin_only_browser, live, block_font=False, locale=locale)
    _bold_and_regular(page)
    assert page.evaluate("getComputedStyle(document.getElementById('bold-bn')).fontWeight") == "700"
    fonts = _fonts_drawing(page, "#bold-bn")
    bold, regular = page.locator("#bold-bn").screenshot(), page.locator("#regular-bn").screenshot()
    widths = page.evaluate("['bold-bn', 'regular-bn'].map(id => document.getElementById(id).offsetWidth)")
    screenshot(page, f"bold-bangla-no-system-bangla-{locale}")
    page.context.close()
    web = sum(f["glyphCount"] for f in fonts if f["isCustomFont"] and f["familyName"] == "Noto Sans Bengali")
    system = sum(f["glyphCount"] for f in fonts if not f["isCustomFont"])
    assert web > 0 and system <= BOLD_TEXT.count(" "), fonts
    assert bold != regular and widths[0] >= widths[1], widths  # drawn bold (synthesised from the one face)

    blocked = _english_login(latin_only_browser, live, block_font=True, locale=locale)
    _bold_and_regular(blocked)
    boxes = blocked.locator("#bold-bn").screenshot()
    blocked.context.close()
    assert bold != boxes, "bold Bangla looks the same without the web font: its glyphs are not the font's"
