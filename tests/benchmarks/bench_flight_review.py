"""Benchmark: reviewing and adjusting a big flight's proposal (issue 17).

Run: ``.venv/bin/python tests/benchmarks/bench_flight_review.py [--runs 3]``

The flight of ``bench_production`` (8 weeks × 5 airings × 20 stations against 10,000 existing bookings, SQLite)
is proposed once; then, through the real app (Flask test client, a signed-in producer):

1. ``GET /flights/<id>``: the proposal page (the list's first 100 airings, each with its change form, and the
   week view of each station with its bookings on a time axis) — median wall and CPU time, and the page's size;
   then the same narrowed to one station's week (``?station=``);
2. ``PUT /api/v1/flights/<id>/proposal`` with every airing, one of them moved — each airing and the whole
   checked again against the stations' bookings;
3. the same move through the page's form (``POST /flights/<id>/proposal``, then the redirect's page).

Wall times are inflated on a shared machine, so CPU time (``time.process_time``, this process: the app runs in
it) is printed beside each. Figures only: no assertion on time.
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "benchmarks"))

from bench_production import flight_world  # noqa: E402


def timed(runs: int, call: Callable[[int], Any]) -> tuple[float, float, Any]:
    """Median wall and CPU seconds of ``runs`` calls of ``call(n)``, and the last answer."""
    walls, cpus, answer = [], [], None
    for n in range(runs):
        wall, cpu = time.perf_counter(), time.process_time()
        answer = call(n)
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return statistics.median(walls), statistics.median(cpus), answer


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    runtime, body = flight_world()
    from radio.auth import create_user, issue_token
    from schedule.flights import flight_dict, propose
    from tests.ui_helpers import HTML, login, post_form
    from web import create_app

    with runtime.session() as session:
        flight = propose(session, body)
        flight_id, airings = flight.id, len(flight.proposed)
        rev = flight_dict(session, flight)["rev"]
        token = issue_token(session, create_user(session, "bench-api@example.org", "producer", password="x" * 12))
    app = create_app({}, runtime=runtime)
    client = app.test_client()
    login(client, runtime, "producer")
    api = app.test_client()
    auth = {"Authorization": f"Bearer {token}"}
    print(f"flight {flight_id[:8]}: {airings} proposed airings on 20 stations, 10,000 bookings around them")

    wall, cpu, html = timed(args.runs, lambda _n: client.get(f"/flights/{flight_id}", headers=HTML))
    assert html.status_code == 200
    size = len(html.data)
    print(f"GET /flights/<id> (list page + week view): {wall * 1000:.0f} ms wall, {cpu * 1000:.0f} ms CPU "
          f"(median of {args.runs}); {size / 1000:.0f} kB of HTML")
    with runtime.read_session() as session:
        from schedule.flight_models import Flight

        one = session.get(Flight, flight_id).stations[0]  # type: ignore[union-attr]
    wall, cpu, html = timed(args.runs, lambda _n: client.get(f"/flights/{flight_id}?station={one}", headers=HTML))
    assert html.status_code == 200
    print(f"GET /flights/<id>?station=<one of 20> (week view narrowed): {wall * 1000:.0f} ms wall, "
          f"{cpu * 1000:.0f} ms CPU (median of {args.runs}); {len(html.data) / 1000:.0f} kB of HTML")

    shown = api.get(f"/api/v1/flights/{flight_id}", headers=auth).get_json()
    state = {"rev": rev, "proposed": [{k: a[k] for k in ("station", "episode_id", "start")}
                                      for a in shown["proposed"]]}

    def adjust(n: int) -> Any:
        moved = [dict(a) for a in state["proposed"]]
        moved[0]["start"] = f"{moved[0]['start'][:11]}23:{10 + n}:00"
        answer = api.put(f"/api/v1/flights/{flight_id}/proposal", headers=auth,
                         json={"proposed": moved, "rev": state["rev"]})
        assert answer.status_code == 200, answer.get_json()
        state["rev"] = answer.get_json()["rev"]
        return answer

    wall, cpu, _answer = timed(args.runs, adjust)
    print(f"PUT …/proposal ({airings} airings, one moved, all checked): {wall * 1000:.0f} ms wall, "
          f"{cpu * 1000:.0f} ms CPU (median of {args.runs})")

    def move_in_page(n: int) -> Any:
        page = client.get(f"/flights/{flight_id}", headers=HTML).get_data(as_text=True)
        page_rev = re.search(r'name="rev" value="([^"]+)"', page)
        assert page_rev
        answer = post_form(client, f"/flights/{flight_id}/proposal", {
            "action": "change", "index": "1", "start": f"2027-03-0{2 + n}T23:20", "rev": page_rev.group(1)})
        assert answer.status_code == 302, answer.get_data(as_text=True)[:500]
        return client.get(answer.headers["Location"], headers=HTML)

    wall, cpu, _answer = timed(args.runs, move_in_page)
    print(f"the page's move form (GET page + POST + redirected page): {wall * 1000:.0f} ms wall, "
          f"{cpu * 1000:.0f} ms CPU (median of {args.runs})")
    runtime.close()


if __name__ == "__main__":
    main()
