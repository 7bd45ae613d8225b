"""Bangla text in PDF that reads back as the Unicode it came from: shaping with a ToUnicode entry per cluster.

fpdf2 shapes with HarfBuzz, but it gives a cluster's whole text to its first glyph and none to the others: a
vowel sign drawn before its consonant (ে in রে), or a conjunct drawn as several glyphs, then copies out as
stray control characters. Here each grapheme cluster's text is spread over its glyphs in drawing order (one
character per glyph, the rest on the last one, an empty mapping for a glyph left over), so reading the glyphs
in order gives exactly the cluster's text. fpdf2 gives a glyph a character code per distinct (glyph, text)
pair, so the same glyph can map to different text in different clusters. A glyph's PDF width is its shaped
advance, so zero-width marks need no repositioning and text extractors see no gaps inside a word.
"""

from __future__ import annotations

import functools
import io
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any, cast

import uharfbuzz as hb
from fontTools import ttLib
from fpdf import FPDF
from fpdf.fonts import SubsetMap, TTFFont


class _Empty(int):
    """A code point that writes as nothing: the ToUnicode entry ``<code> <>`` of a glyph that adds no text."""

    def __format__(self, spec: str) -> str:
        return ""


EMPTY = _Empty(0)


def _pieces(chars: Sequence[int], glyphs: int) -> list[tuple[int, ...]]:
    """The cluster's characters spread over ``glyphs`` glyphs in order; their concatenation is the cluster."""
    pieces: list[tuple[int, ...]] = [(chars[k],) if k < len(chars) else (EMPTY,) for k in range(glyphs - 1)]
    pieces.append(tuple(chars[glyphs - 1:]) or (EMPTY,))
    return pieces


# One shaped text: per glyph (glyph id, text piece, glyph name, PDF width, x/y advance, x/y offset), and the
# whole width in font units; the same for every document, so kept per process.
_Shape = tuple[tuple[tuple[int, tuple[int, ...], str, int, int, int, int, int], ...], int]
_SHAPES: dict[tuple[str, str, float, tuple[tuple[str, Any], ...]], _Shape] = {}
_SHAPES_MAX = 100_000  # texts (a year's report shapes ~10,000 distinct ones, most of them single characters)
_TEMPLATES: dict[str, ClusterMappedFont] = {}
_LOCK = threading.Lock()  # HarfBuzz font objects are shared: shaping sets their size first


