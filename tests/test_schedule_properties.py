"""Property tests: overlap detection, recurrence expansion as clients see it, Bangla text through the feed."""

from __future__ import annotations

import datetime as dt
import unicodedata

import icalendar
import recurring_ical_events
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from schedule_helpers import parse_strict, physical_lines

from schedule.folding import fold_line
from schedule.ical import CalendarValues, EventValues, render_station_calendar
from schedule.recurrence import (
    HORIZON,
    Occurrence,
    Series,
    expand,
    format_local,
    overlapping_ids,
    parse_rrule,
    plan_series,
    wall_to_utc,
    zone,
)

BASE = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
MINUTE = dt.timedelta(minutes=1)
SIGNS = {"Mn", "Mc", "Me"}


def _occ(key: str, start_min: int, length_min: int) -> Occurrence:
    start = BASE + start_min * MINUTE
    return Occurrence(key, start, start + length_min * MINUTE, key)


@given(new_parts=st.lists(st.tuples(st.integers(0, 120), st.integers(1, 90)), min_size=1, max_size=12),
       existing=st.lists(st.tuples(st.integers(0, 2000), st.integers(1, 120)), max_size=25))
def test_overlap_detection_matches_brute_force(new_parts, existing) -> None:
    new, cursor = [], 0
    for gap, length in new_parts:  # sorted and not overlapping each other, as a valid series is
        cursor += gap
        new.append(_occ("n", cursor, length))
        cursor += length
    others = [(f"b{i}", _occ(f"b{i}", start, length)) for i, (start, length) in enumerate(existing)]
    busy = {m for o in new for m in range(int((o.start - BASE) / MINUTE), int((o.end - BASE) / MINUTE))}
    expected = [i for i, o in others
                if busy & set(range(int((o.start - BASE) / MINUTE), int((o.end - BASE) / MINUTE)))]
    assert overlapping_ids(new, others) == expected


ZONES = ["Asia/Dhaka", "Asia/Kolkata", "America/New_York", "Europe/London", "Australia/Lord_Howe"]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tzid=st.sampled_from(ZONES), day=st.integers(0, 364), minute=st.integers(0, 24 * 60 - 1),
       freq=st.sampled_from(["DAILY;INTERVAL=3", "WEEKLY", "WEEKLY;INTERVAL=2", "MONTHLY"]),
       count=st.integers(1, 40), skip=st.sets(st.integers(0, 39), max_size=5), duration=st.integers(60, 3600))
def test_our_expansion_is_what_calendar_clients_expand(tzid, day, minute, freq, count, skip, duration) -> None:
    tz = zone(tzid)
    wall = dt.datetime(2026, 1, 1) + dt.timedelta(days=day, minutes=minute)
    start = wall_to_utc(wall, tz)
    assume(start.astimezone(tz).replace(tzinfo=None) == wall)  # a start in a DST gap is refused anyway
    rule = parse_rrule(f"FREQ={freq};COUNT={count}", wall, tz)
    plan = plan_series(rule, start + HORIZON)
    exdates = tuple(format_local(plan.walls[i]) for i in sorted(skip) if i < len(plan.walls))
    series = Series(tzid, format_local(wall), start, dt.timedelta(seconds=duration), rule.text, frozenset(exdates))
    ours = [o.start for o in expand(series, start - dt.timedelta(days=1), start + 2 * HORIZON)]
    event = EventValues(uid="u@x", tzid=tzid, start=start, wall_start=format_local(wall), duration_s=duration,
                        sequence=0, last_modified=BASE, title="t", kind="psa", episode_id="e", rrule=rule.text,
                        exdates=exdates)
    body = render_station_calendar(CalendarValues("n", "d", tzid, (event,)))
    parse_strict(body)
    theirs = [e["DTSTART"].dt.astimezone(dt.UTC) for e in recurring_ical_events.of(
        icalendar.Calendar.from_ical(body)).between(start - dt.timedelta(days=1), start + 2 * HORIZON)]
    assert ours == sorted(theirs)
    assert all(e - s == dt.timedelta(seconds=duration) for s, e in [(o.start, o.end) for o in
                                                                     expand(series, start, start + HORIZON)])


_BANGLA = st.characters(min_codepoint=0x0980, max_codepoint=0x09FF,
                        categories=("Lo", "Mn", "Mc", "Nd", "Po", "So", "Sc", "No"))
