"""The reach report as tables: CSV (one file, a ``breakdown`` column) and XLSX (one sheet per breakdown).

Column headers and sheet names are in the report's language: the field names in English (what scripts read),
Bangla words in a Bangla report (what a reader sees); the rows are the same."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font

from radio.gc_pause import collection_paused
from reports.pdf_labels import label
from reports.reach import BREAKDOWNS, ReachReport
from reports.sources import MISSED_REASONS
from schedule.models import FEEDBACK_COUNTS

KEY_COLUMNS = {"totals": ("key", "label"), "by_station": ("station", "label", "district"),
               "by_district": ("district", "label"), "by_month": ("month", "label"),
               "by_episode": ("episode_id", "label", "kind")}
FIGURES = ("planned", "aired", "partial", "missed", *(f"missed_{r}" for r in MISSED_REASONS), "unconfirmed",
           "minutes_planned", "minutes_aired", "share_delivered", *FEEDBACK_COUNTS,
           *(f"entered_{k}" for k in FEEDBACK_COUNTS), *(f"gateway_{k}" for k in FEEDBACK_COUNTS),
           "feedback_total", "unique_senders")


_REASONS_BN = {"power_cut": "বিদ্যুৎ বিভ্রাট", "technical": "কারিগরি ত্রুটি", "preempted": "অন্য অনুষ্ঠানের জন্য বাদ",
               "other": "অন্যান্য কারণ"}
BANGLA_HEADERS: dict[str, str] = {
    "breakdown": "বিভাগ", "key": "শনাক্তকারী", "label": "নাম", "station": "স্টেশন", "district": "জেলা",
    "month": "মাস", "episode_id": "পর্বের শনাক্তকারী", "kind": "ধরন", "totals": "মোট",
    **{name: label(name, "bn") for name in ("planned", "aired", "partial", "missed", "unconfirmed",
                                            "minutes_planned", "minutes_aired", "share_delivered",
                                            "unique_senders", *FEEDBACK_COUNTS, *BREAKDOWNS)},
    **{f"missed_{r}": f"{label('missed', 'bn')}: {_REASONS_BN[r]}" for r in MISSED_REASONS},
    **{f"{source}_{k}": f"{label(k, 'bn')} ({label(source, 'bn')})" for source in ("entered", "gateway")
       for k in FEEDBACK_COUNTS},
    "feedback_total": "মোট সাড়া", "airings_url": "প্রচারের তালিকা (লিংক)", "feedback_url": "সাড়ার তালিকা (লিংক)",
    "about": "পরিচিতি", "report": "প্রতিবেদন", "campaign": label("campaign", "bn"),
    "stations": label("stations", "bn"), "districts": label("districts", "bn"), "from": "শুরু", "to": "শেষ",
    "generated_at": label("made", "bn"), "generated_tz": "সময় অঞ্চল",
}


def header(name: str, lang: str) -> str:
    """A column's (or sheet's) header in ``lang``: the field name in English, a Bangla word in Bangla."""
    return BANGLA_HEADERS[name] if lang == "bn" else name


def _figures(row: dict[str, Any]) -> list[Any]:
    out: list[Any] = [row["planned"], row["aired"], row["partial"], row["missed"],
                      *(row["missed_by_reason"][r] for r in MISSED_REASONS), row["unconfirmed"],
                      row["minutes_planned"], row["minutes_aired"], row["share_delivered"],
                      *(row["feedback"][k] for k in FEEDBACK_COUNTS),
                      *(row["feedback_by_source"]["entered"][k] for k in FEEDBACK_COUNTS),
                      *(row["feedback_by_source"]["gateway"][k] for k in FEEDBACK_COUNTS),
                      row["feedback_total"], row["unique_senders"]]
    return out


def _sections(report: ReachReport) -> list[tuple[str, list[dict[str, Any]]]]:
    totals = {"key": "all", "label": "all", **report.totals}
    return [("totals", [totals]), *((name, getattr(report, name)) for name in BREAKDOWNS)]


def _text(value: Any) -> Any:
    # A title such as "=HYPERLINK(...)" must stay text when the export is opened in a spreadsheet.
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


@collection_paused()
def reach_csv(report: ReachReport) -> str:
    """The report as one CSV (UTF-8 with a BOM so spreadsheets read Bangla): a row per breakdown row."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    lang = report.scope.lang
    writer.writerow([header(h, lang) for h in ("breakdown", "key", "label", *FIGURES, "airings_url",
                                                "feedback_url")])
    for name, rows in _sections(report):
        key_column = KEY_COLUMNS[name][0]
        for row in rows:
            writer.writerow([header(name, lang), _text(row[key_column]), _text(row["label"]), *_figures(row),
                             row["links"]["airings"], row["links"]["feedback"]])
    return "\ufeff" + out.getvalue()


@collection_paused()
def reach_xlsx(report: ReachReport) -> bytes:
    """The report as a workbook: an ``about`` sheet, then one sheet per breakdown; numbers and dates as such."""
    book = Workbook()
    about = book.active
    assert about is not None
    lang = report.scope.lang
    about.title = header("about", lang)
    bold = Font(bold=True)
    scope = report.scope
    facts: list[tuple[str, Any]] = [
        ("report", "reach"), ("campaign", scope.campaign or ""), ("stations", ", ".join(scope.stations)),
        ("districts", ", ".join(scope.districts)), ("from", scope.date_from), ("to", scope.date_to),
        ("generated_at", report.generated_at.astimezone(dt.UTC).replace(tzinfo=None)), ("generated_tz", "UTC")]
    for name, value in facts:
        about.append([header(name, lang), value])
        about.cell(about.max_row, 1).font = bold
        cell = about.cell(about.max_row, 2)
        if isinstance(value, dt.datetime):
            cell.number_format = "yyyy-mm-dd hh:mm:ss"
        elif isinstance(value, dt.date):
            cell.number_format = "yyyy-mm-dd"
    about.column_dimensions["A"].width = 16
    about.column_dimensions["B"].width = 40
    for name, rows in _sections(report):
        sheet = book.create_sheet(header(name, lang))
        keys = KEY_COLUMNS[name]
        sheet.append([header(h, lang) for h in (*keys, *FIGURES, "airings_url", "feedback_url")])
        for cell in sheet[1]:
            cell.font = bold
        share_col = len(keys) + FIGURES.index("share_delivered") + 1
        for row in rows:
            values: list[Any] = [_text(row[k]) for k in keys]
            if name == "by_month":
                values[0] = dt.date.fromisoformat(row["month"] + "-01")
            sheet.append([*values, *_figures(row), row["links"]["airings"], row["links"]["feedback"]])
            if name == "by_month":
                sheet.cell(sheet.max_row, 1).number_format = "yyyy-mm"
            sheet.cell(sheet.max_row, share_col).number_format = "0.0%"
        sheet.freeze_panes = sheet.cell(2, len(keys) + 1)
        sheet.column_dimensions["B"].width = 30
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