class ClusterMappedFont(TTFFont):
    """A TrueType font whose shaped glyphs carry their grapheme cluster's text (see the module docstring).

    Shaping is cached per process (same font file, text, size and features: the same glyphs), and so is the
    parsed font: a document's copy shares the template's tables and HarfBuzz font and has its own subset.
    """

    __slots__ = ()

    def perform_harfbuzz_shaping(self, text: str, font_size_pt: float,
                                 text_shaping_params: dict[str, Any] | None) -> tuple[Any, Any]:
        """Shape with grapheme clusters (HarfBuzz cluster level 0): a conjunct with its signs is one cluster."""
        with _LOCK:
            self.hbfont.ptem = font_size_pt
            buf = hb.Buffer()
            buf.cluster_level = 0
            buf.add_str(text)
            buf.guess_segment_properties()
            hb.shape(self.hbfont, buf, (text_shaping_params or {}).get("features") or {})
            return buf.glyph_infos, buf.glyph_positions

    def _shape(self, text: str, font_size_pt: float, text_shaping_params: dict[str, Any] | None) -> _Shape:
        """The glyphs of ``text`` with their cluster's text spread over them, from the cache or shaped now."""
        chosen = (text_shaping_params or {}).get("features")
        features = tuple(sorted(chosen.items())) if chosen else ()
        key = (str(self.ttffile), text, font_size_pt, features)
        found = _SHAPES.get(key)
        if found is not None:
            return found
        if not text:
            return (), 0
        infos, positions = self.perform_harfbuzz_shaping(text, font_size_pt, text_shaping_params)
        starts = sorted({int(g.cluster) for g in infos})
        ends = dict(zip(starts, [*starts[1:], len(text)], strict=True))
        groups: list[tuple[int, list[int]]] = []
        for index, info in enumerate(infos):
            if groups and groups[-1][0] == info.cluster:
                groups[-1][1].append(index)
            else:
                groups.append((int(info.cluster), [index]))
        glyphs = []
        for cluster, indexes in groups:
            chars = [ord(c) for c in text[cluster:ends[cluster]]]
            for index, piece in zip(indexes, _pieces(chars, len(indexes)), strict=True):
                info, pos = infos[index], positions[index]
                name = self.ttfont.getGlyphName(info.codepoint)
                width = pos.x_advance if pos.x_advance >= 0 else round(self.scale * self.ttfont["hmtx"][name][0])
                glyphs.append((int(info.codepoint), piece, name, int(width), int(pos.x_advance), int(pos.y_advance),
                               int(pos.x_offset), int(pos.y_offset)))
        units = sum(round(self.scale * pos.x_advance + 0.001) for pos in positions)
        if len(_SHAPES) >= _SHAPES_MAX:
            _SHAPES.clear()
        shape = _SHAPES[key] = (tuple(glyphs), units)
        return shape

    def shaped_text_width(self, text: str, font_size_pt: float,
                          text_shaping_params: dict[str, Any] | None) -> tuple[int, float]:
        """(glyph count, width in points) of shaped ``text`` (line breaking asks this for every character)."""
        glyphs, units = self._shape(text, font_size_pt, text_shaping_params)
        return len(glyphs), units * font_size_pt * 0.001

    def shape_text(self, text: str, font_size_pt: float,
                   text_shaping_params: dict[str, Any] | None) -> Sequence[dict[str, Any]]:
        """Glyphs to draw for ``text``, each mapped to the part of its cluster's text it stands for."""
        if not text:
            return []
        shaped: list[dict[str, Any]] = []
        for glyph_id, piece, name, width, x_advance, y_advance, x_offset, y_offset in self._shape(
                text, font_size_pt, text_shaping_params)[0]:
            glyph = self.subset.get_glyph(glyph=glyph_id, unicode=piece, glyph_name=name, glyph_width=width)
            if glyph is None:
                continue
            shaped.append({"mapped_char": self.subset.pick_glyph(glyph), "x_advance": x_advance,
                           "y_advance": y_advance, "x_offset": x_offset, "y_offset": y_offset,
                           "force_positioning": bool(width != x_advance or y_advance)})
        return shaped


def _template(path: str, style: str) -> ClusterMappedFont:
    """The parsed font of ``path`` (once per process; fpdf2 parses cmap and metrics of every glyph)."""
    with _LOCK:
        found = _TEMPLATES.get(path)
    if found is not None:
        return found
    scratch = FPDF()
    scratch.add_font("template", style, path)
    parsed = next(iter(scratch.fonts.values()))
    if not isinstance(parsed, TTFFont):
        raise TypeError(f"{path} is not a TrueType font")
    parsed.__class__ = ClusterMappedFont
    with _LOCK:
        return _TEMPLATES.setdefault(path, cast(ClusterMappedFont, parsed))


def _document_copy(template: ClusterMappedFont, index: int, fontkey: str) -> ClusterMappedFont:
    """A document's own copy of a parsed font: shared tables and metrics, its own subset and font file (fpdf2
    subsets the font file in place when the document is written)."""
    font = ClusterMappedFont.__new__(ClusterMappedFont)
    for name in TTFFont.__slots__:
        if hasattr(template, name):
            setattr(font, name, getattr(template, name))
    font.i, font.fontkey, font.biggest_size_pt, font.missing_glyphs = index, fontkey, 0, []
    font.ttfont = ttLib.TTFont(io.BytesIO(_font_bytes(str(template.ttffile))), recalcTimestamp=False, lazy=True)
    font.subset = SubsetMap(font)
    return font


@functools.cache
def _font_bytes(path: str) -> bytes:
    return Path(path).read_bytes()


def add_cluster_mapped_font(pdf: FPDF, family: str, path: str, style: str = "") -> None:
    """``pdf.add_font`` with :class:`ClusterMappedFont` (text shaping must be on for it to matter); the font is
    parsed once per process."""
    style = "".join(sorted(style.upper()))
    fontkey = f"{family.lower()}{style}"
    if fontkey in pdf.fonts:
        raise ValueError(f"font {fontkey!r} is already added")
    pdf.fonts[fontkey] = _document_copy(_template(path, style), len(pdf.fonts) + 1, fontkey)
