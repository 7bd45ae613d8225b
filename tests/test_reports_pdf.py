"""The reports as PDF: Bangla text extracted as the Unicode it came from, page numbers, a page looked at."""

from __future__ import annotations

import datetime as dt
import io
import shutil
import subprocess
import unicodedata
from pathlib import Path
from typing import Any

import pytest
from fpdf import FPDF
from pypdf import PdfReader
from schedule_helpers import create_station, make_episode

from reports.pdf_text import add_cluster_mapped_font
from tests.search_corpus import add_episode
from transcripts.coding_models import Code, SegmentCode

ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"
FONTS = Path(__file__).resolve().parents[1] / "reports" / "fonts"
PERIOD = {"from": "2026-01-01", "to": "2026-03-31"}
HARD_WORDS = ["প্রতিরোধ", "ক্ষমতা", "স্বাস্থ্য", "রেডিও", "পদ্মা", "কৃষ্ণ", "শ্রীমঙ্গল", "কৌশল", "হৃদয়",
              "ব্রহ্মপুত্র", "জ্যৈষ্ঠ", "ঐক্য"]


def _text(pdf: bytes) -> str:
    text = " ".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(pdf)).pages)
    return " ".join(text.split())  # lines wrapped in table cells join again


def render_png(pdf: bytes, name: str, page: int = 1) -> Path:
    """Page ``page`` as PNG under test-artifacts/ (poppler's pdftoppm, else PDFium)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    source = ARTIFACTS / f"{name}.pdf"
    source.write_bytes(pdf)
    target = ARTIFACTS / f"{name}-page{page}.png"
    if shutil.which("pdftoppm"):
        subprocess.run(["pdftoppm", "-r", "110", "-png", "-singlefile", "-f", str(page), "-l", str(page),
                        str(source), str(target.with_suffix(""))], check=True, timeout=60)
    else:
        import pypdfium2
        pypdfium2.PdfDocument(str(source))[page - 1].render(scale=1.5).to_pil().save(target)
    assert target.stat().st_size > 5000
    return target


def test_shaped_bangla_copies_out_as_its_unicode() -> None:
    pdf = FPDF()
    pdf.add_page()
    add_cluster_mapped_font(pdf, "bengali", str(FONTS / "NotoSansBengali-Regular.ttf"))
    pdf.set_font("bengali", size=14)
    pdf.set_text_shaping(True)
    for word in HARD_WORDS:
        pdf.cell(text=word, new_x="LMARGIN", new_y="NEXT")
    lines = PdfReader(io.BytesIO(bytes(pdf.output()))).pages[0].extract_text().split("\n")
    assert lines == HARD_WORDS


def test_stock_shaping_loses_conjunct_text() -> None:
    """Why pdf_text exists: fpdf2's own mapping gives pre-base vowel signs' consonants no text (a regression
    guard: when this starts to pass upstream, the cluster mapping can go)."""
    pdf = FPDF()
    pdf.add_page()
    pdf.add_font("bengali", "", str(FONTS / "NotoSansBengali-Regular.ttf"))
    pdf.set_font("bengali", size=14)
    pdf.set_text_shaping(True)
    pdf.cell(text="রেডিও প্রতিরোধ")
    assert PdfReader(io.BytesIO(bytes(pdf.output()))).pages[0].extract_text() != "রেডিও প্রতিরোধ"


@pytest.fixture
def reach_data(runtime, api_as):
    admin = api_as("admin")
    create_station(admin, "radio-padma", name="Radio Padma", name_bn="রেডিও পদ্মা", district="Narsingdi")
    create_station(admin, "radio-jamuna", name="Radio Jamuna", name_bn="রেডিও যমুনা", district="Manikganj")
    producer = api_as("producer")
    drama = make_episode(runtime, title="ঘরে ফেরা — প্রতিরোধের গল্প", title_bn="ঘরে ফেরা — প্রতিরোধের গল্প",
                         title_en="Coming home: a story of resistance")
    for station, start in (("radio-padma", "2026-01-05T20:00"), ("radio-jamuna", "2026-02-03T08:00")):
        r = producer.post("/api/v1/broadcasts", json={"station": station, "episode_id": drama, "start": start,
                                                      "rrule": "FREQ=WEEKLY;COUNT=6"})
        assert r.status_code == 201, r.get_json()
        r = producer.post(f"/api/v1/broadcasts/{r.get_json()['id']}/feedback",
                          json={"occurrence": start[:10], "calls": 7, "sms": 12})
        assert r.status_code == 201
    with runtime.session() as session:
        episode, segments = add_episode(session, "শ্রোতার ফোন: বিদেশে চাকরির প্রলোভন",
                                        ["দালাল বলেছিল ০১৭১২৩৪৫৬৭৮ নম্বরে ফোন করতে", "পাসপোর্ট রেখে দিয়েছিল"],
                                        language="bn", kind="call_in", districts=["Narsingdi"],
                                        campaign="safe-migration", consent="research_only",
                                        recorded_on=dt.date(2026, 2, 10))
        code = Code(name="প্রতারণা", name_key="প্রতারণা")
        session.add(code)
        session.flush()
        for segment in segments:
            session.add(SegmentCode(segment_id=segment.id, code_id=code.id, episode_id=episode.id,
                                    quote=segment.text))
    return {"producer": producer, "admin": admin, "drama": drama}


def test_bangla_reach_pdf_gives_back_names_titles_and_dates(reach_data) -> None:
    response = reach_data["producer"].get("/api/v1/reports/reach.pdf", query_string={**PERIOD, "lang": "bn"})
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    reader = PdfReader(io.BytesIO(response.data))
    text = unicodedata.normalize("NFC", _text(response.data))
    for expected in ("রেডিও পদ্মা", "রেডিও যমুনা", "ঘরে ফেরা — প্রতিরোধের গল্প", "প্রচার ও সাড়ার প্রতিবেদন",
                     "১৭ পৌষ ১৪৩২ বঙ্গাব্দ",  # 1 January 2026 (১ পৌষ is 16 December)
                     "স্টেশন অনুযায়ী পরিকল্পিত ও প্রচারিত"):
        assert expected in text, expected
    pages = len(reader.pages)
    assert f"পৃষ্ঠা ১ / {str(pages).translate(str.maketrans('0123456789', '০১২৩৪৫৬৭৮৯'))}" in text
    png = render_png(response.data, "reach-bn")
    assert png.exists()


def test_english_reach_pdf_and_its_charts_are_vector(reach_data) -> None:
    response = reach_data["admin"].get("/api/v1/reports/reach.pdf", query_string={**PERIOD, "lang": "en"})
    assert response.status_code == 200
    text = _text(response.data)
    for expected in ("Reach report", "Radio Padma", "Radio Jamuna", "Coming home: a story of resistance",
                     "Airings planned and delivered per station", "Listener feedback per month",
                     "Codes applied per district", "Page 1 of"):
        assert expected in text, expected
    reader = PdfReader(io.BytesIO(response.data))
    assert not any("/XObject" in (page.get("/Resources") or {}) for page in reader.pages)  # no raster images
    content = b"".join(page.get_contents().get_data() for page in reader.pages)
    assert content.count(b" re f") + content.count(b" re\nf") > 6  # bars are filled rectangles
    render_png(response.data, "reach-en")


def test_evidence_pdf_quotes_are_redacted(reach_data) -> None:
    response = reach_data["admin"].get("/api/v1/reports/evidence.pdf", query_string={**PERIOD, "lang": "bn"})
    assert response.status_code == 200
    text = unicodedata.normalize("NFC", _text(response.data))
    assert "প্রতারণা" in text and "পাসপোর্ট রেখে দিয়েছিল" in text
    assert "০১৭১২৩৪৫৬৭৮" not in text
    render_png(response.data, "evidence-bn")


def _footer_runs(data: bytes) -> list[tuple[str, float]]:
    """(text, x in pt) of each text run in the footer band (the bottom 15 mm) of page 1."""
    runs: list[tuple[str, float]] = []

    def visit(text: str, cm: Any, tm: Any, font: Any, size: Any) -> None:
        if text.strip() and tm[5] < 15 * 72 / 25.4:
            runs.append((text, tm[4]))

    PdfReader(io.BytesIO(data)).pages[0].extract_text(visitor_text=visit)
    return runs


@pytest.mark.parametrize(("lang", "expected"), [("bn", "পৃষ্ঠা ১ / ১"), ("en", "Page 1 of 1")])
def test_footer_page_count_is_the_real_count_flush_right(lang: str, expected: str) -> None:
    """The count is the real one, as text that copies out (also on an English page of Bangla text only), and
    its run ends at the right margin: no room reserved for digits that are not there."""
    from reports.pdf import ReportPDF, render_pdf

    def draw(pdf: ReportPDF) -> None:
        pdf.add_page()
        pdf.set_font("bengali", "", 12)
        pdf.cell(0, 8, "রেডিও প্রতিরোধ")
        pdf.set_font("sans", "", 8)

    data = render_pdf("রিপোর্ট" if lang == "bn" else "Report", lang, draw)
    text = unicodedata.normalize("NFC", PdfReader(io.BytesIO(data)).pages[0].extract_text())
    assert expected in text
    runs = _footer_runs(data)
    start = next(x for t, x in runs if expected.split()[0] in t)  # where the page-count cell's text begins
    probe = ReportPDF(lang, "x")
    probe.add_page()
    probe.set_font("bengali" if lang == "bn" else "sans", "", 8)
    width_pt = probe.get_string_width(expected) * 72 / 25.4
    right_edge_pt = (210 - 15 - probe.c_margin) * 72 / 25.4  # right margin, less the cell's own padding
    assert abs(start + width_pt - right_edge_pt) < 1.0, (runs, width_pt)


def test_english_footer_after_bangla_only_text_copies_out_as_latin() -> None:
    """A page whose text (and title) is all Bangla leaves the Bengali font selected; the English page count set
    after it must still be read with its own font's text mapping (it came out as Bangla letters before)."""
    from reports.pdf import ReportPDF, render_pdf

    def draw(pdf: ReportPDF) -> None:
        for word in ("রেডিও প্রতিরোধ", "রেডিও"):
            pdf.add_page()
            pdf.set_font("bengali", "", 12)
            pdf.cell(0, 8, word)

    pages = PdfReader(io.BytesIO(render_pdf("রিপোর্ট", "en", draw))).pages
    texts = [unicodedata.normalize("NFC", page.extract_text()) for page in pages]
    assert texts[0].endswith("রিপোর্ট Page 1 of 2") and texts[1].endswith("রিপোর্ট Page 2 of 2"), texts
