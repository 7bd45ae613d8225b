"""The reports as PDF: A4, Bangla or English, shaped text that copies out as its Unicode, vector charts,
page numbers, the period and when it was made."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from fpdf import FPDF
from fpdf.enums import XPos, YPos

from radio.gc_pause import collection_paused
from reports.evidence import EvidenceSummary
from reports.pdf_labels import day, digits, label, moment, month, number, percent
from reports.pdf_text import add_cluster_mapped_font
from reports.reach import ReachReport
from schedule.models import FEEDBACK_COUNTS

FONTS = Path(__file__).parent / "fonts"
PALETTE = ((31, 119, 180), (255, 127, 14), (44, 160, 44), (214, 39, 40), (148, 103, 189), (140, 86, 75),
           (227, 119, 194), (127, 127, 127), (188, 189, 34), (23, 190, 207))
GREY = (120, 120, 120)
class ReportPDF(FPDF):
    """An A4 page with the report's footer: its title, the page number and the page count.

    Footers are drawn after the whole document, when the page count is known (``draw_footers``), as the same
    shaped text as the rest of the page: no placeholder sized for three digits (a visible gap before the edge)
    and no substituted digits left out of the font's text mapping (raw codes when the text is copied out).
    """

    def __init__(self, lang: str, title: str) -> None:
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self.lang, self.title_text = lang, title
        self.set_margins(15, 15, 15)
        self.set_auto_page_break(True, margin=18)
        for style, suffix in (("", "Regular"), ("B", "Bold")):
            add_cluster_mapped_font(self, "sans", str(FONTS / f"NotoSans-{suffix}.ttf"), style)
            add_cluster_mapped_font(self, "bengali", str(FONTS / f"NotoSansBengali-{suffix}.ttf"), style)
        self.set_fallback_fonts(["bengali"], exact_match=False)
        self.set_text_shaping(True)
        self.set_title(title)
        self.set_creator("Ashshash Radio")
        self.set_lang(lang)

    def footer(self) -> None:
        """Nothing while the document is drawn: ``draw_footers`` draws every page's footer at the end."""

    def draw_footers(self) -> None:
        """Every page's footer, now that the page count is known."""
        last, auto, margin = self.page, self.auto_page_break, self.b_margin
        self.set_auto_page_break(False)
        for page in range(1, last + 1):
            self.page = page
            self.set_y(-13)
            self.set_text_color(*GREY)
            self.page_footer(page, last)
            self.set_text_color(0, 0, 0)
        self.page = last
        self.set_auto_page_break(auto, margin=margin)

    def footer_font(self) -> None:
        """Select the footer's font in the page's content for certain: the page was drawn to its end in some
        other font, and text falling back to the Bengali font leaves that font selected in the content while
        fpdf2 still counts the sans one as current; a cell set then would be read against the Bengali font's
        text mapping (an English "Page 1 of 1" extracting as Bangla letters)."""
        self.set_font("bengali", "", 8)
        self.set_font("sans", "", 8)

    def page_count_text(self, number: int, total: int, lang: str) -> str:
        """``Page n of N`` / ``পৃষ্ঠা n / N`` in ``lang``'s words and digits."""
        if lang == "bn":
            return digits(f"{label('page', 'bn')} {number} / {total}", "bn")
        return f"{label('page', 'en')} {number} {label('of', 'en')} {total}"

    def page_footer(self, number: int, total: int) -> None:
        """Title on the left, ``Page n of N`` (``পৃষ্ঠা n / N``) on the right."""
        self.footer_font()
        self.cell(0, 5, self.title_text, align="L")
        self.set_x(self.l_margin)
        self.footer_font()
        self.cell(0, 5, self.page_count_text(number, total, self.lang), align="R")


