"""Transcript and evidence-log exports (.txt, .srt, .vtt, .json, .csv); pure functions of plain values.

Every export carries the transcript's provenance: a ``#`` header in text, a zero-length cue ``0`` in
SubRip (which has no comment syntax; players skip zero-length cues), a ``NOTE`` block in WebVTT, a
``provenance`` object in JSON and provenance columns in the evidence CSV.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Mapping
from typing import Any

EXPORT_FORMATS = ("txt", "srt", "vtt", "json")
MEDIA_TYPES = {
    "txt": "text/plain; charset=utf-8",
    "srt": "application/x-subrip; charset=utf-8",
    "vtt": "text/vtt; charset=utf-8",
    "json": "application/json; charset=utf-8",
    "csv": "text/csv; charset=utf-8",
}
PROVENANCE_KEYS = ("audio_sha256", "model", "model_sha256", "backend", "faster_whisper_version",
                   "ctranslate2_version", "worker_host", "started_at", "finished_at", "created_at", "job_id")
EVIDENCE_COLUMNS = ("episode_id", "title", "districts", "campaign", "recorded_on", "segment_id", "start", "end",
                    "text", "codes", "language", "confidence", "needs_review", "revision", "audio_sha256",
                    "model", "model_sha256", "decoder", "transcribed_at")


def format_timestamp(seconds: float, decimal_marker: str = ".") -> str:
    """``HH:MM:SS.mmm`` (``,`` for SubRip); negative times clamp to zero, hours may exceed 99."""
    millis = max(0, round(float(seconds) * 1000))
    hours, millis = divmod(millis, 3_600_000)
    minutes, millis = divmod(millis, 60_000)
    secs, millis = divmod(millis, 1000)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}{decimal_marker}{millis:03d}"


def parse_timestamp(value: str) -> float:
    """Seconds of an ``HH:MM:SS.mmm`` or ``HH:MM:SS,mmm`` timestamp."""
    hms, millis = value.replace(",", ".").rsplit(".", 1)
    hours, minutes, secs = (int(part) for part in hms.split(":"))
    return hours * 3600 + minutes * 60 + secs + int(millis) / 1000


def provenance_lines(doc: Mapping[str, Any]) -> list[str]:
    """The provenance of a transcript document as ``key: value`` lines."""
    prov = doc.get("provenance", {})
    lines = [f"episode_id: {doc.get('episode_id', '')}", f"title: {_one_line(doc.get('title', ''))}",
             f"language: {doc.get('language', '')}", f"revision: {doc.get('revision', 0)}"]
    lines += [f"{key}: {prov.get(key, '')}" for key in PROVENANCE_KEYS if key in prov]
    lines.append("params: " + json.dumps(prov.get("params", {}), sort_keys=True, ensure_ascii=False))
    return lines


def _one_line(text: Any) -> str:
    return " ".join(str(text).split())


def _cue_text(text: str) -> str:
    # A blank line ends a cue and "-->" starts a timing line: neither may appear inside cue text.
    return "\n".join(line for line in str(text).replace("-->", "→").splitlines() if line.strip()) or "…"


def to_txt(doc: Mapping[str, Any]) -> str:
    """Plain text: a ``#`` provenance header, then one ``[start --> end] text`` line per segment."""
    out = [f"# {line}" for line in provenance_lines(doc)]
    out.append("")
    for seg in doc.get("segments", []):
        out.append(f"[{format_timestamp(seg['start'])} --> {format_timestamp(seg['end'])}] {_one_line(seg['text'])}")
    return "\n".join(out) + "\n"


def to_srt(doc: Mapping[str, Any]) -> str:
    """SubRip subtitles, provenance in a zero-length cue 0."""
    zero = format_timestamp(0, ",")
    blocks = [f"0\n{zero} --> {zero}\n" + "\n".join(_cue_text(line) for line in provenance_lines(doc))]
    for number, seg in enumerate(doc.get("segments", []), start=1):
        blocks.append(f"{number}\n{format_timestamp(seg['start'], ',')} --> {format_timestamp(seg['end'], ',')}\n"
                      f"{_cue_text(seg['text'])}")
    return "\n\n".join(blocks) + "\n"


def to_vtt(doc: Mapping[str, Any]) -> str:
    """WebVTT subtitles with a NOTE block of provenance; cue ids are segment ids."""
    blocks = ["WEBVTT", "NOTE provenance\n" + "\n".join(_cue_text(line) for line in provenance_lines(doc))]
    for seg in doc.get("segments", []):
        blocks.append(f"{seg.get('id', '')}\n{format_timestamp(seg['start'])} --> {format_timestamp(seg['end'])}\n"
                      f"{_cue_text(seg['text'])}")
    return "\n\n".join(blocks) + "\n"


def to_json(doc: Mapping[str, Any]) -> str:
    """The transcript document as JSON (UTF-8, Bangla readable)."""
    return json.dumps(doc, ensure_ascii=False, indent=1, default=str) + "\n"


def render_transcript(doc: Mapping[str, Any], fmt: str) -> str:
    """The transcript in one of EXPORT_FORMATS."""
    renderers = {"txt": to_txt, "srt": to_srt, "vtt": to_vtt, "json": to_json}
    return renderers[fmt](doc)


def _csv_cell(value: Any) -> str:
    if isinstance(value, list):
        value = "; ".join(str(v) for v in value)
    elif isinstance(value, bool):
        value = "true" if value else "false"
    text = "" if value is None else str(value)
    # Spreadsheets run cells that start like a formula; evidence logs are opened in spreadsheets.
    if text[:1] in ("=", "+", "-", "@", "\t", "\r") and not _is_number(text):
        text = "'" + text
    return text


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def evidence_csv(rows: Iterable[Mapping[str, Any]]) -> str:
    """The evidence log as CSV (with a BOM so spreadsheets read Bangla as UTF-8), provenance in columns."""
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(EVIDENCE_COLUMNS)
    for row in rows:
        writer.writerow([_csv_cell(row.get(column)) for column in EVIDENCE_COLUMNS])
    return buffer.getvalue()


def evidence_json(rows: Iterable[Mapping[str, Any]], *, filters: Mapping[str, Any], generated_at: str,
                  transcripts: Iterable[Mapping[str, Any]]) -> str:
    """The evidence log as JSON: the filters, each transcript's full provenance, and one item per segment."""
    items = [{column: row.get(column) for column in EVIDENCE_COLUMNS} for row in rows]
    doc = {"generated_at": generated_at, "filters": dict(filters), "count": len(items),
           "transcripts": list(transcripts), "items": items}
    return json.dumps(doc, ensure_ascii=False, indent=1, default=str) + "\n"
