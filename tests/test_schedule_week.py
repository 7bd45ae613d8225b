"""schedule.week: a station's week as the pages show it, and the episodes the booking form offers."""

from __future__ import annotations

import datetime as dt

from radio.auth import create_user
from schedule.bookings import book_broadcast, cancel_broadcast, change_occurrence, get_broadcast
from schedule.models import Station
from schedule.week import Airing, bookable_episodes, week_airings, week_days
from tests.schedule_helpers import make_episode

MONDAY = dt.date(2030, 1, 7)


def _station(session, slug: str) -> Station:  # type: ignore[no-untyped-def]
    from sqlalchemy import select

    return session.scalars(select(Station).where(Station.slug == slug)).one()


def _local(airings: list[Airing], tz: str = "Asia/Dhaka") -> list[tuple[str, str, bool]]:
    from zoneinfo import ZoneInfo

    return [(a.occurrence.start.astimezone(ZoneInfo(tz)).strftime("%H:%M"), a.broadcast.status, a.past)
            for a in airings]


def test_week_airings_expand_series_by_local_day_with_cancelled_and_past(runtime, make_station) -> None:
    make_station("radio-padma")
    make_station("radio-meghna")
    drama, jingle = make_episode(runtime, duration_s=1200.0, broadcast_duration_s=1200.0), make_episode(
        runtime, title="Jingle", duration_s=60.0, broadcast_duration_s=60.0)
    hidden = make_episode(runtime, title="Later restricted", duration_s=60.0, broadcast_duration_s=60.0)
    with runtime.session() as session:
        producer = create_user(session, "p@example.org", "producer", password="correct horse battery")
        station_user = create_user(session, "s@example.org", "station", station_slug="radio-padma",
                                   password="correct horse battery")
        series = book_broadcast(session, {"station": "radio-padma", "episode_id": drama,
                                          "start": "2030-01-07T09:00", "rrule": "FREQ=DAILY;COUNT=10"})
        change_occurrence(session, series, "2030-01-08", {"skip": True})
        change_occurrence(session, series, "2030-01-11", {"start": "2030-01-11T15:00"})
        book_broadcast(session, {"station": "radio-padma", "episode_id": jingle, "start": "2030-01-09T01:30"})
        cancel_broadcast(session, book_broadcast(session, {"station": "radio-padma", "episode_id": jingle,
                                                          "start": "2030-01-10T12:00"}))
        book_broadcast(session, {"station": "radio-meghna", "episode_id": jingle, "start": "2030-01-09T10:00"})
        secret = book_broadcast(session, {"station": "radio-padma", "episode_id": hidden,
                                          "start": "2030-01-12T18:00"})
        secret.episode.restricted, secret.episode.consent = True, "none"
        book_broadcast(session, {"station": "radio-padma", "episode_id": jingle, "start": "2030-01-14T00:30"})
        session.flush()
        now = dt.datetime(2030, 1, 9, 5, 0, tzinfo=dt.UTC)  # 11:00 in Dhaka on Wednesday
        days = week_airings(session, producer, _station(session, "radio-padma"), MONDAY, now=now)
        assert list(days) == week_days(MONDAY)
        assert _local(days[MONDAY]) == [("09:00", "confirmed", True)]
        assert days[dt.date(2030, 1, 8)] == []  # the skipped occurrence
        # 01:30 in Dhaka is the evening before in UTC: it still belongs to Wednesday; sorted by start.
        assert _local(days[dt.date(2030, 1, 9)]) == [("01:30", "confirmed", True), ("09:00", "confirmed", True)]
        assert _local(days[dt.date(2030, 1, 10)]) == [("09:00", "confirmed", False), ("12:00", "cancelled", False)]
        assert _local(days[dt.date(2030, 1, 11)]) == [("15:00", "confirmed", False)]  # moved occurrence
        assert days[dt.date(2030, 1, 11)][0].occurrence.overridden
        assert _local(days[dt.date(2030, 1, 12)]) == [("09:00", "confirmed", False), ("18:00", "confirmed", False)]
        assert len(days[dt.date(2030, 1, 13)]) == 1  # Monday 00:30 of the next week is not in this one
        assert all(a.broadcast.station.slug == "radio-padma" for day in days.values() for a in day)
        # The station never sees a restricted episode's broadcast.
        seen = week_airings(session, station_user, _station(session, "radio-padma"), MONDAY, now=now)
        assert _local(seen[dt.date(2030, 1, 12)]) == [("09:00", "confirmed", False)]
        assert get_broadcast(session, secret.id).episode.restricted


def test_week_window_follows_the_station_clock_across_a_dst_change(runtime, make_station) -> None:
    make_station("radio-london", timezone="Europe/London")
    jingle = make_episode(runtime, duration_s=60.0, broadcast_duration_s=60.0)
    with runtime.session() as session:
        producer = create_user(session, "p@example.org", "producer", password="correct horse battery")
        # Clocks go back on Sunday 27 October 2030: this week is 169 hours long.
        book_broadcast(session, {"station": "radio-london", "episode_id": jingle, "start": "2030-10-27T23:30"})
        book_broadcast(session, {"station": "radio-london", "episode_id": jingle, "start": "2030-10-21T00:00"})
        days = week_airings(session, producer, _station(session, "radio-london"), dt.date(2030, 10, 21))
        assert _local(days[dt.date(2030, 10, 27)], "Europe/London") == [("23:30", "confirmed", False)]
        assert _local(days[dt.date(2030, 10, 21)], "Europe/London") == [("00:00", "confirmed", False)]
        later = week_airings(session, producer, _station(session, "radio-london"), dt.date(2030, 10, 28))
        assert all(day == [] for day in later.values())


def test_bookable_episodes_follow_the_booking_rules_newest_first(runtime) -> None:
    today = dt.date(2030, 6, 1)
    base = dt.datetime(2030, 5, 1, tzinfo=dt.UTC)
    ids = {name: make_episode(runtime, title=name, created_at=base + dt.timedelta(hours=i), **fields)
           for i, (name, fields) in enumerate([
               ("plain", {}),
               ("restricted", {"restricted": True, "consent": "none"}),
               ("research only", {"consent": "research_only"}),
               ("failed", {"status": "failed"}),
               ("expired", {"valid_until": dt.date(2030, 5, 31)}),
               ("last day", {"valid_until": today}),
               ("analysing", {"status": "analysing"}),
           ])}
    with runtime.session() as session:
        titles = [e.title for e in bookable_episodes(session, today=today)]
        assert titles == ["analysing", "last day", "plain"]
        assert [e.id for e in bookable_episodes(session, today=today, limit=2)] == [ids["analysing"], ids["last day"]]
        assert [e.title for e in bookable_episodes(session, today=dt.date(2030, 6, 2))] == ["analysing", "plain"]
