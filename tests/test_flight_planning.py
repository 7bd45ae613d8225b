"""Flight planning as a pure function: never a conflict, inside the windows and dates, spread and rotated."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from schedule.flight_planning import Creative, StationPlan, Window, propose_flight

DHAKA = ZoneInfo("Asia/Dhaka")
EVERY_DAY = frozenset(range(7))


def _utc(wall: dt.datetime, tz: ZoneInfo) -> dt.datetime:
    return wall.replace(tzinfo=tz).astimezone(dt.UTC)


def test_five_a_week_are_spread_over_the_week_and_rotate_the_creatives() -> None:
    station = StationPlan("padma", DHAKA, [Window(EVERY_DAY, dt.time(19), dt.time(22))])
    creatives = [Creative("a", dt.timedelta(minutes=30)), Creative("b", dt.timedelta(minutes=15)),
                 Creative("c", dt.timedelta(minutes=10))]
    proposal = propose_flight([station], creatives, 5, dt.date(2027, 1, 4), dt.date(2027, 2, 28))  # 8 weeks
    assert len(proposal.airings) == 40 and not proposal.unplaced
    counts = Counter(a.episode_id for a in proposal.airings)
    assert max(counts.values()) - min(counts.values()) <= 1
    first_week = sorted({a.wall.date() for a in proposal.airings if a.wall.date() < dt.date(2027, 1, 11)})
    assert len(first_week) == 5 and all((b - a).days <= 2 for a, b in zip(first_week, first_week[1:], strict=False))
    assert all(a.wall.time() >= dt.time(19) and (a.wall + (a.end - a.start)).time() <= dt.time(22)
               for a in proposal.airings)


def test_busy_time_is_avoided_expired_creatives_drop_out_and_no_room_is_reported() -> None:
    wall = dt.datetime(2027, 1, 4, 19, 0)
    busy = [(_utc(wall, DHAKA), _utc(wall + dt.timedelta(minutes=45), DHAKA))]
    station = StationPlan("padma", DHAKA, [Window(frozenset({0}), dt.time(19), dt.time(20))], busy)
    creatives = [Creative("old", dt.timedelta(minutes=10), valid_until=dt.date(2027, 1, 5)),
                 Creative("new", dt.timedelta(minutes=10))]
    proposal = propose_flight([station], creatives, 2, dt.date(2027, 1, 4), dt.date(2027, 1, 17))
    walls = [(a.wall, a.episode_id) for a in proposal.airings]
    # Week 1: after the booking only 15 minutes are left (one airing); week 2: 'old' has expired.
    assert walls == [(dt.datetime(2027, 1, 4, 19, 45), "old"), (dt.datetime(2027, 1, 11, 19, 0), "new"),
                     (dt.datetime(2027, 1, 11, 19, 10), "new")]
    assert len(proposal.unplaced) == 1 and proposal.unplaced[0]["week_of"] == "2027-01-04"


intervals = st.lists(st.tuples(st.integers(0, 14 * 24 * 60), st.integers(1, 300)), max_size=60)
windows = st.lists(st.tuples(st.frozensets(st.integers(0, 6), min_size=1), st.integers(0, 22 * 60),
                             st.integers(10, 600)), min_size=1, max_size=3)
zones = st.sampled_from(["Asia/Dhaka", "Europe/London", "America/New_York", "Australia/Lord_Howe"])


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(busy=intervals, allowed=windows, tzid=zones, per_week=st.integers(1, 12),
       lengths=st.lists(st.integers(1, 120), min_size=1, max_size=4), start_day=st.integers(0, 400))
def test_flights_never_propose_a_conflict(busy: list[tuple[int, int]], allowed: list[tuple[frozenset[int], int, int]],
                                         tzid: str, per_week: int, lengths: list[int], start_day: int) -> None:
    tz = ZoneInfo(tzid)
    date_from = dt.date(2026, 1, 1) + dt.timedelta(days=start_day)
    origin = dt.datetime.combine(date_from, dt.time()).replace(tzinfo=tz).astimezone(dt.UTC)
    existing = [(origin + dt.timedelta(minutes=m), origin + dt.timedelta(minutes=m + d)) for m, d in busy]
    wins = [Window(days, dt.time(s // 60, s % 60), (dt.datetime.combine(date_from, dt.time(s // 60, s % 60))
                                                   + dt.timedelta(minutes=min(d, 24 * 60 - 1 - s))).time())
            for days, s, d in allowed]
    station = StationPlan("s", tz, wins, list(existing))
    creatives = [Creative(f"e{n}", dt.timedelta(minutes=m)) for n, m in enumerate(lengths)]
    date_to = date_from + dt.timedelta(days=13)
    proposal = propose_flight([station], creatives, per_week, date_from, date_to)
    taken = sorted([(a.start, a.end) for a in proposal.airings])
    for a, b in zip(taken, taken[1:], strict=False):
        assert b[0] >= a[1], "two proposed airings overlap"
    for start, end in taken:
        assert all(end <= s or start >= e for s, e in existing), "a proposed airing overlaps a booking"
    for airing in proposal.airings:
        assert date_from <= airing.wall.date() <= date_to
        local_end = (airing.end.astimezone(tz)).replace(tzinfo=None)
        assert any(airing.wall.weekday() in w.days and w.start <= airing.wall.time()
                   and local_end <= dt.datetime.combine(airing.wall.date(), w.end) for w in wins)
        assert airing.start.astimezone(tz).replace(tzinfo=None) == airing.wall
    assert len(proposal.airings) + len(proposal.unplaced) == per_week * 2


@settings(max_examples=100, deadline=None)
@given(creatives=st.integers(1, 5), per_week=st.integers(1, 7), weeks=st.integers(1, 4), more=st.integers(1, 4))
def test_an_extension_rotates_on_so_the_whole_flight_stays_even(creatives: int, per_week: int, weeks: int,
                                                               more: int) -> None:
    """Planning the extension from the airings so far keeps every creative within one airing of the others."""
    spots = [Creative(f"c{n}", dt.timedelta(minutes=5)) for n in range(creatives)]
    window = [Window(EVERY_DAY, dt.time(6), dt.time(23))]
    first = dt.date(2027, 1, 4)
    last = first + dt.timedelta(weeks=weeks, days=-1)
    before = propose_flight([StationPlan("padma", DHAKA, window)], spots, per_week, first, last)
    aired = Counter(a.episode_id for a in before.airings)
    extension = propose_flight([StationPlan("padma", DHAKA, window, aired=dict(aired))], spots, per_week,
                               last + dt.timedelta(days=1), last + dt.timedelta(weeks=more))
    assert len(extension.airings) == per_week * more and not extension.unplaced
    total = aired + Counter(a.episode_id for a in extension.airings)
    assert max(total.values()) - min(total.get(s.episode_id, 0) for s in spots) <= 1, total
