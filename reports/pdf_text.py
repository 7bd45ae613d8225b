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

from collections.abc import Sequence
from typing import Any

import uharfbuzz as hb
from fpdf import FPDF
from fpdf.fonts import TTFFont


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


class ClusterMappedFont(TTFFont):
    """A TrueType font whose shaped glyphs carry their grapheme cluster's text (see the module docstring)."""

    __slots__ = ()

    def perform_harfbuzz_shaping(self, text: str, font_size_pt: float,
                                 text_shaping_params: dict[str, Any] | None) -> tuple[Any, Any]:
        """Shape with grapheme clusters (HarfBuzz cluster level 0): a conjunct with its signs is one cluster."""
        self.hbfont.ptem = font_size_pt
        buf = hb.Buffer()
        buf.cluster_level = 0
        buf.add_str(text)
        buf.guess_segment_properties()
        hb.shape(self.hbfont, buf, (text_shaping_params or {}).get("features") or {})
        return buf.glyph_infos, buf.glyph_positions

    def shape_text(self, text: str, font_size_pt: float,
                   text_shaping_params: dict[str, Any] | None) -> Sequence[dict[str, Any]]:
        """Glyphs to draw for ``text``, each mapped to the part of its cluster's text it stands for."""
        if not text:
            return []
        infos, positions = self.perform_harfbuzz_shaping(text, font_size_pt, text_shaping_params)
        starts = sorted({int(g.cluster) for g in infos})
        ends = dict(zip(starts, [*starts[1:], len(text)], strict=True))
        groups: list[tuple[int, list[int]]] = []
        for index, info in enumerate(infos):
            if groups and groups[-1][0] == info.cluster:
                groups[-1][1].append(index)
            else:
                groups.append((int(info.cluster), [index]))
        shaped: list[dict[str, Any]] = []
        for cluster, indexes in groups:
            chars = [ord(c) for c in text[cluster:ends[cluster]]]
            for index, piece in zip(indexes, _pieces(chars, len(indexes)), strict=True):
                info, pos = infos[index], positions[index]
                name = self.ttfont.getGlyphName(info.codepoint)
                width = pos.x_advance if pos.x_advance >= 0 else round(self.scale * self.ttfont["hmtx"][name][0])
                glyph = self.subset.get_glyph(glyph=info.codepoint, unicode=piece, glyph_name=name, glyph_width=width)
                if glyph is None:
                    continue
                shaped.append({"mapped_char": self.subset.pick_glyph(glyph), "x_advance": pos.x_advance,
                               "y_advance": pos.y_advance, "x_offset": pos.x_offset, "y_offset": pos.y_offset,
                               "force_positioning": bool(width != pos.x_advance or pos.y_advance)})
        return shaped


def add_cluster_mapped_font(pdf: FPDF, family: str, path: str, style: str = "") -> None:
    """``pdf.add_font`` with :class:`ClusterMappedFont` (text shaping must be on for it to matter)."""
    pdf.add_font(family, style, path)
    font = pdf.fonts[f"{family.lower()}{style.upper()}"]
    if not isinstance(font, TTFFont):
        raise TypeError(f"{path} is not a TrueType font")
    font.__class__ = ClusterMappedFont
