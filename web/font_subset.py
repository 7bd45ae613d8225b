"""The UI's Bangla web font: a subset of the full Noto Sans Bengali, rebuilt and checked by one script.

``python -m web.font_subset build`` writes ``web/static/fonts/NotoSansBengali-Regular.subset.woff2`` from
``reports/fonts/NotoSansBengali-Regular.ttf`` (OFL, licence beside both); ``python -m web.font_subset check``
exits 1 naming every UI string the shipped subset cannot draw as the full font does.

What it keeps: every character of every Bangla run the UI can show — the templates, both compiled catalogs
(bn and en), and Bangla written in the product's Python code (labels, month names, the language switch) —
plus the whole Bengali block, because titles, station names and transcripts are Bangla text that users type
and the UI shows. All OpenType layout features stay, so conjuncts, reph and vowel signs shape as in the full
font. The stylesheet's ``unicode-range`` is :data:`UNICODE_RANGE`: the browser asks this font for exactly
these characters (Latin text stays in the system font) and, with this font first in the stack, never lets a
Latin-only system font draw Bangla as empty boxes.

Needs fontTools (through fpdf2) and, for woff2, ``brotli`` (test extra); the web app itself never imports
this module.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
FULL_FONT = ROOT / "reports" / "fonts" / "NotoSansBengali-Regular.ttf"
SUBSET_FONT = ROOT / "web" / "static" / "fonts" / "NotoSansBengali-Regular.subset.woff2"
STYLESHEET = ROOT / "web" / "static" / "app.css"
PRODUCT_PACKAGES = ("radio", "episodes", "transcripts", "schedule", "reports", "web")
CATALOGS = ROOT / "web" / "translations"

# (first, last) code points the stylesheet routes to this font: dandas, the Bengali block, ZWNJ/ZWJ and the
# dotted circle that shapers draw under a stray vowel sign.
UNICODE_RANGE: tuple[tuple[int, int], ...] = ((0x0964, 0x0965), (0x0980, 0x09FE), (0x200C, 0x200D), (0x25CC, 0x25CC))
# Not routed to the font, but kept: HarfBuzz draws a joiner (ZWJ/ZWNJ) as the font's space glyph.
SHAPER_SPACES = frozenset({0x0020, 0x00A0})
_RUN = re.compile("[" + "".join(f"\\u{a:04x}-\\u{b:04x}" for a, b in UNICODE_RANGE) + "]+")


def css_unicode_range() -> str:
    """:data:`UNICODE_RANGE` written as the stylesheet writes it."""
    return ", ".join(f"U+{a:04X}" if a == b else f"U+{a:04X}-{b:04X}" for a, b in UNICODE_RANGE)


def in_range(char: str) -> bool:
    """True when the stylesheet sends ``char`` to the Bangla web font."""
    return any(a <= ord(char) <= b for a, b in UNICODE_RANGE)


@dataclass(frozen=True)
class UiText:
    """One Bangla run the UI can show, and where it comes from."""

    text: str
    source: str


def bangla_runs(text: str) -> list[str]:
    """The runs of ``text`` that the stylesheet sends to the Bangla font."""
    return _RUN.findall(text)


def _catalog_texts() -> Iterator[tuple[str, str]]:
    from babel.messages.mofile import read_mo

    for mo in sorted(CATALOGS.glob("*/LC_MESSAGES/messages.mo")):
        with open(mo, "rb") as fh:
            catalog = read_mo(fh)
        for message in catalog:
            for text in (message.string if isinstance(message.string, (list, tuple)) else [message.string]):
                if text:
                    yield str(mo.relative_to(ROOT)), text


def _source_texts() -> Iterator[tuple[str, str]]:
    for package in PRODUCT_PACKAGES:
        for path in sorted((ROOT / package).rglob("*")):
            if path.suffix in (".py", ".html", ".txt", ".xml", ".svg") and "__pycache__" not in path.parts:
                yield str(path.relative_to(ROOT)), path.read_text(encoding="utf-8", errors="replace")


def ui_texts() -> list[UiText]:
    """Every Bangla run in the templates, both compiled catalogs and the product's code, once each."""
    seen: dict[str, UiText] = {}
    for source, text in (*_catalog_texts(), *_source_texts()):
        for run in bangla_runs(text):
            seen.setdefault(run, UiText(run, source))
    return sorted(seen.values(), key=lambda t: t.text)


