"""Check-then-write invariants under real concurrency: threads racing through the real app and database."""

from __future__ import annotations

import io
import threading
from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest
from schedule_helpers import create_station, local_dhaka, make_episode
from search_corpus import build_corpus
from sqlalchemy import func, select

from schedule.models import Broadcast, FeedbackReport

THREADS = 8
ROUNDS = 50


def race(clients: list[Any], send: Callable[[Any, int], Any]) -> list[int]:
    """Start ``send(client, i)`` on one thread per client at the same moment; the status codes, in order."""
    barrier = threading.Barrier(len(clients))
    statuses: list[int] = [0] * len(clients)
    errors: list[BaseException] = []

    def run(i: int) -> None:
        try:
            barrier.wait(timeout=30)
            statuses[i] = send(clients[i], i).status_code
        except BaseException as exc:  # noqa: BLE001 — reported by the test below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(clients))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    return statuses


@pytest.fixture
def producers(api_as: Any) -> list[Any]:
    """One client (its own cookie jar and connection) per racing thread, all the same producer."""
    first = api_as("producer")
    clients = [first]
    for _ in range(THREADS - 1):
        clients.append(type(first)(first.client.application.test_client(), first.token, first.user_id, "producer"))
    return clients


@pytest.mark.slow
def test_overlapping_bookings_sent_at_once_admit_exactly_one(runtime: Any, api_as: Any, producers: list[Any]) -> None:
    create_station(api_as("admin"), "radio-padma")
    episode = make_episode(runtime)  # 15 minutes: every start below overlaps every other one of its round
    outcomes: list[Counter[int]] = []
    for round_ in range(ROUNDS):
        day = 3 + round_

        def book(client: Any, i: int, day: int = day) -> Any:
            return client.post("/api/v1/broadcasts", json={"station": "radio-padma", "episode_id": episode,
                                                           "start": local_dhaka(day, 20, i)})

        outcomes.append(Counter(race(producers, book)))
    assert all(o == Counter({201: 1, 409: THREADS - 1}) for o in outcomes), outcomes
    with runtime.session() as session:
        assert session.scalar(select(func.count()).select_from(Broadcast)) == ROUNDS


def test_one_series_against_racing_one_offs(runtime: Any, api_as: Any, producers: list[Any]) -> None:
    """A weekly series and one-offs that each hit one of its occurrences: only one of them may win."""
    create_station(api_as("admin"), "radio-padma")
    episode = make_episode(runtime)
    for round_ in range(5):
        base = 3 + round_ * 70

        def book(client: Any, i: int, base: int = base) -> Any:
            body: dict[str, Any] = {"station": "radio-padma", "episode_id": episode,
                                    "start": local_dhaka(base + 7 * i, 9, 0)}
            if i == 0:
                body.update(rrule="FREQ=WEEKLY;COUNT=9")
            return client.post("/api/v1/broadcasts", json=body)

        statuses = race(producers, book)
        assert set(statuses) <= {201, 409}, statuses
        # either the series won (and every one-off lost) or the series lost (and the one-offs, apart, all won)
        assert statuses == [201] + [409] * (THREADS - 1) or statuses == [409] + [201] * (THREADS - 1), statuses


def test_feedback_for_one_occurrence_sent_at_once_leaves_one_current_report(runtime: Any, api_as: Any) -> None:
    admin = api_as("admin")
    create_station(admin, "radio-padma")
    producer = api_as("producer")
    series = producer.post("/api/v1/broadcasts", json={"station": "radio-padma", "episode_id": make_episode(runtime),
                                                       "start": local_dhaka(-21), "rrule": "FREQ=WEEKLY;COUNT=3"})
    assert series.status_code == 201
    url = f"/api/v1/broadcasts/{series.json['id']}/feedback"
    clients = [producer] + [type(producer)(producer.client.application.test_client(), producer.token,
                                           producer.user_id, "producer") for _ in range(THREADS - 1)]
    for round_ in range(5):
        day = local_dhaka(-21 + 7 * (round_ % 3))[:10]
        statuses = race(clients, lambda c, i, day=day: c.post(url, json={"occurrence": day, "calls": i}))
        assert statuses == [201] * THREADS
    with runtime.session() as session:
        current = session.execute(select(FeedbackReport.occurrence_key, func.count())
                                  .where(FeedbackReport.current.is_(True))
                                  .group_by(FeedbackReport.occurrence_key)).all()
        assert sorted(n for _, n in current) == [1, 1, 1]
        assert session.scalar(select(func.count()).select_from(FeedbackReport)) == 5 * THREADS