_TEXT = st.text(st.one_of(_BANGLA, st.sampled_from(list("abc XYZ,;:\\\"'—।০-৯\n"))), min_size=1, max_size=160)


def _sign_run(text: str) -> int:
    longest = run = 0
    for char in text:
        run = run + 1 if unicodedata.category(char) in SIGNS else 0
        longest = max(longest, run)
    return longest


@settings(max_examples=80, deadline=None)
@given(title=_TEXT, notes=_TEXT)
def test_bangla_text_survives_the_feed_round_trip(title, notes) -> None:
    title = unicodedata.normalize("NFC", title).strip()
    assume(title and _sign_run(title + notes) <= 6)
    event = EventValues(uid="u@x", tzid="Asia/Dhaka", start=BASE, wall_start="2026-01-01T06:00:00",
                        duration_s=600, sequence=3, last_modified=BASE, title=title, kind="drama",
                        episode_id="e", notes=notes.strip())
    body = render_station_calendar(CalendarValues(f"রেডিও {title}", "d", "Asia/Dhaka", (event,)))
    strict = parse_strict(body)
    assert strict.events[0].summary == title
    assert f"নোট / Notes: {notes.strip()}" in strict.events[0].description or not notes.strip()
    assert str(icalendar.Calendar.from_ical(body).walk("VEVENT")[0]["SUMMARY"]) == title
    for line in physical_lines(body):
        assert len(line) <= 75
        text = line.decode("utf-8")
        if text.startswith(" ") and len(text) > 1:
            # no letter is cut from its vowel sign, virama or nukta
            assert unicodedata.category(text[1]) not in SIGNS, text


def test_folding_keeps_conjuncts_and_escapes_whole() -> None:
    line = "DESCRIPTION:" + "ক্ষমা দৈর্ঘ্য স্বপ্ন\\n" * 8
    folded = fold_line(line)
    parts = folded.split("\r\n ")
    assert "".join(parts) == line and max(len(p.encode()) for p in parts) <= 75
    assert all(not p.endswith(("\\", "্")) for p in parts[:-1])
    assert fold_line("SUMMARY:short") == "SUMMARY:short"


def test_open_ended_series_is_expanded_only_within_the_horizon() -> None:
    tz = zone("Asia/Dhaka")
    wall = dt.datetime(2026, 3, 6, 20)
    plan = plan_series(parse_rrule("FREQ=WEEKLY", wall, tz), wall_to_utc(wall, tz) + HORIZON)
    assert plan.last_wall is None and not plan.complete
    assert len(plan.walls) == 105 and plan.walls[-1] <= wall + HORIZON


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(slots=st.lists(st.tuples(st.integers(0, 6 * 24 * 12), st.integers(0, 3)), min_size=2, max_size=8))
def test_booking_accepts_exactly_what_does_not_overlap(runtime, slots) -> None:
    import uuid

    from schedule_helpers import make_episode

    from radio.errors import Conflict
    from schedule.bookings import book_broadcast
    from schedule.models import Station

    slug = f"p-{uuid.uuid4().hex[:12]}"
    with runtime.session() as session:
        session.add(Station(slug=slug, name=slug, timezone="Asia/Dhaka"))
    episode = make_episode(runtime, broadcast_duration_s=900)  # 15 minutes
    wall0 = dt.datetime(2026, 3, 1, 0, 0)
    accepted: list[tuple[dt.datetime, dt.datetime]] = []
    for five_minutes, weeks in slots:
        wall = wall0 + dt.timedelta(minutes=5 * five_minutes)
        starts = [wall + dt.timedelta(weeks=w) for w in range(weeks + 1)]
        mine = [(s, s + dt.timedelta(minutes=15)) for s in starts]
        clash = any(a < d and c < b for a, b in mine for c, d in accepted)
        body = {"station": slug, "episode_id": episode, "start": wall.isoformat(),
                **({"rrule": f"FREQ=WEEKLY;COUNT={weeks + 1}"} if weeks else {})}
        try:
            with runtime.session() as session:
                book_broadcast(session, body)
        except Conflict:
            assert clash, (body, accepted)
        else:
            assert not clash, (body, accepted)
            accepted += mine
