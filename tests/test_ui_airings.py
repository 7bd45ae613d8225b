"""The phone-sized confirmation page: one tap per airing, several at once, no JavaScript, make-goods."""

from __future__ import annotations

import re

from schedule_helpers import local_dhaka
from sqlalchemy import select

from schedule.models import AiringReport, Broadcast
from tests.ui_helpers import HTML, add_episode, login, page, post_form


def _statuses(runtime) -> dict[str, tuple[str, str | None, str]]:
    with runtime.session() as session:
        return {r.occurrence_key[:10]: (r.status, r.reason, r.via)
                for r in session.scalars(select(AiringReport).where(AiringReport.current.is_(True)))}


def _tokens(html: str) -> list[str]:
    return re.findall(r'name="aired" value="([^"]+)"', html)


def test_a_station_confirms_with_one_tap_and_several_at_once(client, runtime, make_station, api_as) -> None:
    make_station("radio-padma")
    make_station("radio-meghna")
    ep = add_episode(runtime, "Awareness drama", ["x"], kind="drama", seconds=300)
    producer = api_as("producer")
    r = producer.post("/api/v1/broadcasts", json={"station": "radio-padma", "episode_id": ep["id"],
                                                   "start": local_dhaka(-4, 10), "rrule": "FREQ=DAILY;COUNT=8"})
    assert r.status_code == 201, r.json
    other = producer.post("/api/v1/broadcasts", json={"station": "radio-meghna", "episode_id": ep["id"],
                                                       "start": local_dhaka(-1, 12)})
    login(client, runtime, "station", station="radio-padma")
    assert "/station/airings" in page(client, "/station")
    html = page(client, "/station/airings")
    tokens = _tokens(html)
    assert "onclick" not in html and 'method="post"' in html  # plain forms: works without JavaScript
    assert len(tokens) in (4, 5)  # today's 10:00 is listed once it has begun
    assert "Awareness drama" in html and re.search(r"<code>[A-Z0-9]{6}</code>", html)
    newest_first = [t.split("/")[1] for t in tokens]
    assert newest_first == sorted(newest_first, reverse=True)
    days = {t.split("/")[1][:10]: t for t in tokens}
    d4, d3, d2, d1 = (local_dhaka(-n)[:10] for n in (4, 3, 2, 1))
    assert post_form(client, "/airings/confirm", {"station": "radio-padma", "aired": days[d4]}).status_code == 302
    r = post_form(client, "/airings/confirm", {"station": "radio-padma", "missed": days[d3],
                                               f"reason:{days[d3]}": "power_cut"})
    assert r.status_code == 302
    r = post_form(client, "/airings/confirm", {"station": "radio-padma", "bulk": "aired",
                                               "pick": [days[d2], days[d1]]})
    assert r.status_code == 302
    assert _statuses(runtime) == {d4: ("aired", None, "web"), d3: ("missed", "power_cut", "web"),
                                  d2: ("aired", None, "web"), d1: ("aired", None, "web")}
    bn = page(client, "/station/airings", lang="bn")
    assert "প্রচারিত" in bn and "বিদ্যুৎ বিভ্রাট" in bn
    # A future airing, another station's airing or nothing picked: 400 or 404, nothing saved (all or nothing).
    future = f"{r_id(r, runtime)}/{local_dhaka(2, 10)}:00"
    bad = post_form(client, "/airings/confirm", {"station": "radio-padma", "bulk": "missed",
                                                 "pick": [days[d4], future]})
    assert bad.status_code == 400 and "has not" in bad.get_data(as_text=True)
    assert _statuses(runtime)[d4] == ("aired", None, "web")
    foreign = post_form(client, "/airings/confirm", {"station": "radio-padma",
                                                     "aired": f"{other.json['id']}/{local_dhaka(-1, 12)}:00"})
    assert foreign.status_code == 400 and d1 in _statuses(runtime) and len(_statuses(runtime)) == 4
    assert post_form(client, "/airings/confirm", {"station": "radio-padma"}).status_code == 400
    assert client.get("/schedule/radio-padma/airings", headers=HTML).status_code == 403


def r_id(_response, runtime) -> str:
    with runtime.session() as session:
        return session.scalar(select(Broadcast.id).where(Broadcast.rrule.is_not(None)))


def test_a_producer_books_a_make_good_for_a_missed_airing(client, runtime, make_station, api_as) -> None:
    make_station("radio-padma")
    ep = add_episode(runtime, "Awareness drama", ["x"], kind="drama", seconds=300)
    producer = api_as("producer")
    r = producer.post("/api/v1/broadcasts", json={"station": "radio-padma", "episode_id": ep["id"],
                                                   "start": local_dhaka(-2, 10)})
    assert r.status_code == 201
    assert producer.post(f"/api/v1/broadcasts/{r.json['id']}/airings",
                         json={"status": "missed", "reason": "technical"}).status_code == 201
    login(client, runtime, "producer")
    assert "/schedule/radio-padma/airings" in page(client, "/schedule/radio-padma")
    html = page(client, "/schedule/radio-padma/airings")
    token = re.search(r'name="airing" value="([^"]+)"', html).group(1)  # type: ignore[union-attr]
    booked = post_form(client, "/airings/make-good", {"airing": token})
    assert booked.status_code == 302
    assert "Make-good booked." in page(client, "/schedule/radio-padma/airings")
    again = post_form(client, "/airings/make-good", {"airing": token})
    assert again.status_code == 409
    with runtime.session() as session:
        starts = sorted(b.starts_at for b in session.scalars(select(Broadcast)))
    assert len(starts) == 2 and (starts[1] - starts[0]).days >= 2