def test_codes_and_codings_sent_at_once_are_one_201_and_clear_409s(runtime: Any, api_as: Any) -> None:
    with runtime.session() as session:
        corpus = build_corpus(session)
    researcher = api_as("researcher")
    clients = [researcher] + [type(researcher)(researcher.client.application.test_client(), researcher.token,
                                               researcher.user_id, "researcher") for _ in range(THREADS - 1)]
    for round_ in range(5):
        statuses = race(clients, lambda c, i, n=round_: c.post("/api/v1/codes", json={"name": f"Debt {n}"
                                                                                    if i % 2 else f"DEBT {n}"}))
        assert Counter(statuses) == Counter({201: 1, 409: THREADS - 1}), statuses
    code = researcher.get("/api/v1/codes").get_json()["items"][0]
    segment_id = next(iter(corpus.segments.values()))
    statuses = race(clients, lambda c, i: c.post(f"/api/v1/segments/{segment_id}/codes", json={"code_id": code["id"]}))
    assert Counter(statuses) == Counter({201: 1, 409: THREADS - 1}), statuses


def test_a_code_created_while_another_transaction_holds_the_name_is_a_duplicate(runtime: Any) -> None:
    """Deterministic form of the race: the second insert starts before the first commits (PostgreSQL lets
    it pass the lookup and meet the unique index; SQLite makes it wait for the write lock)."""
    from radio.errors import Duplicate
    from transcripts.coding import create_code

    first = runtime.sessions()
    create_code(first, {"name": "Broker"})  # flushed, not committed: the name is taken but not yet visible
    outcome: list[BaseException | None] = []

    def second() -> None:
        session = runtime.sessions()
        try:
            create_code(session, {"name": "BROKER"})
            session.commit()
            outcome.append(None)
        except BaseException as exc:  # noqa: BLE001 — checked below
            session.rollback()
            outcome.append(exc)
        finally:
            session.close()

    thread = threading.Thread(target=second)
    thread.start()
    thread.join(timeout=1.0)  # it waits for the first transaction (a row lock or SQLite's write lock)
    first.commit()
    first.close()
    thread.join(timeout=30)
    assert len(outcome) == 1 and isinstance(outcome[0], Duplicate), outcome


def test_after_commit_work_waits_for_the_real_commit_not_a_savepoint() -> None:
    """A savepoint (the unique-insert guard) is released before the unit of work commits: work registered with
    on_commit earlier (queueing a job) must still wait for the commit."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.orm import Session

    from radio.transactions import on_commit

    session = Session(create_engine("sqlite://"))
    ran: list[str] = []
    session.execute(text("SELECT 1"))
    on_commit(session, lambda: ran.append("queued"))
    with session.begin_nested():
        session.execute(text("SELECT 1"))
    assert ran == []
    session.commit()
    assert ran == ["queued"]


def test_the_same_audio_uploaded_at_once_is_one_201_and_409s_naming_it(runtime: Any, api_as: Any,
                                                                        tmp_path: Any) -> None:
    """The duplicate check reads outside the write transaction (no lock while decoding): racing uploads of the
    same bytes meet at the unique sha256 instead, and every loser names the winner."""
    from episodes.models import Episode
    from tests.audio import make_audio, tone

    audio = make_audio(tmp_path, "mp3", samples=tone(2.0, 440, rate=16000), rate=16000, name="twice").read_bytes()
    producer = api_as("producer")
    clients = [producer] + [type(producer)(producer.client.application.test_client(), producer.token,
                                           producer.user_id, "producer") for _ in range(THREADS - 1)]
    answers: dict[int, Any] = {}

    def upload(client: Any, i: int) -> Any:
        answers[i] = client.post("/api/v1/episodes", content_type="multipart/form-data",
                                 data={"title": f"copy {i}", "file": (io.BytesIO(audio), "twice.mp3")})
        return answers[i]

    statuses = race(clients, upload)
    assert Counter(statuses) == Counter({201: 1, 409: THREADS - 1}), statuses
    winner = answers[statuses.index(201)].get_json()["id"]
    assert all(a.get_json()["error"]["code"] == "duplicate" and a.get_json()["error"]["id"] == winner
               for a in answers.values() if a.status_code == 409)
    with runtime.session() as session:
        assert session.scalars(select(Episode.id)).all() == [winner]
        episode = session.get(Episode, winner)
        assert episode is not None
        referenced = {episode.sha256, episode.broadcast_sha256} - {None}
    # one stored original (and the winner's broadcast rendition once its analysis ran), nothing from the losers
    assert {p.name.removesuffix(p.suffix) for p in runtime.store.root.glob("??/??/*")} == referenced
    assert not list(runtime.store.tmp_dir.glob("*"))  # no staged copy left behind
