"""``cue-sheet.pdf`` of a station's week bundle: a printable A4 list of the week's airings in Bangla and English.

The schedule lays out the week (:class:`schedule.cue_sheet.CueSheet`) and asks, through the
``bundle_documents`` hook, for printable forms of it; this is the reports' answer, drawn with the same
shaped Bangla fonts as the reports. The creation date is the time the week's data last changed, so the
same week gives the same bytes (the bundle's ETag depends on them).
"""

from __future__ import annotations

import datetime as dt
import functools

from babel import dates as babel_dates
from fpdf.enums import XPos, YPos

from reports.pdf import ReportPDF, render_pdf
from reports.pdf_labels import day, digits
from schedule.cue_sheet import CueLine, CueSheet, length_text

TITLE = "কিউ শিট / Cue sheet"
COLUMNS = (  # header (Bangla / English), width in mm: 180 mm between the margins
    ("#", 7), ("তারিখ / Date", 25), ("সময় / Time", 12), ("শিরোনাম / Title", 60), ("দৈর্ঘ্য / Length", 15),
    ("ফাইল / File", 23), ("কোড / Code", 23), ("প্রচারিত / Aired", 15),
)
ROW_LINE = 4.2
CODE_COLUMN, CODE_SIZE = 6, 10.0  # the code is read aloud and typed: one line, never wrapped


class CueSheetPDF(ReportPDF):
    """A4 with a footer naming the station and week, and the page number in both languages."""

    sheet_label = ""

    def page_footer(self, number: int, total: int) -> None:
        """Station and week on the left; ``পৃষ্ঠা ১ / ২ · Page 1 of 2`` on the right."""
        self.footer_font()
        self.cell(0, 5, self.sheet_label, align="L")
        self.set_x(self.l_margin)
        self.footer_font()
        self.cell(0, 5, f"{self.page_count_text(number, total, 'bn')} · {self.page_count_text(number, total, 'en')}",
                  align="R")


def _weekday(moment: dt.datetime) -> tuple[str, str]:
    bn = digits(babel_dates.format_date(moment.date(), "EEE d MMM", locale="bn"), "bn")
    return bn, babel_dates.format_date(moment.date(), "EEE d MMM", locale="en")


def _cells(number: int, line: CueLine) -> list[str]:
    bn_day, en_day = _weekday(line.local_start)
    titles = "\n".join(t for t in (line.title_bn, line.title_en) if t) or "—"
    file = line.file.removeprefix("audio/") or "—"
    return [str(number), f"{en_day}\n{bn_day}", line.local_start.strftime("%H:%M"), titles,
            length_text(line.length_s), file, line.code, ""]


def _header_row(pdf: CueSheetPDF) -> None:
    x, y = pdf.l_margin, pdf.get_y()
    pdf.set_font("sans", "B", 7)
    pdf.set_fill_color(235, 235, 235)
    for text, width in COLUMNS:
        pdf.rect(x, y, width, 8.5, style="DF")
        pdf.set_xy(x + 0.5, y + 0.5)
        pdf.multi_cell(width - 1, 3.6, text.replace(" / ", "\n"), align="L", new_x=XPos.RIGHT, new_y=YPos.TOP)
        x += width
    pdf.set_fill_color(255, 255, 255)
    pdf.set_xy(pdf.l_margin, y + 8.5)


def code_size(pdf: CueSheetPDF, code: str) -> float:
    """The bold size at which ``code`` fits its column on one line: 10 pt, smaller only for the widest letters."""
    pdf.set_font("sans", "B", CODE_SIZE)
    room = COLUMNS[CODE_COLUMN][1] - 1.5 - 2 * pdf.c_margin
    return min(CODE_SIZE, CODE_SIZE * room / max(pdf.get_string_width(code), 0.01))