def wanted_codepoints(texts: Iterable[UiText]) -> set[int]:
    """The code points the subset keeps: the UI's own and the whole range the stylesheet routes to it."""
    cps = {ord(c) for t in texts for c in t.text}
    cps |= {cp for a, b in UNICODE_RANGE for cp in range(a, b + 1)}
    return cps | SHAPER_SPACES


def build(full: Path = FULL_FONT, out: Path = SUBSET_FONT, codepoints: set[int] | None = None) -> Path:
    """Write the woff2 subset of ``full`` (all layout features kept); atomically."""
    from fontTools import subset

    cps = wanted_codepoints(ui_texts()) if codepoints is None else codepoints
    options = subset.Options()
    options.flavor = "woff2"
    options.layout_features = ["*"]
    options.name_IDs = ["*"]  # copyright and licence stay with the font (OFL)
    options.name_languages = ["*"]
    options.notdef_outline = True
    options.drop_tables = [t for t in options.drop_tables if t not in ("DSIG",)]
    font = subset.load_font(str(full), options)
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=sorted(cps))
    subsetter.subset(font)
    tmp = out.with_suffix(out.suffix + ".tmp")
    subset.save_font(font, str(tmp), options)
    tmp.replace(out)
    return out


def _shaper(path: Path) -> Callable[[str], list[tuple[Any, ...]]]:
    """``shape(text)``: for each glyph HarfBuzz picks, its outline and its placement (names differ by font)."""
    import io

    import uharfbuzz as hb
    from fontTools.pens.recordingPen import DecomposingRecordingPen
    from fontTools.ttLib import TTFont

    font = TTFont(io.BytesIO(path.read_bytes()))  # reads woff2 too (needs brotli)
    font.flavor = None
    sfnt = io.BytesIO()
    font.save(sfnt)  # HarfBuzz reads sfnt only
    hb_font = hb.Font(hb.Face(sfnt.getvalue()))
    names, glyphs = font.getGlyphOrder(), font.getGlyphSet()
    outlines: dict[int, tuple[Any, ...]] = {}

    def outline(gid: int) -> tuple[Any, ...]:
        if gid not in outlines:
            pen = DecomposingRecordingPen(glyphs)
            glyphs[names[gid]].draw(pen)
            outlines[gid] = (gid == 0, tuple(pen.value))
        return outlines[gid]

    def shape(text: str) -> list[tuple[Any, ...]]:
        buf = hb.Buffer()
        buf.add_codepoints([ord(c) for c in text])  # clusters count characters, not UTF-8 bytes
        buf.guess_segment_properties()
        hb.shape(hb_font, buf, {})
        return [(outline(info.codepoint), pos.x_advance, pos.x_offset, pos.y_offset)
                for info, pos in zip(buf.glyph_infos, buf.glyph_positions, strict=True)]

    return shape


def missing(texts: Iterable[UiText], subset_font: Path = SUBSET_FONT, full: Path = FULL_FONT) -> list[str]:
    """Each UI run the subset draws with a missing glyph, or with other glyphs than the full font; why."""
    from fontTools.ttLib import TTFont

    shape_subset, shape_full = _shaper(subset_font), _shaper(full)
    cmap = TTFont(subset_font).getBestCmap()
    problems = []
    for t in texts:
        got, want = shape_subset(t.text), shape_full(t.text)
        if any(g[0][0] for g in got):  # glyph 0 is .notdef: an empty box
            lacking = sorted({c for c in t.text if ord(c) not in cmap}) or sorted(set(t.text))
            problems.append(f"{t.text!r} ({t.source}): no glyph for {', '.join(f'U+{ord(c):04X}' for c in lacking)}")
        elif got != want:
            problems.append(f"{t.text!r} ({t.source}): shaped with other glyphs than the full font gives")
    return problems


def main(argv: list[str]) -> int:
    """``build`` or ``check`` (the default)."""
    command = argv[0] if argv else "check"
    texts = ui_texts()
    if command == "build":
        out = build()
        print(f"{out.relative_to(ROOT)}: {out.stat().st_size} bytes, {len(texts)} UI runs")
        return 0
    if command == "check":
        problems = missing(texts)
        for problem in problems:
            print(problem, file=sys.stderr)
        print(f"{len(texts)} UI runs, {len(problems)} the subset cannot draw")
        return 1 if problems else 0
    print("usage: python -m web.font_subset build|check", file=sys.stderr)
    return 2


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
