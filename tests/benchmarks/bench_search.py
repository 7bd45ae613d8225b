"""Search benchmark: 1,000,000 mixed Bangla/English segments in SQLite, FTS5 search against a LIKE scan.

Run:  .venv/bin/python tests/benchmarks/bench_search.py [--segments N] [--keep PATH]

Builds a fresh database with the real migrations (so the real triggers maintain the index while the rows
go in), then times the product's ``transcripts.search.search`` (page of 20 with snippets + total) for
single words, phrases and filtered queries, and ``SELECT … WHERE text LIKE '%word%'`` on the same table.
Each query is run three times and its median kept; figures are p50/p95 over the queries. Prints figures,
asserts nothing about time.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from sqlalchemy import insert, text  # noqa: E402

from radio.db import make_engine, make_session_factory, new_id, utcnow  # noqa: E402
from radio.migrate import load_models, upgrade  # noqa: E402

BANGLA_WORDS = """দালাল পাচার চাকরি বিদেশ টাকা ঋণ পাসপোর্ট মালিক কাজ বাড়ি গ্রাম মেয়ে ছেলে মা বাবা ভাই বোন স্বামী
পুলিশ থানা মামলা সীমান্ত ভারত দুবাই সৌদি মালয়েশিয়া ভিসা এজেন্ট প্রতিশ্রুতি বেতন ঘুষ হুমকি আটক
নির্যাতন উদ্ধার আশ্রয় সাহায্য ফোন নম্বর রাত দিন মাস বছর আমি আমরা তুমি সে তারা বলেছিল বলল গেল আসল
দিয়েছিল নিয়েছিল ভালো খারাপ অনেক কম বেশি এখন তখন কেন কিভাবে কোথায় কখন হ্যাঁ না এবং কিন্তু তারপর
ইটভাটা কারখানা গৃহকর্মী জাহাজ নৌকা বাস ট্রেন ঢাকা নরসিংদী মানিকগঞ্জ সচেতনতা অধিকার আইন আদালত""".split()  # noqa: SIM905 - a word list reads better as text
ENGLISH_WORDS = """broker trafficking job abroad money debt passport owner work home village girl boy mother father
brother sister husband police station case border india dubai saudi malaysia visa agent promise
salary bribe threat detained abuse rescue shelter help phone number night day month year i we you he
they said told went came gave took good bad many few more now then why how where when yes no and but
after brick kiln factory domestic worker ship boat bus train dhaka narsingdi manikganj awareness
rights law court""".split()  # noqa: SIM905 - a word list reads better as text
CONSONANTS = "কখগঘচছজঝটঠডঢণতথদধনপফবভমযরলশষসহ"
VOWEL_SIGNS = ["", "া", "ি", "ী", "ু", "ূ", "ে", "ৈ", "ো", "ৌ"]
DISTRICTS = ["Dhaka", "Narsingdi", "Manikganj"]
KINDS = ["call_in", "interview", "talk", "drama", "psa"]


def vocabulary(rng: random.Random, size: int = 20_000) -> list[str]:
    """Real words first (the frequent ones), then made-up Bangla words with vowel signs and conjuncts."""
    words = list(dict.fromkeys(BANGLA_WORDS + ENGLISH_WORDS))
    seen = set(words)
    while len(words) < size:
        syllables = [rng.choice(CONSONANTS) + ("্" + rng.choice(CONSONANTS) if rng.random() < 0.15 else "")
                     + rng.choice(VOWEL_SIGNS) for _ in range(rng.randint(2, 4))]
        word = "".join(syllables)
        if word not in seen:
            seen.add(word)
            words.append(word)
    return words


def zipf_sampler(rng: random.Random, words: list[str]):
    weights = [1.0 / (rank + 1) ** 1.05 for rank in range(len(words))]
    cumulative = []
    total = 0.0
    for w in weights:
        total += w
        cumulative.append(total)

    def sample(k: int) -> list[str]:
        return rng.choices(words, cum_weights=cumulative, k=k)

    return sample


def build(url: str, n_segments: int, per_episode: int = 100) -> tuple[list[str], list[str]]:
    """Create the database and fill it; returns the vocabulary and some real two-word phrases."""
    load_models()
    from episodes.models import Episode
    from transcripts.models import Segment, Transcript

    rng = random.Random(20260301)
    words = vocabulary(rng)
    sample = zipf_sampler(rng, words)
    engine = make_engine(url)
    upgrade(engine)
    phrases: list[str] = []
    n_episodes = max(1, n_segments // per_episode)
    started = time.perf_counter()
    now = utcnow()
    with engine.begin() as conn:
        episodes, transcripts = [], []
        for i in range(n_episodes):
            eid = new_id()
            episodes.append(dict(id=eid, title=" ".join(sample(4)), sha256=f"{i:064x}",
                                 language=rng.choice(["bn", "en"]),
                                 kind=rng.choice(KINDS), campaign=rng.choice(["safe-migration", "awareness"]),
                                 districts=[rng.choice(DISTRICTS)], restricted=rng.random() < 0.2))
            transcripts.append(dict(id=new_id(), episode_id=eid, audio_sha256=f"{i:064x}", model="bench",
                                    model_sha256="0" * 64, params={}, started_at=now, finished_at=now))
        conn.execute(insert(Episode.__table__), episodes)
        conn.execute(insert(Transcript.__table__), transcripts)
    print(f"episodes: {n_episodes} in {time.perf_counter() - started:.1f} s", flush=True)
    batch: list[dict] = []
    done = 0
    for i in range(n_segments):
        ep, tr = episodes[i // per_episode], transcripts[i // per_episode]
        if rng.random() < 0.3:  # an English segment: mostly English words
            text_words = [w for w in sample(30) if w.isascii()][: rng.randint(6, 18)] or ["help"]
        else:
            text_words = sample(rng.randint(6, 18))
        if rng.random() < 0.02:
            number = "০১৭" + "".join(rng.choice("০১২৩৪৫৬৭৮৯") for _ in range(8))
            text_words.insert(rng.randrange(len(text_words)), number)
        text_ = " ".join(text_words) + rng.choice(["।", ".", "?", ""])
        if len(phrases) < 200 and rng.random() < 0.001 and len(text_words) > 3:
            phrases.append(" ".join(text_words[1:3]))
        j = i % per_episode
        batch.append(dict(id=new_id(), transcript_id=tr["id"], episode_id=ep["id"], idx=j, start=j * 5.0,
                          end=j * 5.0 + 4.5, text=text_, machine_text=text_, confidence=0.8))
        if len(batch) == 50_000 or i == n_segments - 1:
            with engine.begin() as conn:
                conn.execute(insert(Segment.__table__), batch)
            done += len(batch)
            batch = []
            rate = done / (time.perf_counter() - started)
            print(f"  segments: {done:,} ({rate:,.0f}/s, index kept by the triggers)", flush=True)
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO search_fts(search_fts) VALUES ('optimize')"))
        conn.execute(text("ANALYZE"))
    print(f"built in {time.perf_counter() - started:.0f} s", flush=True)
    engine.dispose()
    return words, phrases


def timed(fn, repeats: int = 3) -> tuple[float, float]:
    """Median wall time and median CPU time of ``fn`` in milliseconds (CPU time is immune to other load)."""
    walls, cpus = [], []
    for _ in range(repeats):
        w0, c0 = time.perf_counter(), time.process_time()
        fn()
        walls.append((time.perf_counter() - w0) * 1000)
        cpus.append((time.process_time() - c0) * 1000)
    return statistics.median(walls), statistics.median(cpus)


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--segments", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=100)
    parser.add_argument("--keep", type=Path, default=None, help="Database file to create (or reuse).")
    args = parser.parse_args()
    from transcripts.search import SearchFilters, Viewer, search

    folder = Path(tempfile.mkdtemp(prefix="bench_search_"))
    path = args.keep or folder / "bench.db"
    url = f"sqlite:///{path}"
    if path.exists():  # reuse a kept database: phrases from its own segments
        words = vocabulary(random.Random(20260301))
        with make_engine(url).connect() as conn:
            texts = conn.execute(text("SELECT text FROM segments WHERE rowid % 10007 = 3 LIMIT 100")).scalars()
            phrases = [" ".join(t.split()[1:3]) for t in texts if len(t.split()) > 3]
    else:
        words, phrases = build(url, args.segments)
    engine = make_engine(url)
    sessions = make_session_factory(engine, readonly=True)
    rng = random.Random(7)
    size = path.stat().st_size / 1e6
    with engine.connect() as conn:
        n = conn.execute(text("SELECT count(*) FROM segments")).scalar_one()
    print(f"\ndatabase: {n:,} segments, {size:,.0f} MB (incl. index)")

    admin = Viewer(restricted=True, unredacted=True)
    producer = Viewer(restricted=False, unredacted=False)
    single = rng.sample(words[:5000], args.queries)
    common = words[:20]
    suites = {
        "single word (random of top 5,000)": [(w, SearchFilters(), admin) for w in single],
        "single word (20 most common)": [(w, SearchFilters(), admin) for w in common],
        "phrase (2 words)": [(f'"{p}"', SearchFilters(), admin) for p in phrases[: args.queries]],
        "filtered (word + language + kind, producer)": [
            (w, SearchFilters(language="bn", kind="call_in"), producer) for w in single],
        "filtered (word + district + date range)": [
            (w, SearchFilters(district="Narsingdi", date_from=__import__("datetime").date(2020, 1, 1)), admin)
            for w in single],
        "prefix (3 letters*)": [(w[:3] + "*", SearchFilters(), admin) for w in single[:30]],
    }
    results: dict[str, list[tuple[float, float]]] = {}
    print(f"{'':46s} {'wall p50':>9s} {'wall p95':>9s} {'cpu p50':>8s} {'cpu p95':>8s}")
    with sessions() as session:
        for name, queries in suites.items():
            latencies = []
            for query, filters, viewer in queries:
                def run(q=query, f=filters, v=viewer):
                    return search(session, q, f, v, limit=20)
                run()  # warm
                latencies.append(timed(run))
            results[name] = latencies
            walls, cpus = [w for w, _ in latencies], [c for _, c in latencies]
            print(f"{name:46s} {pct(walls, 50):9.2f} {pct(walls, 95):9.2f} {pct(cpus, 50):8.2f} {pct(cpus, 95):8.2f}"
                  f"  ms (n={len(latencies)})", flush=True)

        like = [timed(lambda w=word: session.execute(
            text("SELECT id FROM segments WHERE text LIKE :p"), {"p": f"%{w}%"}).all(), repeats=3)
            for word in single[:5]]
        like_wall = statistics.median(w for w, _ in like)
        like_cpu = statistics.median(c for _, c in like)
        print(f"{'LIKE %word% scan (5 words)':46s} {like_wall:9.2f} {'':9s} {like_cpu:8.2f}")
    words_wall = [w for w, _ in results["single word (random of top 5,000)"]]
    words_cpu = [c for _, c in results["single word (random of top 5,000)"]]
    print(f"\nspeed-up over the LIKE scan (single words): wall {like_wall / pct(words_wall, 50):,.0f}x at p50,"
          f" {like_wall / pct(words_wall, 95):,.0f}x at p95; cpu {like_cpu / pct(words_cpu, 50):,.0f}x at p50,"
          f" {like_cpu / pct(words_cpu, 95):,.0f}x at p95")
    print("goal: p95 <= 20 ms and >= 100x faster than the scan")
    if args.keep is None:
        engine.dispose()
        path.unlink(missing_ok=True)


if __name__ == "__main__":
    main()
