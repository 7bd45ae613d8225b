"""The UI's Bangla subset font draws every Bangla string the UI shows exactly as the full Noto Sans Bengali does."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

pytest.importorskip("brotli", reason="reading the woff2 subset needs brotli (test extra)")
from fontTools.ttLib import TTFont  # noqa: E402

from web import font_subset  # noqa: E402
from web.i18n import LOCALE_NAMES  # noqa: E402


def test_every_bangla_string_of_the_ui_is_drawn_by_the_subset_as_by_the_full_font() -> None:
    texts = font_subset.ui_texts()
    sources = {t.source for t in texts}
    assert "web/translations/bn/LC_MESSAGES/messages.mo" in sources  # the compiled catalog, not only the .po
    assert any(s.startswith("web/templates/") for s in sources) or any(s.endswith(".py") for s in sources)
    assert LOCALE_NAMES["bn"] in {t.text for t in texts}  # the language switch, shown in the English UI too
    assert len(texts) > 300
    assert font_subset.missing(texts) == []


def test_a_subset_lacking_a_letter_is_caught(tmp_path: Path) -> None:
    """The check fails for a font without the anusvara (ং) — the glyph of "বাংলা" — and names the strings."""
    wanted = font_subset.wanted_codepoints(font_subset.ui_texts()) - {0x0982}
    poor = font_subset.build(out=tmp_path / "poor.woff2", codepoints=wanted)
    problems = font_subset.missing(font_subset.ui_texts(), subset_font=poor)
    assert any(p.startswith(repr(LOCALE_NAMES["bn"])) and "U+0982" in p for p in problems)
    assert all("U+0982" in p for p in problems)


def test_a_subset_without_its_conjunct_rules_is_caught(tmp_path: Path) -> None:
    """Glyphs alone are not enough: without the layout features, স্টেশন would be drawn letter by letter."""
    font = TTFont(font_subset.SUBSET_FONT)
    del font["GSUB"]
    font.flavor = None
    flat = tmp_path / "flat.ttf"
    font.save(str(flat))
    problems = font_subset.missing([font_subset.UiText("স্টেশন", "test")], subset_font=flat)
    assert problems and "other glyphs" in problems[0]


def test_the_shipped_subset_is_what_the_script_builds() -> None:
    shipped = set(TTFont(font_subset.SUBSET_FONT).getBestCmap())
    full = set(TTFont(font_subset.FULL_FONT).getBestCmap())
    assert shipped == font_subset.wanted_codepoints(font_subset.ui_texts()) & full


def test_the_stylesheet_routes_bangla_to_the_font_before_any_system_font() -> None:
    css = font_subset.STYLESHEET.read_text(encoding="utf-8")
    face = re.search(r"@font-face\s*{[^}]*}", css)
    assert face is not None and "NotoSansBengali-Regular.subset.woff2" in face.group(0)
    assert f"unicode-range: {font_subset.css_unicode_range()};" in face.group(0)
    body = re.search(r"\nbody\s*{[^}]*font-family:\s*([^;]+);", css)
    assert body is not None and body.group(1).startswith('"Noto Sans Bengali"')
