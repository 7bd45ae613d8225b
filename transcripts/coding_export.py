"""Exports of coding: coded segments as CSV, the codebook as a REFI-QDA codebook (``.qdc``)."""

from __future__ import annotations

import csv
import io
import xml.etree.ElementTree as ET
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from transcripts.coding_models import Code, SegmentCode

QDC_NAMESPACE = "urn:QDA-XML:codebook:1.0"
CSV_COLUMNS = ("code", "code_guid", "episode_id", "episode_title", "segment_id", "start", "end", "text",
               "quote", "memo", "coded_by", "coded_at")


def _safe_cell(value: Any) -> Any:
    # A spreadsheet runs cells that start with these as formulas; a leading apostrophe keeps them text.
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def coding_to_dict(coding: SegmentCode, *, redact: bool) -> dict[str, Any]:
    """A coded segment as the API shows it (texts redacted unless ``redact`` is False)."""
    from transcripts.access import masked

    def shown(value: str) -> str:
        return masked(value) if redact else value

    segment = coding.segment
    return {
        "id": coding.id, "segment_id": coding.segment_id, "episode_id": coding.episode_id,
        "code_id": coding.code_id, "code": coding.code.name, "colour": coding.code.colour,
        "memo": shown(coding.memo), "quote": shown(coding.quote), "text": shown(segment.text),
        "start": segment.start, "end": segment.end, "created_by": coding.created_by,
        "created_at": coding.created_at.isoformat(), "updated_at": coding.updated_at.isoformat(),
    }


def coded_segments_csv(session: Session, items: list[SegmentCode], *, redact: bool) -> str:
    """Coded segments as CSV (UTF-8 with BOM so spreadsheets read Bangla), one row per code on a segment."""
    from episodes.models import Episode
    from radio.models import User
    from transcripts.access import masked

    titles = dict(session.execute(select(Episode.id, Episode.title)
                                  .where(Episode.id.in_({c.episode_id for c in items}))).all())
    users = dict(session.execute(select(User.id, User.email)
                                 .where(User.id.in_({c.created_by for c in items if c.created_by}))).all())
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for coding in items:
        row = coding_to_dict(coding, redact=redact)
        title = titles.get(coding.episode_id, "")
        writer.writerow([_safe_cell(v) for v in (
            coding.code.name, coding.code.guid, coding.episode_id,
            masked(title) if redact else title, coding.segment_id,
            f"{coding.segment.start:.3f}", f"{coding.segment.end:.3f}", row["text"], row["quote"], row["memo"],
            users.get(coding.created_by or "", ""), row["created_at"],
        )])
    return out.getvalue()


def codebook_qdc(session: Session, *, origin: str = "Ashshash Radio") -> bytes:
    """The codebook as REFI-QDA Codebook XML (urn:QDA-XML:codebook:1.0): nested codes with GUIDs,
    colours and descriptions."""
    codes = list(session.scalars(select(Code).order_by(Code.name_key)))
    children: dict[str | None, list[Code]] = {}
    ids = {c.id for c in codes}
    for code in codes:
        children.setdefault(code.parent_id if code.parent_id in ids else None, []).append(code)

    ET.register_namespace("", QDC_NAMESPACE)
    root = ET.Element(f"{{{QDC_NAMESPACE}}}CodeBook", {"origin": origin})
    codes_el = ET.SubElement(root, f"{{{QDC_NAMESPACE}}}Codes")

    def add(parent: ET.Element, code: Code) -> None:
        element = ET.SubElement(parent, f"{{{QDC_NAMESPACE}}}Code",
                                {"guid": code.guid, "name": code.name, "isCodable": "true", "color": code.colour})
        if code.description:
            ET.SubElement(element, f"{{{QDC_NAMESPACE}}}Description").text = code.description
        for child in children.get(code.id, []):
            add(element, child)

    for code in children.get(None, []):
        add(codes_el, code)
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)
