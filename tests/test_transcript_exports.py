"""Transcript exports as pure functions: subtitle timestamps (Hypothesis), formats, provenance, evidence CSV."""

from __future__ import annotations

import csv
import io
import json
import re

from hypothesis import given
from hypothesis import strategies as st

from transcripts.exports import (
    EVIDENCE_COLUMNS,
    evidence_csv,
    evidence_json,
    format_timestamp,
    parse_timestamp,
    to_json,
    to_srt,
    to_txt,
    to_vtt,
)

DOC = {
    "episode_id": "ep1", "title": "নারী পাচার: একটি সাক্ষাৎকার", "language": "bn", "revision": 2,
    "segments": [
        {"id": "s1", "start": 0.0, "end": 2.5, "text": "প্রথম বাক্য"},
        {"id": "s2", "start": 2.5, "end": 3661.042, "text": "a --> b\n\nsecond line"},
    ],
    "provenance": {"audio_sha256": "a" * 64, "model": "base", "model_sha256": "b" * 64,
                   "params": {"beam_size": 5, "language": "auto"}, "faster_whisper_version": "1.2.1",
                   "ctranslate2_version": "4.8.5", "created_at": "2024-01-01T00:00:00+00:00"},
}


@given(st.floats(min_value=0, max_value=400_000, allow_nan=False))
def test_subtitle_timestamps_round_trip_to_the_millisecond(seconds: float) -> None:
    for marker, pattern in ((",", r"^\d{2,}:[0-5]\d:[0-5]\d,\d{3}$"), (".", r"^\d{2,}:[0-5]\d:[0-5]\d\.\d{3}$")):
        text = format_timestamp(seconds, marker)
        assert re.match(pattern, text)
        assert abs(parse_timestamp(text) - seconds) <= 0.0005 + 1e-9


@given(st.floats(min_value=0, max_value=100_000, allow_nan=False),
       st.floats(min_value=0, max_value=100_000, allow_nan=False))
def test_subtitle_timestamps_keep_order(a: float, b: float) -> None:
    low, high = sorted((a, b))
    assert parse_timestamp(format_timestamp(low)) <= parse_timestamp(format_timestamp(high))


def test_negative_times_clamp_to_zero() -> None:
    assert format_timestamp(-1.2, ",") == "00:00:00,000"
    assert format_timestamp(3599.9996) == "01:00:00.000"


def test_srt_has_numbered_cues_and_a_zero_length_provenance_cue() -> None:
    srt = to_srt(DOC)
    blocks = srt.strip().split("\n\n")
    assert blocks[0].startswith("0\n00:00:00,000 --> 00:00:00,000\n")
    assert "audio_sha256: " + "a" * 64 in blocks[0]
    assert blocks[1] == "1\n00:00:00,000 --> 00:00:02,500\nপ্রথম বাক্য"
    assert blocks[2] == "2\n00:00:02,500 --> 01:01:01,042\na → b\nsecond line"  # no cue-breaking text
    assert len(blocks) == 3


def test_vtt_starts_with_header_and_note() -> None:
    vtt = to_vtt(DOC)
    assert vtt.startswith("WEBVTT\n\nNOTE provenance\n")
    assert "model_sha256: " + "b" * 64 in vtt
    assert "s2\n00:00:02.500 --> 01:01:01.042\n" in vtt
    note = vtt.split("\n\n")[1]
    assert "-->" not in note


def test_txt_and_json_carry_provenance() -> None:
    txt = to_txt(DOC)
    assert txt.startswith("# episode_id: ep1\n")
    assert "# faster_whisper_version: 1.2.1" in txt
    assert "[00:00:00.000 --> 00:00:02.500] প্রথম বাক্য" in txt
    data = json.loads(to_json(DOC))
    assert data["provenance"]["model"] == "base" and data["segments"][0]["text"] == "প্রথম বাক্য"


def test_evidence_csv_has_all_columns_and_defuses_formulas() -> None:
    rows = [{"episode_id": "ep1", "title": "=HYPERLINK(\"x\")", "districts": ["Dhaka", "Narsingdi"],
             "start": 1.5, "end": -0.0, "text": "+8801711123456 বলেছেন", "codes": [], "needs_review": True}]
    text = evidence_csv(rows)
    assert text.startswith("\ufeff")
    parsed = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert tuple(parsed[0]) == EVIDENCE_COLUMNS
    row = dict(zip(parsed[0], parsed[1], strict=True))
    assert row["title"].startswith("'=") and row["text"].startswith("'+")
    assert row["districts"] == "Dhaka; Narsingdi" and row["codes"] == "" and row["needs_review"] == "true"
    assert row["end"] == "-0.0"  # numbers are not defused


def test_evidence_json_lists_filters_transcripts_and_items() -> None:
    data = json.loads(evidence_json([{"episode_id": "ep1", "codes": ["risk"]}], filters={"kind": "call_in"},
                                    generated_at="2024-01-01T00:00:00+00:00", transcripts=[{"episode_id": "ep1"}]))
    assert data["count"] == 1 and data["filters"] == {"kind": "call_in"}
    assert set(data["items"][0]) == set(EVIDENCE_COLUMNS) and data["items"][0]["codes"] == ["risk"]
