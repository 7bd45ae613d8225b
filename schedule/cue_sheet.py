"""The week's cue sheet as values: one line per airing (local time, titles, length, file, code), and its CSV.

The same :class:`CueSheet` feeds the CSV here and any printable form another feature makes of it (the
``bundle_documents`` hook: ``reports`` draws ``cue-sheet.pdf``), so both always list the same airings.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Sequence
from dataclasses import dataclass

from episodes.models import Episode
from schedule.models import Station
from schedule.recurrence import Occurrence, zone


@dataclass(frozen=True)
class CueLine:
    """One airing as the station reads it: local start, titles in Bangla and English, length, file and code."""

    local_start: dt.datetime
    title_bn: str
    title_en: str
    length_s: float
    file: str
    code: str


@dataclass(frozen=True)
class CueSheet:
    """A station's week: who, which week (Monday, station time zone), its airings, and when its data last changed."""

    station: str
    station_name: str
    station_name_bn: str
    frequency: str
    timezone: str
    week: str
    monday: dt.date
    lines: tuple[CueLine, ...]
    as_of: dt.datetime  # aware UTC; a PDF's creation date, so the same data give the same bytes


def _titles(episode: Episode) -> tuple[str, str]:
    title_bn = episode.title_bn or (episode.title if episode.language == "bn" else "")
    title_en = episode.title_en or (episode.title if episode.language == "en" else "")
    return title_bn, title_en


def _utc(value: dt.datetime) -> dt.datetime:
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


def cue_line(station: Station, occurrence: Occurrence, episode: Episode, file: str, code: str) -> CueLine:
    """The cue-sheet line of one airing."""
    title_bn, title_en = _titles(episode)
    return CueLine(occurrence.start.astimezone(zone(station.timezone)), title_bn, title_en,
                   (occurrence.end - occurrence.start).total_seconds(), file, code)


def cue_sheet(station: Station, week: str, monday: dt.date, lines: Sequence[CueLine],
              changed: Sequence[dt.datetime]) -> CueSheet:
    """The sheet of a week; ``changed`` are the last-modified times of its rows (none: the week's first moment)."""
    first = dt.datetime.combine(monday, dt.time(), zone(station.timezone)).astimezone(dt.UTC)
    as_of = max((_utc(t) for t in changed), default=first).replace(microsecond=0)
    return CueSheet(station.slug, station.name, station.name_bn, station.frequency, station.timezone, week, monday,
                    tuple(lines), as_of)


def _cell(text: str) -> str:
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def length_text(seconds: float) -> str:
    """A length as ``m:ss`` (minutes may pass 59: a cue sheet counts minutes)."""
    whole = int(round(seconds))
    return f"{whole // 60}:{whole % 60:02d}"


def cue_sheet_csv(sheet: CueSheet) -> bytes:
    """Local date and time, titles in Bangla and English, length, file name and confirmation code per airing."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["date", "time", "title_bn", "title_en", "length", "file", "code"])
    for line in sheet.lines:
        writer.writerow([line.local_start.strftime("%Y-%m-%d"), line.local_start.strftime("%H:%M"),
                         _cell(line.title_bn), _cell(line.title_en), length_text(line.length_s), line.file,
                         line.code])
    return ("\ufeff" + out.getvalue()).encode()