def _heading(pdf: ReportPDF, text: str, size: float = 12) -> None:
    if pdf.get_y() > pdf.h - 45:
        pdf.add_page()
    pdf.ln(3)
    pdf.set_font("sans", "B", size)
    pdf.cell(0, 7, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font("sans", "", 9)


def _cover(pdf: ReportPDF, title: str, scope: Any, generated_at: Any) -> None:
    lang = pdf.lang
    pdf.add_page()
    pdf.set_font("sans", "B", 18)
    pdf.cell(0, 10, title, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font("sans", "", 10)
    facts = [
        (label("campaign", lang), scope.campaign or label("all_campaigns", lang)),
        (label("period", lang), f"{day(scope.date_from, lang)} – {day(scope.date_to, lang)}"),
        (label("stations", lang), ", ".join(scope.stations) or label("all", lang)),
        (label("districts", lang), ", ".join(scope.districts) or label("all", lang)),
        (label("made", lang), moment(generated_at, lang)),
    ]
    for name, value in facts:
        pdf.set_font("sans", "B", 10)
        pdf.cell(38, 6, name)
        pdf.set_font("sans", "", 10)
        pdf.multi_cell(0, 6, value, new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def _table(pdf: ReportPDF, header: Sequence[str], rows: Sequence[Sequence[str]], widths: Sequence[float]) -> None:
    """A ruled table: a bold header of up to three lines (repeated after a page break), one line per row.

    Drawn with plain cells: fpdf2's table lays out every cell as a multi-line paragraph, which costs seconds
    for a year's breakdowns; a row here is one shaped line per cell.
    """
    row_h, head_h = 5.0, 10.5

    def draw_header() -> None:
        x, y = pdf.l_margin, pdf.get_y()
        pdf.set_font("sans", "B", 6.5)
        pdf.set_fill_color(235, 235, 235)
        for i, (text, w) in enumerate(zip(header, widths, strict=True)):
            pdf.rect(x, y, w, head_h, style="DF")
            pdf.set_xy(x, y + 0.6)
            pdf.multi_cell(w, 3.1, text, align="L" if i == 0 else "R", max_line_height=3.1,
                           new_x=XPos.RIGHT, new_y=YPos.TOP)
            x += w
        pdf.set_fill_color(255, 255, 255)
        pdf.set_xy(pdf.l_margin, y + head_h)
        pdf.set_font("sans", "", 7.5)

    if pdf.get_y() + head_h + row_h * min(len(rows), 3) > pdf.page_break_trigger:
        pdf.add_page()
    draw_header()
    for values in rows:
        first = values[0]
        lines = 1
        if pdf.get_string_width(first) > widths[0] - 2:
            wrapped = pdf.multi_cell(widths[0], row_h, first, dry_run=True, output="LINES")
            lines = len(wrapped) if isinstance(wrapped, list) else 2
        height = row_h * lines
        if pdf.get_y() + height > pdf.page_break_trigger:
            pdf.add_page()
            draw_header()
        y = pdf.get_y()
        if lines == 1:  # one line needs no line breaking (fpdf2 measures a paragraph character by character)
            pdf.cell(widths[0], height, first, border=1, align="L")
        else:
            pdf.rect(pdf.l_margin, y, widths[0], height)
            pdf.multi_cell(widths[0], row_h, first, align="L", new_x=XPos.RIGHT, new_y=YPos.TOP)
        pdf.set_xy(pdf.l_margin + widths[0], y)
        for text, w in zip(values[1:], widths[1:], strict=True):
            pdf.cell(w, height, text, border=1, align="R")
        pdf.ln(height)
    pdf.ln(2)


def _bars(pdf: ReportPDF, title: str, labels: Sequence[str], series: Sequence[tuple[str, Sequence[float]]],
          stacked: bool = False) -> None:
    """A vector bar chart (grouped or stacked), one group per label, with a legend and a value axis."""
    height, left, width = 55.0, pdf.l_margin + 12, pdf.w - pdf.l_margin - pdf.r_margin - 12
    if pdf.get_y() + height + 40 > pdf.h - pdf.b_margin:
        pdf.add_page()  # the heading goes with its chart
    _heading(pdf, title, 11)
    if not labels:
        pdf.cell(0, 6, label("no_data", pdf.lang), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        return
    top = pdf.get_y() + 2
    totals = [sum(values[i] for _, values in series) if stacked else max(values[i] for _, values in series)
              for i in range(len(labels))]
    peak = float(max(4, math.ceil(max(totals) / 4) * 4))  # whole-number ticks
    pdf.set_draw_color(*GREY)
    pdf.set_line_width(0.2)
    pdf.set_font("sans", "", 6.5)
    for step in range(5):
        value = peak * step / 4
        y = top + height - height * step / 4
        pdf.line(left, y, left + width, y)
        pdf.set_xy(pdf.l_margin, y - 2)
        pdf.cell(11, 4, number(value, pdf.lang, 0), align="R")
    group = width / len(labels)
    bar = group * 0.8 / (1 if stacked else len(series))
    for i, name in enumerate(labels):
        x = left + group * i + group * 0.1
        base = top + height
        for s, (_, values) in enumerate(series):
            h = height * values[i] / peak
            pdf.set_fill_color(*PALETTE[s % len(PALETTE)])
            if stacked:
                if h > 0:
                    pdf.rect(x, base - h, bar, h, style="F")
                base -= h
            elif h > 0:
                pdf.rect(x + bar * s, base - h, bar, h, style="F")
        pdf.set_font("sans", "", 6.5 if len(labels) <= 12 else 5)
        pdf.set_xy(left + group * i, top + height + 1)
        pdf.multi_cell(group, 3, name, align="C", max_line_height=3)
    pdf.set_y(top + height + 12)
    pdf.set_font("sans", "", 7.5)
    for s, (name, _) in enumerate(series):
        pdf.set_fill_color(*PALETTE[s % len(PALETTE)])
        pdf.rect(pdf.get_x(), pdf.get_y() + 1, 3, 3, style="F")
        pdf.set_x(pdf.get_x() + 4)
        pdf.cell(pdf.get_string_width(name) + 6, 5, name)
        if pdf.get_x() > pdf.w - 50:
            pdf.ln(5)
    pdf.set_fill_color(255, 255, 255)
    pdf.ln(7)


def _figure_header(lang: str, key: str) -> list[str]:
    return [label(key, lang), label("planned", lang), label("aired", lang), label("partial", lang),
            label("missed", lang), label("unconfirmed", lang), label("minutes_planned", lang),
            label("minutes_aired", lang), label("share_delivered", lang), label("feedback", lang)]


def _figure_cells(row: dict[str, Any], lang: str) -> list[str]:
    return [number(row["planned"], lang), number(row["aired"], lang), number(row["partial"], lang),
            number(row["missed"], lang), number(row["unconfirmed"], lang), number(row["minutes_planned"], lang, 1),
            number(row["minutes_aired"], lang, 1), percent(row["share_delivered"], lang),
            number(row["feedback_total"], lang)]


WIDTHS = (40, 15, 15, 15, 15, 16, 17, 17, 16, 14)


def _reach_pages(pdf: ReportPDF, report: ReachReport, evidence: EvidenceSummary | None) -> None:
    lang = report.scope.lang
    _cover(pdf, label("reach_title", lang), report.scope, report.generated_at)
    _heading(pdf, label("totals", lang))
    _table(pdf, _figure_header(lang, "totals"), [[label("all", lang), *_figure_cells(report.totals, lang)]], WIDTHS)
    kinds = report.totals["feedback_by_source"]
    _table(pdf, [label("feedback", lang), *(label(k, lang) for k in FEEDBACK_COUNTS), label("unique_senders", lang)],
           [[label(src, lang), *(number(kinds[src][k], lang) for k in FEEDBACK_COUNTS),
             number(report.totals["unique_senders"], lang) if src == "gateway" else ""]
            for src in ("entered", "gateway")], (40, 22, 22, 22, 22, 22, 30))
    pdf.set_font("sans", "", 7.5)
    pdf.multi_cell(0, 4, label("status_note", lang), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    stations = report.by_station
    _bars(pdf, label("chart_airings", lang), [r["label"] for r in stations],
          [(label("planned", lang), [r["planned"] for r in stations]),
           (label("delivered", lang), [r["aired"] + r["partial"] for r in stations])])
    months = report.by_month
    _bars(pdf, label("chart_feedback", lang), [month(r["month"], lang) for r in months],
          [(label(k, lang), [r["feedback"][k] for r in months]) for k in FEEDBACK_COUNTS], stacked=True)
    if evidence is not None and evidence.codes:
        _codes_chart(pdf, evidence)
    for name, key, rows in (("by_station", "station", stations), ("by_district", "district", report.by_district),
                            ("by_month", "month", months), ("by_episode", "episode", report.by_episode)):
        _heading(pdf, label(name, lang))
        if not rows:
            pdf.cell(0, 6, label("no_data", lang), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            continue
        first = (lambda r: month(r["month"], lang)) if name == "by_month" else (lambda r: r["label"] or "—")
        _table(pdf, _figure_header(lang, key), [[first(r), *_figure_cells(r, lang)] for r in rows], WIDTHS)


def _codes_chart(pdf: ReportPDF, evidence: EvidenceSummary) -> None:
    lang = evidence.scope.lang
    districts = evidence.breakdowns["by_district"]
    top_codes = [c["id"] for c in evidence.codes[: len(PALETTE)]]
    names = {c["id"]: c["name"] for c in evidence.codes}
    _bars(pdf, label("chart_codes", lang), [r["district"] for r in districts],
          [(names[c], [r["codes"].get(c, 0) for r in districts]) for c in top_codes], stacked=True)


def _evidence_pages(pdf: ReportPDF, evidence: EvidenceSummary) -> None:
    lang = evidence.scope.lang
    _cover(pdf, label("evidence_title", lang), evidence.scope, evidence.generated_at)
    _heading(pdf, label("codes", lang))
    if not evidence.codes:
        pdf.cell(0, 6, label("no_data", lang), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        return
    _table(pdf, [label("codes", lang), label("applications", lang)],
           [[c["name"], number(c["count"], lang)] for c in evidence.codes], (140, 40))
    _codes_chart(pdf, evidence)
    for name, key in (("by_district", "district"), ("by_kind", "kind"), ("by_month", "month")):
        rows = evidence.breakdowns[name]
        _heading(pdf, label(name, lang))
        _table(pdf, [label(name if key == "kind" else key, lang), label("applications", lang)],
               [[str(r[key]), number(r["total"], lang)] for r in rows], (140, 40))
    _heading(pdf, label("quotes", lang))
    for quote in evidence.quotes:
        pdf.set_font("sans", "B", 8.5)
        pdf.multi_cell(0, 5, f"{quote['code']} · {quote['title']} · {digits(quote['at'], lang)}",
                       new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.set_font("sans", "", 8.5)
        pdf.multi_cell(0, 5, f"“{quote['text']}”", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.set_font("sans", "", 6.5)
        pdf.set_text_color(*GREY)
        prov = quote["provenance"]
        pdf.multi_cell(0, 3.5, f"{quote['episode_id']} · segment {quote['segment_id']} · audio "
                       f"{prov['audio_sha256'][:16]} · {prov['model']} · rev {prov['segment_revision']}",
                       new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.set_text_color(0, 0, 0)
        pdf.ln(1.5)


def render_pdf(title: str, lang: str, draw: Any, *, made: dt.datetime | None = None,
               cls: type[ReportPDF] = ReportPDF) -> bytes:
    """Draw a document, then its footers (the page count known). ``made`` fixes the creation date (and so the
    file identifier): the same drawing, the same bytes."""
    pdf = cls(lang, title)
    if made is not None:
        pdf.set_creation_date(made)
    draw(pdf)
    pdf.draw_footers()
    return bytes(pdf.output())


@collection_paused()
def reach_pdf(report: ReachReport, evidence: EvidenceSummary | None = None) -> bytes:
    """The reach report as PDF (with the codes-per-district chart when an evidence summary is given)."""
    lang = report.scope.lang
    return render_pdf(label("reach_title", lang), lang, lambda pdf: _reach_pages(pdf, report, evidence))


@collection_paused()
def evidence_pdf(evidence: EvidenceSummary) -> bytes:
    """The evidence summary as PDF."""
    lang = evidence.scope.lang
    return render_pdf(label("evidence_title", lang), lang, lambda pdf: _evidence_pages(pdf, evidence))