def _row(pdf: CueSheetPDF, cells: list[str]) -> None:
    """One airing: every cell wrapped in its column (the code kept on one line), the row as tall as its tallest
    cell, a box to tick."""
    fonts = [("", 8.0)] * 6 + [("B", code_size(pdf, cells[CODE_COLUMN])), ("", 8.0)]
    lines = []
    for (text, width), (style, size) in zip(zip(cells, (w for _, w in COLUMNS), strict=True), fonts, strict=True):
        pdf.set_font("sans", style, size)
        wrapped = pdf.multi_cell(width - 1.5, ROW_LINE, text, dry_run=True, output="LINES") if text else [""]
        lines.append((len(wrapped) if isinstance(wrapped, list) else 1) * ROW_LINE)
    height = max(*lines, 2 * ROW_LINE) + 1.5
    if pdf.get_y() + height > pdf.page_break_trigger:
        pdf.add_page()
        _header_row(pdf)
    x, y = pdf.l_margin, pdf.get_y()
    for (text, width), (style, size) in zip(zip(cells, (w for _, w in COLUMNS), strict=True), fonts, strict=True):
        pdf.rect(x, y, width, height)
        pdf.set_font("sans", style, size)
        pdf.set_xy(x + 0.75, y + 0.75)
        if text:
            pdf.multi_cell(width - 1.5, ROW_LINE, text, align="L", new_x=XPos.RIGHT, new_y=YPos.TOP)
        x += width
    box = 4.5  # the tick box of the "aired" column
    pdf.rect(x - COLUMNS[-1][1] / 2 - box / 2, y + (height - box) / 2, box, box)
    pdf.set_xy(pdf.l_margin, y + height)


def _draw(pdf: CueSheetPDF, sheet: CueSheet) -> None:
    pdf.sheet_label = f"{sheet.station} · {sheet.week}"
    pdf.add_page()
    pdf.set_font("sans", "B", 16)
    pdf.cell(0, 9, TITLE, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    names = " / ".join(n for n in (sheet.station_name_bn, sheet.station_name) if n)
    pdf.set_font("sans", "B", 11)
    pdf.multi_cell(0, 6, f"{names} {sheet.frequency}".strip(), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font("sans", "", 9)
    sunday = sheet.monday + dt.timedelta(days=6)
    facts = [
        ("সপ্তাহ / Week", f"{sheet.week}: {day(sheet.monday, 'en')} – {day(sunday, 'en')}"),
        ("", f"{day(sheet.monday, 'bn')} – {day(sunday, 'bn')}"),
        ("সময় অঞ্চল / Time zone", f"{sheet.timezone} (স্থানীয় সময় / local time)"),
        ("প্রচার / Airings", f"{digits(str(len(sheet.lines)), 'bn')} / {len(sheet.lines)}"),
        ("হালনাগাদ / As of", f"{sheet.as_of:%Y-%m-%d %H:%M} UTC"),
    ]
    for name, value in facts:
        pdf.set_font("sans", "B", 9)
        pdf.cell(42, 5, name)
        pdf.set_font("sans", "", 9)
        pdf.multi_cell(0, 5, value, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(1.5)
    pdf.set_font("sans", "", 8.5)
    pdf.multi_cell(0, 4.5, "প্রতিটি প্রচারের পর নিশ্চিত করুন: স্টেশনের পাতায় এক ট্যাপে, অথবা এসএমএস পাঠান "
                           "AIRED <কোড>।\nAfter each airing, confirm it: one tap on the station page, or an SMS "
                           "AIRED <code>.", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(2)
    if not sheet.lines:
        pdf.set_font("sans", "", 10)
        pdf.cell(0, 7, "এই সপ্তাহে কোনো প্রচার নেই। / No airings this week.", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        return
    _header_row(pdf)
    for number, line in enumerate(sheet.lines, start=1):
        _row(pdf, _cells(number, line))


@functools.lru_cache(maxsize=32)
def cue_sheet_pdf(sheet: CueSheet) -> bytes:
    """The week's cue sheet as PDF (cached: a bundle is laid out again for every request, Range or 304)."""
    return render_pdf(f"{TITLE} — {sheet.station} {sheet.week}", "bn", lambda pdf: _draw(pdf, sheet),
                      made=sheet.as_of, cls=CueSheetPDF)


def bundle_documents(sheet: CueSheet) -> list[tuple[str, bytes]]:
    """The ``bundle_documents`` hook: ``cue-sheet.pdf``."""
    return [("cue-sheet.pdf", cue_sheet_pdf(sheet))]
