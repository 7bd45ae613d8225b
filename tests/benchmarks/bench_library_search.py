"""Library search benchmark: the library's ``q`` through its full-text index against the LIKE it replaced.

Run:  .venv/bin/python tests/benchmarks/bench_library_search.py [--episodes N] [--database-url URL]

Builds a fresh database with the real migrations (SQLite in a temporary folder, or the given PostgreSQL
database, which must be empty), fills ``episodes`` with Bangla/English titles, descriptions and contributors
(their ``search_text`` derived as the services derive it, the index kept by the real triggers), then times the
product's ``episodes.services.list_episodes`` (page of 20 + total, newest first) for query classes — a common
word, a rare word, an inflected Bangla word (expanded into its forms), a two-word query, a phrase, a prefix and
OR/NOT — and the old ``search_text LIKE '%term%'`` per term on the same rows. Each query is run three times and
its median kept; the figures are p50/p95 over the queries of a class and how many times faster than LIKE. The
LIKE cannot do phrases, prefixes, OR or NOT; those classes are timed against LIKE of their words. Asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from sqlalchemy import func, insert, select  # noqa: E402

from radio.db import make_engine, make_session_factory, new_id  # noqa: E402
from radio.migrate import load_models, upgrade  # noqa: E402
from tests.benchmarks.bench_search import vocabulary, zipf_sampler  # noqa: E402

ENDINGS = ["", "", "", "ের", "রা", "কে", "তে", "ে", "দের", "টি"]
CLASSES = {
    "common word": ["দালাল", "পাচার", "চাকরি", "টাকা", "police", "job"],
    "rare word": ["ইটভাটা", "জাহাজ", "court", "kiln", "আদালত", "নৌকা"],
    "inflected word": ["দালালের", "পাচারের", "চাকরির", "মেয়েদের", "গ্রামে", "বিদেশে"],
    "two words": ["দালাল টাকা", "পাচার সীমান্ত", "job abroad", "চাকরি বিদেশ", "police case", "মা বাবা"],
    "phrase": ['"নারী পাচার"', '"fake visa"', '"বিদেশে চাকরি"', '"job abroad"', '"দালাল টাকা"', '"ঢাকা শহর"'],
    "prefix": ["পাস*", "দাল*", "traff*", "চাক*", "bro*", "মানিক*"],
    "OR / NOT": ["দালাল OR broker", "পাচার NOT ভারত", "চাকরি OR কাজ", "police -case", "ঢাকা OR মানিকগঞ্জ",
                 "টাকা NOT ঋণ"],
}


def build(url: str, n_episodes: int) -> None:
    """Create the database and fill it through the real migrations and triggers."""
    load_models()
    from episodes.metadata import search_key
    from episodes.models import Episode

    rng = random.Random(20261202)
    sample = zipf_sampler(rng, vocabulary(rng))
    engine = make_engine(url)
    upgrade(engine)
    started = time.perf_counter()
    rows = []
    for i in range(n_episodes):
        title = " ".join(w + rng.choice(ENDINGS) if rng.random() < 0.3 else w for w in sample(5))
        description = " ".join(w + rng.choice(ENDINGS) if rng.random() < 0.3 else w for w in sample(25))
        contributors = [" ".join(sample(2))]
        rows.append(dict(id=new_id(), title=title, description=description, contributors=contributors,
                         sha256=f"{i:064x}", restricted=rng.random() < 0.2,
                         search_text=search_key(" ".join([title, description, *contributors]))))
        if len(rows) == 5000:
            with engine.begin() as conn:
                conn.execute(insert(Episode.__table__), rows)
            rows = []
    if rows:
        with engine.begin() as conn:
            conn.execute(insert(Episode.__table__), rows)
    print(f"episodes: {n_episodes} in {time.perf_counter() - started:.1f} s (index kept by the triggers)",
          flush=True)
    engine.dispose()


def timed(fn, repeats: int = 3) -> float:
    """Median wall time of ``fn`` in milliseconds."""
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--episodes", type=int, default=100_000)
    parser.add_argument("--database-url", default=None, help="an empty PostgreSQL database (default: SQLite)")
    args = parser.parse_args()
    folder = tempfile.mkdtemp(prefix="bench-library-")
    url = args.database_url or f"sqlite:///{folder}/bench.db"
    print(f"load average before: {os.getloadavg()}")
    build(url, args.episodes)
    from episodes.metadata import search_key
    from episodes.models import Episode
    from episodes.services import _escape_like, list_episodes

    engine = make_engine(url)
    session = make_session_factory(engine)()

    def like(q: str) -> None:  # the LIKE of before (one condition per term), page + total
        query = select(Episode)
        for term in search_key(q.replace('"', " ").replace("*", " ").replace("-", " ")).split()[:10]:
            if term in ("or", "not"):
                continue
            query = query.where(Episode.search_text.like(f"%{_escape_like(term)}%", escape="\\"))
        session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
        session.scalars(query.order_by(Episode.created_at.desc(), Episode.id).limit(20)).all()

    print(f"\n{engine.dialect.name}, {args.episodes:,} episodes; ms, median of 3 per query; p50/p95 over the queries")
    print(f"{'class':<16}{'index p50':>10}{'index p95':>10}{'LIKE p50':>10}{'LIKE p95':>10}{'×LIKE (p50)':>12}"
          f"{'hits (median)':>15}")
    for name, queries in CLASSES.items():
        indexed, scanned, totals = [], [], []
        for q in queries:
            totals.append(list_episodes(session, q=q, viewer_role="admin").total)
            indexed.append(timed(lambda q=q: list_episodes(session, q=q, viewer_role="admin")))
            scanned.append(timed(lambda q=q: like(q)))
        ratio = pct(scanned, 50) / max(pct(indexed, 50), 1e-6)
        print(f"{name:<16}{pct(indexed, 50):>10.1f}{pct(indexed, 95):>10.1f}{pct(scanned, 50):>10.1f}"
              f"{pct(scanned, 95):>10.1f}{ratio:>12.1f}{statistics.median(totals):>15,.0f}")
    session.close()
    engine.dispose()
    print(f"\nload average after: {os.getloadavg()}")


if __name__ == "__main__":
    main()
