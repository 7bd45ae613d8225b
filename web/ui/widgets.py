"""Small pieces of markup built in Python: QR codes, waveforms, highlighted snippets, week grids."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Sequence

import segno
from markupsafe import Markup, escape

from radio.limits import year_in_range

WAVEFORM_WIDTH = 1000
WAVEFORM_POINTS = 400  # enough for a phone or a laptop screen; keeps the page light


def qr_svg(text: str, title: str) -> Markup:
    """An inline SVG QR code of ``text`` (no external image, no script)."""
    code = segno.make(text, error="m")
    svg = code.svg_inline(scale=4, border=2, dark="#000", light="#fff", title=title, svgclass="qrcode",
                          omitsize=True)
    return Markup(svg.replace("<svg ", '<svg role="img" ', 1))  # noqa: S704 - segno escapes the title


def _downsample(peaks: Sequence[float], points: int) -> list[float]:
    if len(peaks) <= points:
        return [float(p) for p in peaks]
    step = len(peaks) / points
    return [max(float(p) for p in peaks[int(i * step):max(int((i + 1) * step), int(i * step) + 1)])
            for i in range(points)]


def waveform_path(peaks: Sequence[float], points: int = WAVEFORM_POINTS) -> str:
    """An SVG path (viewBox 0 0 1000 100) of the peak envelope, mirrored around the middle line."""
    values = [min(max(p, 0.0), 1.0) for p in _downsample(peaks, points)]
    if not values:
        return ""
    n = len(values)
    xs = [round(i * WAVEFORM_WIDTH / max(n - 1, 1), 1) for i in range(n)]
    top = [f"{x:g} {50 - max(v * 48, 0.5):.1f}" for x, v in zip(xs, values, strict=True)]
    bottom = [f"{x:g} {50 + max(v * 48, 0.5):.1f}" for x, v in zip(reversed(xs), reversed(values), strict=True)]
    return "M" + "L".join(top + bottom) + "Z"


def waveform_svg(peaks: Sequence[float] | None, label: str) -> Markup:
    """The episode's waveform from its stored peaks; the played part is shaded by the page's script."""
    path = waveform_path(peaks or [])
    if not path:
        return Markup("")
    return Markup(
        '<svg class="waveform" viewBox="0 0 1000 100" preserveAspectRatio="none" role="img" aria-label="{label}">'
        '<defs><path id="wf-path" d="{path}"/>'
        '<clipPath id="wf-played" class="played-clip"><rect x="0" y="0" width="0" height="100"/></clipPath></defs>'
        '<use href="#wf-path" class="bars"/><use href="#wf-path" class="played" clip-path="url(#wf-played)"/>'
        '<line class="cursor" x1="0" x2="0" y1="0" y2="100" vector-effect="non-scaling-stroke"/></svg>'
    ).format(label=label, path=path)


_ALLOWED = re.compile(r"</?mark>|&(?:[a-zA-Z]+|#[0-9]+|#x[0-9a-fA-F]+);")


def safe_snippet(snippet: str) -> Markup:
    """A search snippet (already HTML-escaped by the search service) with only ``<mark>`` tags and entities let
    through; any other markup is escaped again, so a snippet can never inject HTML."""
    parts: list[str] = []
    last = 0
    text = snippet or ""
    for match in _ALLOWED.finditer(text):
        parts.append(str(escape(text[last:match.start()])))
        parts.append(match.group(0))
        last = match.end()
    parts.append(str(escape(text[last:])))
    return Markup("".join(parts))  # noqa: S704 - every piece is escaped except <mark> tags and entities


def stacked_bars_svg(rows: Sequence[tuple[str, Sequence[int]]], series: Sequence[str], title: str,
                     number: Callable[[int], str] = str) -> Markup:
    """A horizontal stacked bar chart (one bar per row, one colour per series) as accessible inline SVG."""
    if not rows:
        return Markup("")
    top = max(sum(values) for _, values in rows) or 1
    label_w, bar_w, row_h = 180, 380, 26
    height = row_h * len(rows) + 30
    out = [f'<svg class="chart" viewBox="0 0 {label_w + bar_w + 60} {height}" role="img" '
           f'aria-label="{escape(title)}"><title>{escape(title)}</title>']
    for i, (label, values) in enumerate(rows):
        y = i * row_h
        out.append(f'<text x="{label_w - 6}" y="{y + 17}" text-anchor="end">{escape(label[:28])}</text>')
        x = float(label_w)
        for j, value in enumerate(values):
            width = bar_w * value / top
            if width > 0:
                out.append(f'<rect class="s{j}" x="{x:.1f}" y="{y + 4}" width="{width:.1f}" height="{row_h - 8}">'
                           f'<title>{escape(series[j])}: {escape(number(value))}</title></rect>')
            x += width
        out.append(f'<text x="{x + 4:.1f}" y="{y + 17}">{escape(number(sum(values)))}</text>')
    x = 0.0
    for j, name in enumerate(series):
        out.append(f'<rect class="s{j}" x="{x:.0f}" y="{height - 18}" width="12" height="12"/>'
                   f'<text x="{x + 16:.0f}" y="{height - 8}">{escape(name)}</text>')
        x += 16 + 9 * len(name) + 14
    out.append("</svg>")
    return Markup("".join(out))  # noqa: S704 - every text piece is escaped


def monday_of(day: dt.date) -> dt.date:
    """The Monday of ``day``'s week."""
    return day - dt.timedelta(days=day.weekday())


def parse_week(value: str | None, today: dt.date) -> dt.date:
    """The Monday of an ISO week ``YYYY-Www`` or a date ``YYYY-MM-DD`` (this week when missing or bad)."""
    if value:
        try:
            if "W" in value:
                year, week = value.split("-W")
                day = dt.date.fromisocalendar(int(year), int(week), 1)
            else:
                day = monday_of(dt.date.fromisoformat(value))
            if year_in_range(day):  # year 1 or 9999: this week, as for any other bad value
                return day
        except ValueError:
            pass
    return monday_of(today)


def trim_waveform_svg(peaks: Sequence[float] | None, duration_s: float, in_s: float, out_s: float,
                      label: str) -> Markup:
    """An item's waveform with its in and out points: the parts left out are shaded, the points are handles the
    editor's script drags (``data-duration`` maps x to seconds; without the script the number inputs do it)."""
    path = waveform_path(peaks or [], 200)
    if not path or duration_s <= 0:
        return Markup("")
    x_in = round(min(max(in_s / duration_s, 0.0), 1.0) * WAVEFORM_WIDTH, 1)
    x_out = round(min(max(out_s / duration_s, 0.0), 1.0) * WAVEFORM_WIDTH, 1)
    return Markup(
        '<svg class="waveform trim" viewBox="0 0 1000 100" preserveAspectRatio="none" role="img" '
        'aria-label="{label}" data-trim data-duration="{duration}">'
        '<path class="bars" d="{path}"/>'
        '<rect class="cut cut-in" x="0" y="0" width="{x_in}" height="100"/>'
        '<rect class="cut cut-out" x="{x_out}" y="0" width="{rest}" height="100"/>'
        '<line class="handle in" x1="{x_in}" x2="{x_in}" y1="0" y2="100" vector-effect="non-scaling-stroke"/>'
        '<line class="handle out" x1="{x_out}" x2="{x_out}" y1="0" y2="100" vector-effect="non-scaling-stroke"/>'
        '</svg>'
    ).format(label=label, duration=f"{duration_s:.3f}", path=path, x_in=x_in, x_out=x_out,
             rest=round(WAVEFORM_WIDTH - x_out, 1))
