"""PostgreSQL write cost of the search index: inserting 1,000 transcript segments (the transcription path).

Run:  cd TREE && .venv/bin/python tests/benchmarks/bench_segment_inserts.py --pg URL [--rounds N] [--segments N]

TREE is the checkout whose code and migrations are measured (the current directory comes first on sys.path, so
running this file from another checkout measures that checkout: how the before/after figures of issue 12 were
taken). Builds a fresh database with the real migrations, then per round adds an episode and inserts its
segments in one ``insert(Segment)`` list as ``transcripts.tasks.store_transcription`` does (10 % of them hold a
phone number, so they get a masked copy), and, separately, the same number of one-row INSERT statements (a
correction-sized write each). The statement triggers keep the GIN indexes and the vocabulary tables. Prints the
median wall time, the client's CPU time and the server backend's CPU time (from /proc of the backend process)
per round. Asserts nothing about time.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import random
import statistics
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, os.getcwd())  # the checkout being measured comes first

from sqlalchemy import create_engine, insert, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

import radio  # noqa: E402
from radio.db import make_engine, make_session_factory, new_id, utcnow  # noqa: E402
from radio.migrate import load_models, upgrade  # noqa: E402

CONSONANTS = "কখগঘচছজঝটঠডঢণতথদধনপফবভমযরলশষসহ"
VOWEL_SIGNS = ["", "া", "ি", "ী", "ু", "ূ", "ে", "ৈ", "ো", "ৌ"]


def vocabulary(rng: random.Random, size: int = 20_000) -> list[str]:
    """Made-up Bangla words of two to four syllables (as tests/benchmarks/bench_search.py makes its long tail)."""
    words: set[str] = set()
    while len(words) < size:
        words.add("".join(rng.choice(CONSONANTS) + rng.choice(VOWEL_SIGNS) for _ in range(rng.randint(2, 4))))
    return sorted(words)


def _server_cpu(pid: int) -> float:
    """User + system CPU seconds of a PostgreSQL backend process (same machine)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _texts(rng: random.Random, words: list[str], n: int) -> list[str]:
    texts = []
    for i in range(n):
        line = " ".join(rng.choice(words) for _ in range(rng.randint(6, 16)))
        if i % 10 == 0:
            line += f" ফোন 017{rng.randrange(10**8):08d}"
        texts.append(line)
    return texts


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pg", required=True)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--segments", type=int, default=1000)
    args = parser.parse_args()
    load_models()
    from episodes.models import Episode
    from transcripts.models import Segment, Transcript

    name = f"radio_bench_inserts_{uuid.uuid4().hex[:8]}"
    admin = create_engine(make_url(args.pg).set(drivername="postgresql+psycopg"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(args.pg).set(drivername="postgresql+psycopg", database=name).render_as_string(hide_password=False)
    engine = make_engine(url)
    try:
        upgrade(engine)
        factory = make_session_factory(engine)
        rng = random.Random(12)
        words = vocabulary(rng)
        figures: dict[str, list[tuple[float, float, float]]] = {"bulk": [], "one_row": []}
        for round_no in range(args.rounds + 1):  # round 0 warms the vocabulary tables up and is not counted
            for mode in figures:
                with factory() as session:
                    pid = int(session.execute(text("SELECT pg_backend_pid()")).scalar_one())
                    tag = f"{mode}-{round_no}"
                    episode = Episode(title=f"bench {tag}", sha256=hashlib.sha256(tag.encode()).hexdigest(),
                                      language="bn", kind="call_in")
                    session.add(episode)
                    session.flush()
                    transcript = Transcript(episode_id=episode.id, audio_sha256=episode.sha256, model="bench",
                                            model_sha256="0" * 64, params={}, started_at=utcnow(),
                                            finished_at=utcnow(), language="bn")
                    session.add(transcript)
                    session.commit()
                    rows = [{"id": new_id(), "transcript_id": transcript.id, "episode_id": episode.id, "idx": i,
                             "start": 5.0 * i, "end": 5.0 * i + 4.5, "text": t, "machine_text": t,
                             "confidence": 0.9, "revision": 0}
                            for i, t in enumerate(_texts(rng, words, args.segments))]
                    server, cpu, wall = _server_cpu(pid), time.process_time(), time.perf_counter()
                    if mode == "bulk":
                        session.execute(insert(Segment), rows)
                    else:
                        for row in rows:
                            session.execute(insert(Segment).values(**row))
                    session.commit()
                    measured = (time.perf_counter() - wall, time.process_time() - cpu, _server_cpu(pid) - server)
                    if round_no:
                        figures[mode].append(measured)
        with engine.connect() as conn:
            tables = conn.execute(text("SELECT tablename FROM pg_tables WHERE tablename LIKE 'search\\_%terms%'"
                                       " ORDER BY 1")).scalars().all()
            sizes = {t: conn.execute(text(f"SELECT count(*) FROM {t}")).scalar_one() for t in tables}
        print(f"code {Path(radio.__file__).parent.parent}; {args.rounds} rounds of {args.segments} segments;"
              f" load {os.getloadavg()}")
        print(f"vocabulary tables: {sizes}")
        for mode, rows_ in figures.items():
            wall, cpu, server = (statistics.median(column) for column in zip(*rows_, strict=True))
            print(f"{mode:8s} median wall {wall * 1000:8.1f} ms   client CPU {cpu * 1000:7.1f} ms"
                  f"   server CPU {server * 1000:7.1f} ms   (per {args.segments} segments)")
    finally:
        engine.dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


if __name__ == "__main__":
    main()
